/**
 * Faults and limits (switchable per run by options/flags and at run time by the control API),
 * and request counters. Fault randomness comes from its own seeded PRNG, so a run with the same
 * seed and the same request order sees the same faults.
 *
 * Applied to `/api/*` and `/report/*` only (never to the control API), in this order:
 * latency → rate limit (429) → server error (500/502/503) → handler → body fault
 * (drop the connection mid-body, or truncated JSON, or a slow body).
 */
import type { MiddlewareHandler } from 'hono';
import { mulberry32 } from './sim-random.ts';
import type { Random } from './sim-random.ts';

export interface FaultConfig {
  /** Fixed latency added to every request (ms). */
  latencyMs: number;
  /** Extra random latency, uniform in [0, jitterMs). */
  jitterMs: number;
  /** Per key (X-Api-Key / X-Addon-Token value): at most `perSecond` requests per wall-clock second → 429. */
  rateLimit: { perSecond: number; retryAfter: boolean } | null;
  /** Share of requests answered 500, 502 or 503 (0–1). */
  errorRate: number;
  /** Share of responses whose connection is dropped mid-body (0–1). */
  dropRate: number;
  /** Share of responses whose JSON body is cut in half (complete HTTP response, invalid JSON) (0–1). */
  truncateRate: number;
  /** Stream each body over about this many ms (0 = off). */
  slowBodyMs: number;
  /** Seed of the fault PRNG (setting it restarts the sequence). */
  seed: number;
}

export const NO_FAULTS: FaultConfig = {
  latencyMs: 0, jitterMs: 0, rateLimit: null, errorRate: 0, dropRate: 0, truncateRate: 0, slowBodyMs: 0, seed: 1,
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Validates a partial fault config from JSON; throws a message on a bad value. */
export function parseFaults(input: unknown): Partial<FaultConfig> {
  if (!input || typeof input !== 'object') throw new Error('faults must be a JSON object');
  const o = input as Record<string, unknown>;
  const out: Partial<FaultConfig> = {};
  const num = (k: keyof FaultConfig, max = Infinity) => {
    if (o[k] === undefined) return;
    const v = o[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > max) throw new Error(`${k} must be a number between 0 and ${max}`);
    (out as Record<string, unknown>)[k] = v;
  };
  num('latencyMs'); num('jitterMs'); num('errorRate', 1); num('dropRate', 1); num('truncateRate', 1); num('slowBodyMs'); num('seed');
  if (o.rateLimit !== undefined) {
    if (o.rateLimit === null) out.rateLimit = null;
    else {
      const r = o.rateLimit as Record<string, unknown>;
      if (typeof r !== 'object' || typeof r.perSecond !== 'number' || r.perSecond < 1) throw new Error('rateLimit.perSecond must be a number ≥ 1');
      out.rateLimit = { perSecond: Math.floor(r.perSecond), retryAfter: r.retryAfter !== false };
    }
  }
  const unknown = Object.keys(o).filter((k) => !(k in NO_FAULTS));
  if (unknown.length) throw new Error(`unknown fault setting(s): ${unknown.join(', ')}`);
  return out;
}

/** Holds the current fault config, its PRNG and the per-key rate windows. */
export class FaultState {
  config: FaultConfig;
  private rand: Random;
  private readonly windows = new Map<string, { second: number; count: number }>();

  constructor(initial: Partial<FaultConfig> = {}) {
    this.config = { ...NO_FAULTS, ...initial };
    this.rand = mulberry32(this.config.seed);
  }
  /** Merges settings; a new `seed` restarts the random sequence. */
  update(partial: Partial<FaultConfig>): FaultConfig {
    this.config = { ...this.config, ...partial };
    if (partial.seed !== undefined) this.rand = mulberry32(partial.seed);
    this.windows.clear();
    return this.config;
  }
  reset(): FaultConfig {
    this.config = { ...NO_FAULTS };
    this.rand = mulberry32(NO_FAULTS.seed);
    this.windows.clear();
    return this.config;
  }
  roll(): number {
    return this.rand();
  }
  /** Counts a request for a key; true when it is over the limit. */
  overLimit(key: string, nowMs: number): boolean {
    const limit = this.config.rateLimit;
    if (!limit) return false;
    const second = Math.floor(nowMs / 1000);
    const w = this.windows.get(key);
    if (!w || w.second !== second) {
      this.windows.set(key, { second, count: 1 });
      return false;
    }
    w.count++;
    return w.count > limit.perSecond;
  }
}

export function faultMiddleware(state: FaultState): MiddlewareHandler {
  return async (c, next) => {
    const cfg = state.config;
    if (cfg.latencyMs > 0 || cfg.jitterMs > 0) await sleep(cfg.latencyMs + (cfg.jitterMs > 0 ? state.roll() * cfg.jitterMs : 0));
    const key = c.req.header('x-api-key') ?? c.req.header('x-addon-token') ?? '';
    if (cfg.rateLimit && state.overLimit(key, Date.now())) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (cfg.rateLimit.retryAfter) headers['Retry-After'] = '1';
      return new Response(JSON.stringify({ message: 'Too many requests', code: 429 }), { status: 429, headers });
    }
    if (cfg.errorRate > 0 && state.roll() < cfg.errorRate) return serverError(state.roll());
    await next();
    if (cfg.dropRate > 0 && state.roll() < cfg.dropRate) c.res = await dropped(c.res);
    else if (cfg.truncateRate > 0 && state.roll() < cfg.truncateRate) c.res = await truncated(c.res);
    else if (cfg.slowBodyMs > 0) c.res = await slow(c.res, cfg.slowBodyMs);
  };
}

/** 500 as JSON `{message, code}`; 502/503 as a load balancer's HTML page (as a proxy in front would). */
function serverError(r: number): Response {
  if (r < 1 / 3) return new Response(JSON.stringify({ message: 'Internal server error', code: 500 }), { status: 500, headers: { 'content-type': 'application/json' } });
  const status = r < 2 / 3 ? 502 : 503;
  const text = status === 502 ? 'Bad Gateway' : 'Service Temporarily Unavailable';
  return new Response(`<html><head><title>${status} ${text}</title></head><body><center><h1>${status} ${text}</h1></center></body></html>`, {
    status, headers: { 'content-type': 'text/html' },
  });
}

function copyHeaders(res: Response, length?: number): Headers {
  const h = new Headers(res.headers);
  if (length !== undefined) h.set('content-length', String(length));
  return h;
}

/** Sends the headers (announcing the full length) and half of the body, then fails the stream: the socket is destroyed. */
async function dropped(res: Response): Promise<Response> {
  const bytes = new Uint8Array(await res.arrayBuffer());
  const half = bytes.subarray(0, Math.floor(bytes.length / 2));
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      if (half.length) controller.enqueue(half);
    },
    pull(controller) {
      setTimeout(() => controller.error(new Error('simulated connection drop')), 5);
      return new Promise((r) => setTimeout(r, 10));
    },
  });
  return new Response(body, { status: res.status, headers: copyHeaders(res, bytes.length) });
}

/** A complete response whose body is the first half of the JSON. */
async function truncated(res: Response): Promise<Response> {
  const bytes = new Uint8Array(await res.arrayBuffer());
  const cut = bytes.subarray(0, Math.max(0, Math.min(bytes.length - 1, Math.floor(bytes.length / 2))));
  return new Response(cut, { status: res.status, headers: copyHeaders(res, cut.length) });
}

/** Streams the body in 10 chunks spread over `totalMs`. */
async function slow(res: Response, totalMs: number): Promise<Response> {
  const bytes = new Uint8Array(await res.arrayBuffer());
  const parts = 10;
  const step = Math.ceil(bytes.length / parts) || 1;
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (i >= bytes.length) return controller.close();
      await sleep(totalMs / parts);
      controller.enqueue(bytes.subarray(i, i + step));
      i += step;
    },
  });
  return new Response(body, { status: res.status, headers: copyHeaders(res, bytes.length) });
}

/** Request counters per route template and per key (control-API requests are not counted). */
export class RequestStats {
  total = 0;
  readonly byRoute = new Map<string, number>();
  readonly byKey = new Map<string, number>();
  readonly byStatus = new Map<number, number>();

  record(route: string, key: string, status: number): void {
    this.total++;
    this.byRoute.set(route, (this.byRoute.get(route) ?? 0) + 1);
    this.byKey.set(key, (this.byKey.get(key) ?? 0) + 1);
    this.byStatus.set(status, (this.byStatus.get(status) ?? 0) + 1);
  }
  snapshot(): { total: number; byRoute: Record<string, number>; byKey: Record<string, number>; byStatus: Record<string, number> } {
    return {
      total: this.total,
      byRoute: Object.fromEntries([...this.byRoute].sort()),
      byKey: Object.fromEntries([...this.byKey].sort()),
      byStatus: Object.fromEntries([...this.byStatus].sort((a, b) => a[0] - b[0])),
    };
  }
  reset(): void {
    this.total = 0;
    this.byRoute.clear();
    this.byKey.clear();
    this.byStatus.clear();
  }
}
