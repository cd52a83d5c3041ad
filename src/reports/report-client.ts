/**
 * A minimal `ReportClient` over any fetch-like function: the simulator in-process
 * (`(url, init) => app.request(url, init)`), loopback `fetch`, or an adapter to the connector's
 * HTTP client (which adds pacing and retries; prefer it in production). No retries here.
 */
import type { ClockifyClient } from '../clockify/client.ts';
import { SyncError } from '../errors.ts';
import type { ReportClient } from './report-fetch.ts';

export type FetchLike = (url: string, init: RequestInit) => Promise<Response> | Response;

export interface FetchReportClientOptions {
  /** Reports API base, e.g. "https://reports.api.clockify.me/v1" or "http://127.0.0.1:4010/report/v1". */
  baseUrl: string;
  /** Auth headers, e.g. { 'X-Api-Key': key }. */
  headers: Record<string, string>;
  fetch?: FetchLike;
}

export interface CountingReportClient extends ReportClient {
  /** Requests sent so far. */
  readonly requests: number;
}

export function createFetchReportClient(opts: FetchReportClientOptions): CountingReportClient {
  const doFetch: FetchLike = opts.fetch ?? ((url, init) => fetch(url, init));
  const base = opts.baseUrl.replace(/\/+$/, '');
  let requests = 0;
  return {
    get requests() {
      return requests;
    },
    async post(path, body) {
      requests++;
      const res = await doFetch(base + path, {
        method: 'POST',
        headers: { ...opts.headers, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
      });
      const text = await res.text();
      let json: unknown = null;
      try {
        json = text ? JSON.parse(text) : null;
      } catch {
        json = null;
      }
      if (!res.ok) {
        const msg = json && typeof json === 'object' && 'message' in json ? String((json as { message: unknown }).message) : text.slice(0, 200);
        throw new SyncError('REPORT_REQUEST_FAILED', `Reports API ${path} answered ${res.status}: ${msg}`, {
          kind: res.status === 429 || res.status >= 500 ? 'transient' : res.status === 401 || res.status === 403 ? 'auth' : 'config',
        });
      }
      return json;
    },
  };
}

/** The connector's HTTP client (src/clockify/client.ts: pacing, retries, counting) as a ReportClient. */
export function reportClientFromClockify(client: Pick<ClockifyClient, 'request'>): ReportClient {
  return {
    async post(path, body) {
      const template = path.replace(/^\/workspaces\/[^/]+/, '/workspaces/{workspaceId}');
      const res = await client.request({ api: 'reports', method: 'POST', path, template, body });
      return res.data;
    },
  };
}
