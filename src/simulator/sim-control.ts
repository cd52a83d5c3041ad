/**
 * The control API under `/__simulator/` (not part of Clockify's surface). Every request needs
 * `X-Simulator-Token: <control token>`; JSON in and out. Errors: `{"message", "code"}`.
 *
 *   GET    /__simulator/info                         seed, sizes, now, keys, workspaces, key users
 *   GET    /__simulator/dataset?entity=E[&workspace=ID][&format=model|api]
 *            E = workspaces | users | members | user_groups | clients | projects | tasks | tags |
 *                custom_fields | holidays | changes → JSON array
 *            E = time_entries → NDJSON (one entry per line, start ascending), streamed
 *   POST   /__simulator/time-entries                 add   (TimeEntryInput) → 201 entry
 *   PATCH  /__simulator/time-entries/{id}            edit  (TimeEntryPatch) → entry
 *   DELETE /__simulator/time-entries/{id}            → 204
 *   POST   /__simulator/{kind}                       add   {workspaceId, ...fields} → 201
 *   PATCH  /__simulator/{kind}/{id}                  edit  {...fields}
 *   POST   /__simulator/{kind}/{id}/archive          archive (tasks: DONE; users: membership INACTIVE)
 *   DELETE /__simulator/{kind}/{id}[?workspace=ID]   → 204      (kind = projects|clients|tags|tasks|users)
 *   POST   /__simulator/timers/start                 {workspaceId, userId, ...} → 201 running entry
 *   POST   /__simulator/timers/stop                  {workspaceId, userId} → stopped entries
 *   GET|POST /__simulator/clock                      {advance:"PT1H"} | {now:ISO} → {now}
 *   GET|POST|DELETE /__simulator/faults              read | merge | reset the fault settings
 *   GET|DELETE /__simulator/stats                    request counters | reset them
 */
import { Hono } from 'hono';
import type { Context } from 'hono';
import type { EntityKind, TimeEntry, TimeEntryInput, TimeEntryPatch } from './model.ts';
import type { SimulatorCore } from './sim-core.ts';
import { ApiError, badRequest, notInWorkspace } from './sim-errors.ts';
import type { FaultState, RequestStats } from './sim-faults.ts';
import { parseFaults } from './sim-faults.ts';
import { errorResponse } from './sim-http.ts';
import { isoUtc, renderClient, renderCustomField, renderHoliday, renderProject, renderTag, renderTask, renderTimeEntry, renderUser, renderUserGroup, renderWorkspace } from './sim-render.ts';

const KINDS: EntityKind[] = ['projects', 'clients', 'tags', 'tasks', 'users'];

/** A model time entry as JSON (instants as `yyyy-MM-ddThh:mm:ssZ`). */
export function entryToJson(e: TimeEntry): Record<string, unknown> {
  return { ...e, start: isoUtc(e.start), end: e.end === null ? null : isoUtc(e.end) };
}

async function body(c: Context): Promise<Record<string, unknown>> {
  try {
    const b = await c.req.json();
    if (!b || typeof b !== 'object' || Array.isArray(b)) throw new Error('not an object');
    return b as Record<string, unknown>;
  } catch {
    throw badRequest('Request body must be a JSON object', 3000);
  }
}

export function createControlRoutes(sim: SimulatorCore, faults: FaultState, stats: RequestStats): Hono {
  const app = new Hono();
  const store = sim.store;

  app.use('*', async (c, next) => {
    if (c.req.header('x-simulator-token') !== sim.keys.control) {
      return c.json({ message: 'Missing or wrong X-Simulator-Token', code: 401 }, 401);
    }
    await next();
  });
  app.onError((err) => (err instanceof ApiError ? errorResponse(err) : errorResponse(new ApiError(500, 500, String((err as Error).message ?? err)))));

  app.get('/info', (c) => c.json({
    seed: sim.seed, sizes: sim.sizes, now: isoUtc(sim.now()), keys: sim.keys,
    keyUsers: {
      owner: sim.resolveKey('api-key', sim.keys.owner)!.userId, admin: sim.resolveKey('api-key', sim.keys.admin)!.userId,
      member: sim.resolveKey('api-key', sim.keys.member)!.userId, addonWorkspaceId: sim.resolveKey('addon-token', sim.keys.addon)!.workspaceId,
    },
    workspaces: store.workspaces().map((w) => ({ id: w.id, name: w.name, entries: store.countTimeEntries(w.id) })),
  }));

  app.get('/dataset', (c) => {
    const entity = c.req.query('entity') ?? '';
    const wsId = c.req.query('workspace');
    const api = c.req.query('format') === 'api';
    if (entity === 'workspaces') return c.json(api ? store.workspaces().map((w) => renderWorkspace(w, store.members(w.id))) : store.workspaces());
    if (entity === 'users') return c.json(api ? store.users().map((u) => renderUser(store, u, { workspaceId: wsId ?? null, memberships: 'ALL' })) : store.users());
    if (entity === 'changes') return c.json(store.changes().filter((r) => !wsId || r.workspaceId === wsId));
    const ws = wsId ? store.workspace(wsId) : undefined;
    if (!ws) throw notInWorkspace('Workspace');
    switch (entity) {
      case 'members': return c.json(store.members(ws.id));
      case 'user_groups': return c.json(api ? store.userGroups(ws.id).map((g) => renderUserGroup(store, g, true)) : store.userGroups(ws.id));
      case 'clients': return c.json(api ? store.clients(ws.id).map((x) => renderClient(x, ws)) : store.clients(ws.id));
      case 'projects': return c.json(api ? store.projects(ws.id).map((p) => renderProject(store, p, { durationMs: 0, hydrated: true, taskDuration: () => 0 })) : store.projects(ws.id));
      case 'tasks': return c.json(api ? store.tasks(ws.id).map((t) => renderTask(t, 0)) : store.tasks(ws.id));
      case 'tags': return c.json(api ? store.tags(ws.id).map(renderTag) : store.tags(ws.id));
      case 'custom_fields': return c.json(api ? store.customFields(ws.id).map(renderCustomField) : store.customFields(ws.id));
      case 'holidays': return c.json(api ? store.holidays(ws.id).map(renderHoliday) : store.holidays(ws.id));
      case 'time_entries': {
        const it = store.timeEntries(ws.id)[Symbol.iterator]();
        const enc = new TextEncoder();
        const stream = new ReadableStream<Uint8Array>({
          pull(controller) {
            let chunk = '';
            for (let i = 0; i < 1000; i++) {
              const r = it.next();
              if (r.done) {
                if (chunk) controller.enqueue(enc.encode(chunk));
                controller.close();
                return;
              }
              chunk += JSON.stringify(api ? renderTimeEntry(store, r.value, { hydrated: false, showRates: true }) : entryToJson(r.value)) + '\n';
            }
            controller.enqueue(enc.encode(chunk));
          },
        });
        return new Response(stream, { headers: { 'content-type': 'application/x-ndjson' } });
      }
      default:
        throw badRequest(`Unknown entity: ${entity}`, 3000);
    }
  });

  app.post('/time-entries', async (c) => c.json(entryToJson(sim.addTimeEntry((await body(c)) as unknown as TimeEntryInput)), 201));
  app.patch('/time-entries/:id', async (c) => c.json(entryToJson(sim.updateTimeEntry(c.req.param('id'), (await body(c)) as TimeEntryPatch))));
  app.delete('/time-entries/:id', (c) => {
    sim.deleteTimeEntry(c.req.param('id'));
    return c.body(null, 204);
  });

  app.post('/timers/start', async (c) => c.json(entryToJson(sim.startTimer((await body(c)) as unknown as TimeEntryInput)), 201));
  app.post('/timers/stop', async (c) => {
    const b = await body(c);
    return c.json(sim.stopTimer(String(b.workspaceId ?? ''), String(b.userId ?? '')).map(entryToJson));
  });

  app.get('/clock', (c) => c.json({ now: isoUtc(sim.now()) }));
  app.post('/clock', async (c) => {
    const b = await body(c);
    return c.json({ now: isoUtc(sim.setClock({ advance: b.advance as string | undefined, now: b.now as string | undefined })) });
  });

  app.get('/faults', (c) => c.json(faults.config));
  app.post('/faults', async (c) => {
    const b = await body(c);
    try {
      return c.json(faults.update(parseFaults(b)));
    } catch (err) {
      throw badRequest((err as Error).message, 3000);
    }
  });
  app.delete('/faults', (c) => c.json(faults.reset()));

  app.get('/stats', (c) => c.json(stats.snapshot()));
  app.delete('/stats', (c) => {
    stats.reset();
    return c.json(stats.snapshot());
  });

  const kindOf = (c: Context): EntityKind => {
    const kind = c.req.param('kind') as EntityKind;
    if (!KINDS.includes(kind)) throw new ApiError(404, 3000, `No static resource __simulator/${kind}.`);
    return kind;
  };
  app.post('/:kind', async (c) => {
    const kind = kindOf(c);
    const b = await body(c);
    return c.json(sim.addEntity(kind, String(b.workspaceId ?? ''), b), 201);
  });
  app.patch('/:kind/:id', async (c) => {
    const kind = kindOf(c);
    const b = await body(c);
    return c.json(sim.updateEntity(kind, c.req.param('id'), b, typeof b.workspaceId === 'string' ? b.workspaceId : undefined));
  });
  app.post('/:kind/:id/:action{archive|deactivate}', (c) => {
    const kind = kindOf(c);
    const patch = kind === 'tasks' ? { status: 'DONE' } : kind === 'users' ? { status: 'INACTIVE' } : { archived: true };
    return c.json(sim.updateEntity(kind, c.req.param('id'), patch, c.req.query('workspace')));
  });
  app.delete('/:kind/:id', (c) => {
    sim.deleteEntity(kindOf(c), c.req.param('id'), c.req.query('workspace'));
    return c.body(null, 204);
  });
  app.notFound((c) => c.json({ message: `No static resource ${c.req.path.replace(/^\//, '')}.`, code: 3000 }, 404));
  return app;
}
