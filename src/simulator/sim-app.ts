/**
 * The simulator's Hono app: `/api/v1/...` (main API), `/report/v1/...` (Reports API, from
 * src/simulator/reports/router.ts), `/__simulator/...` (control API). Usable in-process with
 * `app.request(...)` / `app.fetch(...)`; `server.ts` serves it on 127.0.0.1.
 */
import { Hono } from 'hono';
import type { Context, MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { ReportsRouterFactory, SimEnv } from './model.ts';
import { createSimulatorCore } from './sim-core.ts';
import type { SimulatorCore, SimulatorCoreOptions } from './sim-core.ts';
import { ApiError, badAddonToken, noRoute, noTokens, unknownKey } from './sim-errors.ts';
import { FaultState, RequestStats, faultMiddleware } from './sim-faults.ts';
import type { FaultConfig } from './sim-faults.ts';
import { errorResponse } from './sim-http.ts';
import { createMainApiRoutes } from './sim-api.ts';
import { createEntryRoutes } from './sim-api-entries.ts';
import { createControlRoutes } from './sim-control.ts';
import { createReportsRouter } from './reports/router.ts';

export interface SimulatorOptions extends SimulatorCoreOptions {
  /** Initial faults (also settable at run time through the control API). */
  faults?: Partial<FaultConfig>;
  /** The Reports API router factory (default: createReportsRouter of src/simulator/reports/router.ts). */
  reportsRouter?: ReportsRouterFactory;
}

export interface SimulatorApp {
  app: Hono;
  sim: SimulatorCore;
  faults: FaultState;
  stats: RequestStats;
}

/** Exactly one of X-Api-Key / X-Addon-Token (an Authorization header counts as a second credential). */
export function authMiddleware(sim: SimulatorCore): MiddlewareHandler<SimEnv> {
  return async (c, next) => {
    const apiKey = c.req.header('x-api-key');
    const addon = c.req.header('x-addon-token');
    const bearer = c.req.header('authorization');
    const count = (apiKey !== undefined ? 1 : 0) + (addon !== undefined ? 1 : 0) + (bearer !== undefined ? 1 : 0);
    if (count !== 1 || bearer !== undefined) throw noTokens();
    const principal = apiKey !== undefined ? sim.resolveKey('api-key', apiKey) : sim.resolveKey('addon-token', addon!);
    if (!principal) throw apiKey !== undefined ? unknownKey() : badAddonToken();
    c.set('principal', principal);
    await next();
  };
}

function onError(err: Error): Response {
  if (err instanceof ApiError) return errorResponse(err);
  return errorResponse(new ApiError(500, 500, `Internal server error: ${err.message}`));
}

/** Builds the whole simulator in-process (no socket). Generating 1M entries takes a few seconds. */
export function createSimulator(options: SimulatorOptions = {}): SimulatorApp {
  const sim = createSimulatorCore(options);
  const faults = new FaultState(options.faults);
  const stats = new RequestStats();
  const app = new Hono();
  app.onError(onError);

  app.use('*', async (c, next) => {
    if (c.req.path.startsWith('/__simulator')) return next();
    await next();
    const template = routePath(c, -1);
    const route = !template || template.endsWith('*') ? '(unmatched)' : `${c.req.method} ${template}`;
    const key = c.req.header('x-api-key') ?? c.req.header('x-addon-token') ?? '(none)';
    stats.record(route, key, c.res.status);
  });
  app.route('/__simulator', createControlRoutes(sim, faults, stats));
  app.use('/api/*', faultMiddleware(faults));
  app.use('/report/*', faultMiddleware(faults));

  const api = new Hono<SimEnv>();
  api.onError(onError);
  api.use('*', authMiddleware(sim));
  api.route('/', createMainApiRoutes(sim));
  api.route('/', createEntryRoutes(sim));
  app.route('/api/v1', api);

  const reports = new Hono<SimEnv>();
  reports.onError(onError);
  reports.use('*', authMiddleware(sim));
  reports.route('/', (options.reportsRouter ?? createReportsRouter)(sim) as Hono<SimEnv>);
  app.route('/report/v1', reports);

  app.notFound((c: Context) => notFoundOrMethod(app, c));
  return { app, sim, faults, stats };
}

/** Unknown route → 404 code 3000; known path with another method → 405 code 3000 with `Allow`. */
function notFoundOrMethod(app: Hono, c: Context): Response {
  const path = c.req.path;
  const allowed = new Set<string>();
  for (const r of app.routes) {
    if (r.method === 'ALL' || r.path.endsWith('*')) continue;
    const re = new RegExp(`^${r.path.replace(/:[A-Za-z]+(\{[^}]*\})?/g, '[^/]+')}$`);
    if (re.test(path)) allowed.add(r.method);
  }
  if (allowed.size && !allowed.has(c.req.method)) {
    return errorResponse(new ApiError(405, 3000, `Request method '${c.req.method}' is not supported`, { Allow: [...allowed].join(', ') }));
  }
  return errorResponse(noRoute(path));
}
