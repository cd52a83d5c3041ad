/**
 * The Reports API (`/report/v1/...`): `POST /workspaces/{ws}/reports/detailed|summary|weekly`.
 * Thin: reads the body, checks access and plan limits, and calls the pure report functions.
 *
 * Access: the caller must be an active member of the workspace (else 400
 * `{"message":"Workspace doesn't belong to User","code":501}`, as the main API). Regular members
 * see only their own entries, and no money when the workspace lets only admins see billable
 * rates (as the main API hides their rates). FREE-plan workspaces refuse ranges over 31 days.
 * Errors are thrown as `ApiError`; the app's error handler (sim-app.ts) renders them.
 */
import { Hono } from 'hono';
import type { Context } from 'hono';
import type { SimEnv, Simulator, Workspace } from '../model.ts';
import { ApiError } from '../sim-errors.ts';
import { detailedReport, parseDetailedFilter } from './report-detailed.ts';
import type { ReportScope } from './report-filter.ts';
import type { ReportQuery } from './report-query.ts';
import { checkPlanRange, parseReportQuery } from './report-query.ts';
import { parseSummaryFilter, summaryReport } from './report-summary.ts';
import { parseWeeklyFilter, weeklyReport } from './report-weekly.ts';

type C = Context<SimEnv>;

interface Prepared {
  ws: Workspace;
  body: Record<string, unknown>;
  q: ReportQuery;
  scope: ReportScope;
}

async function readBody(c: C): Promise<Record<string, unknown>> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new ApiError(400, 3000, 'Malformed JSON request');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ApiError(400, 3000, 'Malformed JSON request');
  return body as Record<string, unknown>;
}

async function prepare(sim: Simulator, c: C, requiredFilter: string): Promise<Prepared> {
  const principal = c.get('principal');
  const ws = sim.store.workspace(c.req.param('workspaceId') ?? '');
  const role = ws ? sim.roleOf(principal, ws.id) : undefined;
  if (!ws || !role) throw new ApiError(400, 501, "Workspace doesn't belong to User");
  const body = await readBody(c);
  if (body[requiredFilter] === undefined || body[requiredFilter] === null) throw new ApiError(400, 3000, `Field '${requiredFilter}' must not be null`);
  const user = sim.store.user(principal.userId);
  const q = parseReportQuery(body, { profileZone: user?.timeZone ?? 'UTC', profileWeekStart: user?.weekStart ?? ws.weekStart, now: sim.now() });
  checkPlanRange(q, ws.plan);
  if (role === 'MEMBER' && ws.settings.onlyAdminsSeeBillableRates) {
    q.amountShown = 'HIDE_AMOUNT';
    q.amounts = [];
  }
  const scope: ReportScope = { workspaceId: ws.id, visibleUserIds: role === 'MEMBER' ? [principal.userId] : undefined };
  return { ws, body, q, scope };
}

function json(body: unknown): Response {
  return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
}

export function createReportsRouter(sim: Simulator): Hono<SimEnv> {
  const app = new Hono<SimEnv>();

  app.post('/workspaces/:workspaceId/reports/detailed', async (c) => {
    const { ws, body, q, scope } = await prepare(sim, c, 'detailedFilter');
    const opts = parseDetailedFilter(body.detailedFilter);
    return json(detailedReport(sim.store, q, scope, opts, ws.currencyCode));
  });

  app.post('/workspaces/:workspaceId/reports/summary', async (c) => {
    const { ws, body, q, scope } = await prepare(sim, c, 'summaryFilter');
    const opts = parseSummaryFilter(body.summaryFilter);
    return json(summaryReport(sim.store, q, scope, opts, ws.currencyCode));
  });

  app.post('/workspaces/:workspaceId/reports/weekly', async (c) => {
    const { ws, body, q, scope } = await prepare(sim, c, 'weeklyFilter');
    const opts = parseWeeklyFilter(body.weeklyFilter);
    return json(weeklyReport(sim.store, q, scope, opts, ws));
  });

  return app;
}
