/** Small helpers for in-process tests against the simulator (no socket). */
import type { Hono } from 'hono';
import type { SimulatorCore } from './sim-core.ts';
import type { TimeEntry } from './model.ts';

export interface SimResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** GET (or other method) with a key; parses JSON when possible. */
export async function simGet<T = any>(app: Hono, path: string, key: string | Record<string, string> | null = 'sim-admin-key', init: RequestInit = {}): Promise<SimResponse<T>> {
  const headers: Record<string, string> = typeof key === 'string' ? { 'X-Api-Key': key } : key ?? {};
  const res = await app.request(path, { ...init, headers: { ...headers, ...(init.headers as Record<string, string> | undefined) } });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON */
  }
  return { status: res.status, headers: res.headers, body: body as T, text };
}

/** Control-API call with the default control token. */
export function control<T = any>(app: Hono, method: string, path: string, body?: unknown, token = 'sim-control-token'): Promise<SimResponse<T>> {
  return simGet<T>(app, `/__simulator${path}`, { 'X-Simulator-Token': token }, {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
  });
}

/** Every entry of a workspace (ground truth), start ascending. */
export function allEntries(sim: SimulatorCore, workspaceId: string): TimeEntry[] {
  return [...sim.store.timeEntries(workspaceId)];
}
