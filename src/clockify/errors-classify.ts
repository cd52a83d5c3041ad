/**
 * Every HTTP outcome is classified here, once, by one pure function: retry, rate-limited
 * (retry after waiting) or fail, with the stable SyncError code and a message a user
 * understands. No credential ever reaches this module.
 */
import { SyncError } from '../errors.ts';
import type { ErrorKind } from '../errors.ts';

export type Outcome =
  /** An HTTP response other than 2xx (the body's `message`/`code` when it had them). */
  | { type: 'status'; status: number; message?: string; clockifyCode?: number; retryAfterMs?: number }
  /** fetch or the body read threw. */
  | { type: 'exception'; error: unknown }
  /** 2xx with a body that is not valid JSON (a truncated response). */
  | { type: 'invalid-body' };

export interface Classification {
  action: 'retry' | 'rate-limited' | 'fail';
  /** The SyncError code used when this is (or becomes, after the last retry) a failure. */
  code: string;
  kind: ErrorKind;
  message: string;
  hint?: string;
  retryAfterMs?: number;
}

const NETWORK_UNREACHABLE = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/** Pure: the same outcome always gives the same classification. */
export function classify(outcome: Outcome): Classification {
  if (outcome.type === 'invalid-body') {
    return { action: 'retry', code: 'INVALID_RESPONSE', kind: 'transient', message: 'Clockify sent a response that is not valid JSON (cut short?).', hint: 'Retry later; if it persists, check the --base-url.' };
  }
  if (outcome.type === 'exception') return classifyException(outcome.error);
  const { status } = outcome;
  const said = outcome.message ? `: ${outcome.message}` : '';
  if (status === 429) {
    return {
      action: 'rate-limited', code: 'RATE_LIMITED_TOO_LONG', kind: 'transient', retryAfterMs: outcome.retryAfterMs,
      message: 'Clockify kept answering 429 Too Many Requests.',
      hint: 'Lower --requests-per-second (or --concurrency) and retry later; another program may be using the same key.',
    };
  }
  if (status >= 500) {
    return { action: 'retry', code: 'SERVER_ERROR', kind: 'transient', retryAfterMs: outcome.retryAfterMs, message: `Clockify answered HTTP ${status}${said}.`, hint: 'A server-side problem; retry later.' };
  }
  if (status === 408) return { action: 'retry', code: 'REQUEST_TIMEOUT', kind: 'transient', message: `Clockify answered HTTP 408${said}.` };
  if (status === 401) {
    return {
      action: 'fail', code: 'AUTH_REJECTED', kind: 'auth',
      message: `Clockify rejected the credentials (HTTP 401${outcome.clockifyCode !== undefined ? `, code ${outcome.clockifyCode}` : ''})${said}.`,
      hint: 'Create a new API key in Clockify under Profile settings → API (a workspace on its own subdomain needs a key generated for that workspace), then set CLOCKIFY_API_KEY or --api-key-file.',
    };
  }
  if (status === 403) {
    return {
      action: 'fail', code: 'FORBIDDEN', kind: 'auth', message: `Clockify denied access (HTTP 403)${said}.`,
      hint: "Syncing other users' data needs the key of a workspace owner or admin; pick a workspace where you have that role with --workspace.",
    };
  }
  if (status === 400 && outcome.clockifyCode === 501) {
    return {
      action: 'fail', code: 'NOT_FOUND_OR_FOREIGN_ID', kind: 'config', message: `Clockify says an id is unknown, deleted or belongs to another workspace (HTTP 400, code 501)${said}.`,
      hint: 'Check the --workspace ids (`clockify-sync workspaces` lists those the key can see).',
    };
  }
  if (status === 404) {
    return { action: 'fail', code: 'ENDPOINT_NOT_FOUND', kind: 'config', message: `Clockify has no such endpoint (HTTP 404)${said}.`, hint: 'Check --base-url / --region: the main API must be at URL/api/v1.' };
  }
  return { action: 'fail', code: 'REQUEST_REJECTED', kind: 'system', message: `Clockify refused the request (HTTP ${status}${outcome.clockifyCode !== undefined ? `, code ${outcome.clockifyCode}` : ''})${said}.` };
}

function classifyException(error: unknown): Classification {
  const name = (error as { name?: string } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return { action: 'retry', code: 'REQUEST_TIMEOUT', kind: 'transient', message: 'A request to Clockify timed out.', hint: 'Retry later, or raise the timeout.' };
  }
  const code = errorCode(error);
  if (code && NETWORK_UNREACHABLE.has(code)) {
    return { action: 'retry', code: 'NETWORK_UNREACHABLE', kind: 'transient', message: `Cannot reach Clockify (${code}).`, hint: 'Check the network, proxy settings and --base-url / --region.' };
  }
  return { action: 'retry', code: 'NETWORK_ERROR', kind: 'transient', message: `The connection to Clockify failed${code ? ` (${code})` : ''}.`, hint: 'Retry later.' };
}

/** The system error code of a fetch failure (undici puts it on `cause`). */
export function errorCode(error: unknown): string | undefined {
  let e: unknown = error;
  for (let i = 0; i < 4 && e && typeof e === 'object'; i++) {
    const c = (e as { code?: unknown }).code;
    if (typeof c === 'string') return c;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The SyncError for a final classification; `where` names the request (method + path template). */
export function toSyncError(c: Classification, where: string, attempts: number): SyncError {
  const tried = attempts > 1 ? ` (after ${attempts} attempts)` : '';
  return new SyncError(c.code, `${where}: ${c.message}${tried}`, { kind: c.kind, hint: c.hint });
}
