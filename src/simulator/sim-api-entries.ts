/**
 * Time-entry routes and the experimental entity-changes feed of the main API.
 *
 * - `/user/{uid}/time-entries`: newest first (start descending, then id descending); `start`/`end`
 *   (`yyyy-MM-ddThh:mm:ssZ`) are parsed to an instant and re-read as a wall clock in the key
 *   owner's profile time zone (REFERENCE.md §3); an entry matches when start ≤ its start ≤ end.
 * - `/time-entries/status/in-progress`: page-size default 10, max 1000; newest first.
 * - `/entities/created|updated|deleted`: see REFERENCE.md §8 and `changeFeed` below.
 */
import { Hono } from 'hono';
import type { Context } from 'hono';
import { DateTime } from 'luxon';
import type { ChangeEntityType, ChangeRecord, SimEnv, TimeEntry } from './model.ts';
import type { SimulatorCore } from './sim-core.ts';
import { ApiError, accessDenied, badRequest, notInWorkspace } from './sim-errors.ts';
import { boolParam, iterPage, json, jsonText, listParam, readPaging, slicePage } from './sim-http.ts';
import { isoUtc, renderClient, renderProject, renderTag, renderTask, renderTimeEntry } from './sim-render.ts';
import { durationIndex, workspaceFor } from './sim-api.ts';

type C = Context<SimEnv>;
const FEED_TYPES: ChangeEntityType[] = ['CLIENTS', 'PROJECTS', 'TAGS', 'TASKS', 'SCHEDULED_ASSIGNMENT', 'TIME_ENTRY', 'TIME_ENTRY_RATE', 'TIME_ENTRY_CUSTOM_FIELD_VALUE'];
const DAY = 86_400_000;
const STRICT_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:?\d{2})$/;

/** Parses `yyyy-MM-ddThh:mm:ssZ` to an instant; 400/3000 otherwise. */
export function parseApiInstant(name: string, raw: string): number {
  const ms = STRICT_INSTANT.test(raw) ? Date.parse(raw) : NaN;
  if (!Number.isFinite(ms)) {
    throw new ApiError(400, 3000, `Failed to convert '${name}' with value: '${raw}'. Expected format: yyyy-MM-ddThh:mm:ssZ`);
  }
  return ms;
}

/** Re-reads an instant's UTC wall clock in `zone` (Clockify's main-API window semantics). */
export function wallClockIn(ms: number, zone: string): number {
  const utc = DateTime.fromMillis(ms, { zone: 'UTC' });
  return DateTime.fromObject(
    { year: utc.year, month: utc.month, day: utc.day, hour: utc.hour, minute: utc.minute, second: utc.second, millisecond: utc.millisecond },
    { zone },
  ).toMillis();
}

export function createEntryRoutes(sim: SimulatorCore): Hono<SimEnv> {
  const app = new Hono<SimEnv>();
  const store = sim.store;
  const durations = durationIndex(sim);

  app.get('/workspaces/:workspaceId/user/:userId/time-entries', (c) => {
    const { ws, role } = workspaceFor(sim, c);
    const principal = c.get('principal');
    const userId = c.req.param('userId');
    if (!store.member(ws.id, userId)) throw notInWorkspace('User');
    if (role === 'MEMBER' && userId !== principal.userId) throw accessDenied();
    const paging = readPaging(c);
    const zone = store.user(principal.userId)!.timeZone;
    const startRaw = c.req.query('start');
    const endRaw = c.req.query('end');
    const from = startRaw ? wallClockIn(parseApiInstant('start', startRaw), zone) : undefined;
    const to = endRaw ? wallClockIn(parseApiInstant('end', endRaw), zone) + 1 : undefined;
    const description = c.req.query('description');
    const project = c.req.query('project');
    const task = c.req.query('task');
    const tags = listParam(c, 'tags');
    const projectRequired = boolParam(c, 'project-required') ?? false;
    const taskRequired = boolParam(c, 'task-required') ?? false;
    const inProgress = boolParam(c, 'in-progress');
    const hydrated = boolParam(c, 'hydrated') ?? false;
    const weekBeforeRaw = c.req.query('get-week-before');
    let range = { from, to };
    if (weekBeforeRaw) {
      const before = wallClockIn(parseApiInstant('get-week-before', weekBeforeRaw), zone);
      range = { from: before - 7 * DAY, to: before };
    }
    const showRates = role !== 'MEMBER' || !ws.settings.onlyAdminsSeeBillableRates;
    const filtered = !!(description || project || task || tags.length || projectRequired || taskRequired || weekBeforeRaw || inProgress === true);
    let page: { items: number[]; last: boolean };
    if (filtered) {
      const matching = function* (): Generator<number> {
        for (const n of store.entries.userRangeDesc(ws.id, userId, range.from, range.to)) {
          const e = store.entryAt(n);
          if (description && !e.description.toLowerCase().includes(description.toLowerCase())) continue;
          if (project && e.projectId !== project) continue;
          if (task && e.taskId !== task) continue;
          if (tags.length && !tags.some((t) => e.tagIds.includes(t))) continue;
          if ((projectRequired || weekBeforeRaw) && !e.projectId && (weekBeforeRaw ? !e.taskId : true)) continue;
          if (taskRequired && !e.taskId) continue;
          if (inProgress === true && e.end !== null) continue;
          yield n;
        }
      };
      page = iterPage(matching(), paging);
    } else {
      const p = store.entries.userPageDesc(ws.id, userId, range.from ?? -Infinity, range.to ?? Infinity, (paging.page - 1) * paging.size, paging.size);
      page = { items: p.rows, last: p.last };
    }
    if (hydrated) return json(c, page.items.map((n) => renderTimeEntry(store, store.entryAt(n), { hydrated, showRates })), page.last);
    return jsonText(c, store.entryJson.writer(showRates).arrayBytes(page.items), page.last);
  });

  app.get('/workspaces/:workspaceId/time-entries/status/in-progress', (c) => {
    const { ws, role } = workspaceFor(sim, c);
    const paging = readPaging(c, { defaultSize: 10, maxSize: 1000 });
    const me = c.get('principal').userId;
    const table = store.entries;
    const running: number[] = [];
    for (const n of table.running) {
      if (table.workspaceOf(n) !== ws.id) continue;
      if (role === 'MEMBER' && table.userOf(n) !== me) continue;
      running.push(n);
    }
    const ids = new Map(running.map((n) => [n, table.idOf(n)]));
    running.sort((a, b) => table.startOf(b) - table.startOf(a) || (ids.get(a)! < ids.get(b)! ? 1 : -1));
    const page = slicePage(running, paging);
    const showRates = role !== 'MEMBER' || !ws.settings.onlyAdminsSeeBillableRates;
    return jsonText(c, store.entryJson.writer(showRates).arrayBytes(page.items), page.last);
  });

  for (const kind of ['created', 'updated', 'deleted'] as const) {
    app.get(`/workspaces/:workspaceId/entities/${kind}`, (c) => {
      const { ws, role } = workspaceFor(sim, c);
      if (role === 'MEMBER') throw accessDenied();
      const types = listParam(c, 'type').map((t) => t.toUpperCase());
      if (!types.length) throw new ApiError(400, 3000, "Required request parameter 'type' for method parameter type List is not present");
      for (const t of types) if (!FEED_TYPES.includes(t as ChangeEntityType)) throw badRequest(`Invalid document type: ${t}`, 3000);
      const paging = readPaging(c, { defaultSize: 50, maxSize: 5000, sizeParam: 'limit' });
      const startRaw = c.req.query('start');
      const endRaw = c.req.query('end');
      let start = startRaw ? parseApiInstant('start', startRaw) : undefined;
      let end = endRaw ? parseApiInstant('end', endRaw) : undefined;
      if (start === undefined && end === undefined) end = sim.now();
      if (start === undefined) start = end! - 30 * DAY;
      if (end === undefined) end = start + 30 * DAY;
      const items = changeFeed(sim, ws.id, kind, new Set(types as ChangeEntityType[]), start, end);
      const page = slicePage(items, paging);
      return json(c, page.items.map((it) => renderChange(sim, kind, it, durations)));
    });
  }

  return app;
}

interface FeedItem {
  record: ChangeRecord;
  createdAt: number | null;
  updatedAt: number;
}

/**
 * What the feed answers for a window [start, end] (REFERENCE.md §8):
 * - created: entities with a CREATED record in the window that still exist;
 * - updated: entities with an UPDATED record in the window, not created in it, that still exist
 *   (one item per entity, at its last update in the window);
 * - deleted: DELETED records in the window whose entity was not created in it; a deletion shows
 *   only `deletionFeedDelayMs` after it happened.
 * Ordered by the time of the change, then the change sequence.
 */
export function changeFeed(sim: SimulatorCore, workspaceId: string, kind: 'created' | 'updated' | 'deleted', types: Set<ChangeEntityType>, start: number, end: number): FeedItem[] {
  const inWindow = (r: ChangeRecord) => r.workspaceId === workspaceId && types.has(r.entityType) && r.at >= start && r.at <= end;
  const key = (r: ChangeRecord) => `${r.entityType}:${r.entityId}`;
  const created = new Map<string, ChangeRecord>();
  const lastUpdate = new Map<string, ChangeRecord>();
  const deleted = new Map<string, ChangeRecord>();
  const firstCreate = new Map<string, number>();
  for (const r of sim.store.changes()) {
    if (r.workspaceId !== workspaceId || !types.has(r.entityType)) continue;
    if (r.action === 'CREATED' && !firstCreate.has(key(r))) firstCreate.set(key(r), r.at);
    if (!inWindow(r)) continue;
    if (r.action === 'CREATED') created.set(key(r), r);
    else if (r.action === 'UPDATED') lastUpdate.set(key(r), r);
    else deleted.set(key(r), r);
  }
  const exists = (r: ChangeRecord) => entityExists(sim, r.entityType, r.entityId);
  let out: FeedItem[];
  if (kind === 'created') {
    out = [...created.values()].filter(exists).map((r) => ({ record: r, createdAt: r.at, updatedAt: lastUpdate.get(key(r))?.at ?? r.at }));
  } else if (kind === 'updated') {
    out = [...lastUpdate.values()].filter((r) => !created.has(key(r)) && !deleted.has(key(r)) && exists(r))
      .map((r) => ({ record: r, createdAt: firstCreate.get(key(r)) ?? null, updatedAt: r.at }));
  } else {
    out = [...deleted.values()].filter((r) => !created.has(key(r)) && r.at + sim.deletionFeedDelayMs <= sim.now())
      .map((r) => ({ record: r, createdAt: firstCreate.get(key(r)) ?? null, updatedAt: r.at }));
  }
  return out.sort((a, b) => a.record.at - b.record.at || a.record.seq - b.record.seq);
}

function entityExists(sim: SimulatorCore, type: ChangeEntityType, id: string): boolean {
  const s = sim.store;
  switch (type) {
    case 'CLIENTS': return !!s.client(id);
    case 'PROJECTS': return !!s.project(id);
    case 'TAGS': return !!s.tag(id);
    case 'TASKS': return !!s.task(id);
    case 'TIME_ENTRY': case 'TIME_ENTRY_RATE': case 'TIME_ENTRY_CUSTOM_FIELD_VALUE': return !!s.timeEntry(id);
    default: return false;
  }
}

/** Feed items: the entity's DTO plus `documentType`/`documentCode` and `auditMetadata`; deletions as LogBinDocumentDto. */
function renderChange(sim: SimulatorCore, kind: 'created' | 'updated' | 'deleted', item: FeedItem, durations: (ws: string) => Map<string, number>): Record<string, unknown> {
  const r = item.record;
  const meta = { documentType: r.entityType, documentCode: r.entityType };
  if (kind === 'deleted') {
    return { id: r.entityId, deletedAt: new Date(r.at).toISOString(), ...meta, deletionBinId: sim.store.ids.idOf('deletion-bin', r.seq), document: r.document ?? { _id: r.entityId } };
  }
  const auditMetadata = { createdAt: item.createdAt === null ? null : isoUtc(item.createdAt), updatedAt: isoUtc(item.updatedAt) };
  const s = sim.store;
  let body: Record<string, unknown>;
  switch (r.entityType) {
    case 'CLIENTS': body = renderClient(s.client(r.entityId)!, s.workspace(r.workspaceId)!); break;
    case 'PROJECTS': {
      const map = durations(r.workspaceId);
      body = renderProject(s, s.project(r.entityId)!, { durationMs: map.get(r.entityId) ?? 0, hydrated: false, taskDuration: () => 0 });
      break;
    }
    case 'TAGS': body = renderTag(s.tag(r.entityId)!); break;
    case 'TASKS': body = renderTask(s.task(r.entityId)!, durations(r.workspaceId).get(r.entityId) ?? 0); break;
    case 'TIME_ENTRY_RATE': {
      const e = s.timeEntry(r.entityId)!;
      body = { id: e.id, timeEntryId: e.id, hourlyRate: e.hourlyRate, costRate: e.costRate };
      break;
    }
    case 'TIME_ENTRY_CUSTOM_FIELD_VALUE': {
      const e = s.timeEntry(r.entityId)!;
      body = { id: e.id, timeEntryId: e.id, customFieldValues: e.customFieldValues.map((v) => ({ customFieldId: v.customFieldId, value: v.value, sourceType: v.source })) };
      break;
    }
    default: body = renderTimeEntry(s, s.timeEntry(r.entityId)!, { hydrated: false, showRates: true });
  }
  return { ...body, ...meta, auditMetadata };
}
