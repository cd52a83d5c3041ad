/**
 * The Clockify HTTP client: auth header, pacing (p-queue), per-request timeout, retries with
 * capped exponential backoff + full jitter (honouring Retry-After), JSON parsing per response,
 * request counters. The credential lives only in a closure building the headers: it is never
 * part of an error, a log line, an `onRequest` report or a thrown object.
 */
import PQueue from 'p-queue';
import { SyncError } from '../errors.ts';
import { classify, toSyncError } from './errors-classify.ts';
import type { Classification, Outcome } from './errors-classify.ts';
import { DEFAULT_BACKOFF, backoffDelay, parseRetryAfter } from './retry.ts';
import type { BackoffOptions } from './retry.ts';
import type { Hosts } from './hosts.ts';

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface ClientOptions {
  hosts: Hosts;
  /** Exactly one of apiKey / addonToken. */
  apiKey?: string;
  addonToken?: string;
  /** Requests started per second (default 10: safe for an API key, REFERENCE §2). 0 or Infinity = no pacing. */
  requestsPerSecond?: number;
  /** Requests in flight at once (default 4). */
  concurrency?: number;
  /** Per attempt, headers and body included (default 30 000). */
  timeoutMs?: number;
  /** Retries after the first attempt (default 6). */
  maxRetries?: number;
  /** Longest Retry-After honoured before giving up (default 120 000 ms). */
  maxRetryAfterMs?: number;
  backoff?: BackoffOptions;
  /** Injectable transport (tests: `(url, init) => app.request(url, init)`). Default: global fetch. */
  fetch?: FetchLike;
  /** Injectable wait (tests: resolve at once). */
  sleep?: (ms: number) => Promise<void>;
  /** Injectable randomness for the jitter (default Math.random). */
  random?: () => number;
  /** Called after every attempt (never given the credential). */
  onRequest?: (info: RequestInfo) => void;
}

export interface RequestInfo {
  method: string;
  /** Path template, e.g. `/workspaces/{workspaceId}/users`. */
  template: string;
  /** Full URL (no credential in it). */
  url: string;
  attempt: number;
  status?: number;
  durationMs: number;
  /** Set when this attempt failed: the SyncError code its classification gives. */
  errorCode?: string;
  /** Wait before the next attempt, when one follows. */
  retryInMs?: number;
}

export interface ApiRequest {
  /** Which host (default main). */
  api?: 'main' | 'reports';
  method?: 'GET' | 'POST';
  /** Path with values filled in, e.g. `/workspaces/abc/users`. */
  path: string;
  /** Path template for counting and messages (default: `path`). */
  template?: string;
  query?: Record<string, string | number | boolean | undefined | readonly string[]>;
  body?: unknown;
  signal?: AbortSignal;
  /**
   * Reads a successful response's body (bytes) instead of JSON.parse (it may resolve later);
   * throwing or rejecting makes it an invalid body (retried like one JSON.parse refuses).
   */
  decode?: (body: Buffer) => unknown;
}

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  data: T;
  /** HTTP attempts this call took (1 without retries). */
  attempts: number;
}

export interface ClockifyClient {
  readonly hosts: Hosts;
  request<T = unknown>(req: ApiRequest): Promise<ApiResponse<T>>;
  /** HTTP requests sent so far (every attempt, retries included). */
  readonly requestCount: number;
  /** Attempts that were retries. */
  readonly retryCount: number;
  /** Requests per `METHOD template`. */
  requestsByTemplate(): Record<string, number>;
  /** Waits for requests in flight. */
  idle(): Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function buildUrl(base: string, path: string, query?: ApiRequest['query']): string {
  let url = base + (path.startsWith('/') ? path : `/${path}`);
  if (query) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined) continue;
      if (Array.isArray(v)) for (const item of v) params.append(k, String(item));
      else params.append(k, String(v));
    }
    const qs = params.toString();
    if (qs) url += `?${qs}`;
  }
  return url;
}

export function createClockifyClient(options: ClientOptions): ClockifyClient {
  const hasKey = !!options.apiKey;
  const hasToken = !!options.addonToken;
  if (hasKey === hasToken) {
    throw new SyncError('AUTH_MISSING', hasKey ? 'Give either an API key or an add-on token, not both.' : 'No Clockify credential was given.', {
      kind: 'config',
      hint: 'Set CLOCKIFY_API_KEY, or pass --api-key-file PATH (or --addon-token-file PATH).',
    });
  }
  const authHeaderName = hasKey ? 'X-Api-Key' : 'X-Addon-Token';
  // The secret stays inside this closure.
  const secret = (hasKey ? options.apiKey : options.addonToken) as string;
  const headersFor = (hasBody: boolean): Record<string, string> => {
    const h: Record<string, string> = { accept: 'application/json', [authHeaderName]: secret };
    if (hasBody) h['content-type'] = 'application/json';
    return h;
  };
  const scrub = (text: string) => (text.includes(secret) ? text.split(secret).join('***') : text);

  const rps = options.requestsPerSecond ?? 10;
  const paced = rps > 0 && Number.isFinite(rps);
  const queue = new PQueue({
    concurrency: options.concurrency ?? 4,
    ...(paced ? { intervalCap: Math.max(1, Math.floor(rps)), interval: Math.max(1, Math.round((1000 * Math.max(1, Math.floor(rps))) / rps)), strict: true } : {}),
  });
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxRetries = options.maxRetries ?? 6;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 120_000;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const doFetch: FetchLike = options.fetch ?? ((url, init) => fetch(url, init));
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  let requestCount = 0;
  let retryCount = 0;
  const byTemplate = new Map<string, number>();

  type Attempt = { ok: true; status: number; headers: Headers; data: unknown } | { ok: false; outcome: Outcome };

  async function attemptOnce(method: string, url: string, body: string | undefined, signal?: AbortSignal, decode?: ApiRequest['decode']): Promise<Attempt> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let res: Response;
    try {
      res = await doFetch(url, { method, headers: headersFor(body !== undefined), body, signal: combined });
    } catch (error) {
      if (signal?.aborted) throw error;
      return { ok: false, outcome: { type: 'exception', error } };
    }
    let text = '';
    let bytes: Buffer | undefined;
    try {
      if (decode && res.status >= 200 && res.status < 300) bytes = Buffer.from(await res.arrayBuffer());
      else text = await res.text();
    } catch (error) {
      if (signal?.aborted) throw error;
      return { ok: false, outcome: { type: 'exception', error } };
    }
    if (res.status < 200 || res.status >= 300) {
      let message: string | undefined;
      let clockifyCode: number | undefined;
      try {
        const parsed = text ? (JSON.parse(text) as { message?: unknown; code?: unknown }) : undefined;
        if (parsed && typeof parsed.message === 'string') message = scrub(parsed.message).slice(0, 300);
        if (parsed && typeof parsed.code === 'number') clockifyCode = parsed.code;
      } catch {
        /* a non-JSON error body */
      }
      return { ok: false, outcome: { type: 'status', status: res.status, message, clockifyCode, retryAfterMs: parseRetryAfter(res.headers.get('retry-after'), Date.now()) } };
    }
    if ((bytes ? bytes.length === 0 : text === '') || res.status === 204) return { ok: true, status: res.status, headers: res.headers, data: null };
    try {
      return { ok: true, status: res.status, headers: res.headers, data: bytes && decode ? await decode(bytes) : JSON.parse(text) };
    } catch {
      return { ok: false, outcome: { type: 'invalid-body' } };
    }
  }

  async function request<T>(req: ApiRequest): Promise<ApiResponse<T>> {
    const method = req.method ?? 'GET';
    const base = req.api === 'reports' ? options.hosts.reports : options.hosts.api;
    const url = buildUrl(base, req.path, req.query);
    const template = req.template ?? req.path;
    const countKey = `${method} ${template}`;
    const where = `${method} ${template}`;
    const body = req.body === undefined ? undefined : JSON.stringify(req.body);
    for (let attempt = 1; ; attempt++) {
      const started = Date.now();
      const result = await queue.add(() => {
        requestCount++;
        if (attempt > 1) retryCount++;
        byTemplate.set(countKey, (byTemplate.get(countKey) ?? 0) + 1);
        return attemptOnce(method, url, body, req.signal, req.decode);
      });
      if (result.ok) {
        options.onRequest?.({ method, template, url, attempt, status: result.status, durationMs: Date.now() - started });
        return { status: result.status, headers: result.headers, data: result.data as T, attempts: attempt };
      }
      const c: Classification = classify(result.outcome);
      const status = result.outcome.type === 'status' ? result.outcome.status : undefined;
      const canRetry = c.action !== 'fail' && attempt <= maxRetries && !(c.retryAfterMs !== undefined && c.retryAfterMs > maxRetryAfterMs);
      const wait = canRetry ? backoffDelay(attempt, random, backoff, c.retryAfterMs) : undefined;
      options.onRequest?.({ method, template, url, attempt, status, durationMs: Date.now() - started, errorCode: c.code, retryInMs: wait });
      if (!canRetry) throw toSyncError(c, where, attempt);
      await sleep(wait!);
    }
  }

  return {
    hosts: options.hosts,
    request,
    get requestCount() {
      return requestCount;
    },
    get retryCount() {
      return retryCount;
    },
    requestsByTemplate: () => Object.fromEntries(byTemplate),
    idle: () => queue.onIdle(),
  };
}
