/**
 * The Simulator: the generated dataset plus a simulated clock, the keys it accepts and the
 * mutations used by the control API and in-process tests. Every mutation is recorded in the
 * change log that feeds `/entities/created|updated|deleted`.
 */
import { Duration } from 'luxon';
import type {
  ChangeEntityType, ChangeRecord, Client, EntityKind, Principal, Project, Rate, Role, Simulator, SimulatorKeys, Tag, Task,
  TimeEntry, TimeEntryInput, TimeEntryPatch, User,
} from './model.ts';
import { generateDataset, resolveRates } from './sim-generate.ts';
import type { DatasetSizes } from './sim-generate.ts';
import type { MemoryStore } from './sim-store.ts';
import type { EntryRow } from './sim-entry-table.ts';
import { ApiError, badRequest, notInWorkspace } from './sim-errors.ts';

export interface SimulatorCoreOptions extends Partial<DatasetSizes> {
  /** Dataset seed (default 1). */
  seed?: number;
  /** Simulated now at start: ISO string or epoch ms (default: the real clock). */
  now?: string | number;
  /** The owner's X-Api-Key (default "sim-admin-key"). */
  apiKey?: string;
  /** The control API token (X-Simulator-Token; default "sim-control-token"). */
  adminToken?: string;
  /** Delay before a deletion shows in /entities/deleted (Clockify: about 1 minute; default 0). */
  deletionFeedDelayMs?: number;
}

/** Fixed extra keys (documented in the README). */
export const FIXED_KEYS = { admin: 'sim-workspace-admin-key', member: 'sim-member-key', addon: 'sim-addon-token' } as const;
export const DEFAULT_SIZES: DatasetSizes = { workspaces: 2, users: 20, projects: 20, entries: 5000 };

export interface SimulatorCore extends Simulator {
  readonly store: MemoryStore;
  readonly seed: number;
  readonly sizes: DatasetSizes;
  readonly deletionFeedDelayMs: number;
}

export function parseInstant(value: string | number, what = 'date'): number {
  const ms = typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) throw badRequest(`Invalid ${what}: ${String(value)}`, 3000);
  return ms;
}

const ENTITY_TYPE: Record<EntityKind, ChangeEntityType> = {
  projects: 'PROJECTS', clients: 'CLIENTS', tags: 'TAGS', tasks: 'TASKS', users: 'USERS',
};

export function createSimulatorCore(options: SimulatorCoreOptions = {}): SimulatorCore {
  const seed = options.seed ?? 1;
  const sizes: DatasetSizes = {
    workspaces: options.workspaces ?? DEFAULT_SIZES.workspaces,
    users: options.users ?? DEFAULT_SIZES.users,
    projects: options.projects ?? DEFAULT_SIZES.projects,
    entries: options.entries ?? DEFAULT_SIZES.entries,
  };
  let clock = Math.floor(parseInstant(options.now ?? Date.now()) / 1000) * 1000;
  const store = generateDataset({ seed, ...sizes, now: clock });
  const users = store.users();
  const ws0 = store.workspaceList[0].id;
  const keys: SimulatorKeys = {
    owner: options.apiKey ?? 'sim-admin-key', admin: FIXED_KEYS.admin, member: FIXED_KEYS.member, addon: FIXED_KEYS.addon,
    control: options.adminToken ?? 'sim-control-token',
  };
  const apiKeys = new Map<string, string>([[keys.owner, users[0].id], [keys.admin, users[1].id], [keys.member, users[2].id]]);
  let seq = 0;

  const record = (workspaceId: string, entityType: ChangeEntityType, entityId: string, action: ChangeRecord['action'], document?: Record<string, unknown>) => {
    store.changeLog.push({ seq: ++seq, workspaceId, entityType, entityId, action, at: clock, document });
  };
  const requireWs = (id: string) => {
    const ws = store.workspace(id);
    if (!ws) throw notInWorkspace('Workspace');
    return ws;
  };

  function entryRow(base: EntryRow, patch: TimeEntryPatch): EntryRow {
    const row: EntryRow = { ...base };
    if (patch.userId !== undefined) row.userId = patch.userId;
    if (patch.projectId !== undefined) row.projectId = patch.projectId;
    if (patch.taskId !== undefined) row.taskId = patch.taskId;
    if (patch.tagIds !== undefined) row.tagIds = [...patch.tagIds];
    if (patch.billable !== undefined) row.billable = patch.billable;
    if (patch.description !== undefined) row.description = patch.description;
    if (patch.start !== undefined) row.start = Math.floor(parseInstant(patch.start, 'start') / 1000) * 1000;
    if (patch.end !== undefined) row.end = patch.end === null ? null : Math.floor(parseInstant(patch.end, 'end') / 1000) * 1000;
    if (patch.type !== undefined) row.type = patch.type;
    if (patch.customFieldValues !== undefined) {
      row.customFieldValues = patch.customFieldValues.map((v) => {
        if (store.customField(v.customFieldId)?.workspaceId !== row.workspaceId) throw notInWorkspace('Custom field');
        return { customFieldId: v.customFieldId, value: v.value, source: 'TIMEENTRY' as const };
      });
    }
    // Validation, as Clockify does on create/update
    if (!store.member(row.workspaceId, row.userId)) throw notInWorkspace('User');
    if (row.projectId !== null && store.project(row.projectId)?.workspaceId !== row.workspaceId) throw notInWorkspace('Project');
    if (row.taskId !== null) {
      const task = store.task(row.taskId);
      if (!task || task.workspaceId !== row.workspaceId || task.projectId !== row.projectId) throw notInWorkspace('Task');
    }
    for (const t of row.tagIds) if (store.tag(t)?.workspaceId !== row.workspaceId) throw notInWorkspace('Tag');
    if (row.end !== null && row.end < row.start) throw badRequest('End time must be after start time');
    if (row.end !== null && row.end - row.start > 999 * 3_600_000) throw badRequest('Time entry cannot have duration more than 999 hours');
    const rates = resolveRates(store, row.workspaceId, row.userId, row.projectId, row.taskId);
    row.hourlyRate = rates.hourly;
    row.costRate = rates.cost;
    return row;
  }

  const sim: SimulatorCore = {
    store,
    seed,
    sizes,
    keys,
    deletionFeedDelayMs: options.deletionFeedDelayMs ?? 0,
    now: () => clock,
    setClock(change) {
      if (change.now !== undefined) clock = parseInstant(change.now, 'now');
      else if (change.advance !== undefined) {
        const d = Duration.fromISO(change.advance);
        if (!d.isValid) throw badRequest(`Invalid ISO duration: ${change.advance}`, 3000);
        clock += d.toMillis();
      }
      clock = Math.floor(clock / 1000) * 1000;
      return clock;
    },
    resolveKey(kind, value): Principal | undefined {
      if (kind === 'addon-token') return value === keys.addon ? { kind, key: value, userId: users[0].id, workspaceId: ws0 } : undefined;
      const userId = apiKeys.get(value);
      return userId ? { kind, key: value, userId } : undefined;
    },
    roleOf(principal, workspaceId): Role | undefined {
      if (principal.workspaceId !== undefined && principal.workspaceId !== workspaceId) return undefined;
      const m = store.member(workspaceId, principal.userId);
      return m && m.status === 'ACTIVE' ? m.role : undefined;
    },

    addTimeEntry(input: TimeEntryInput): TimeEntry {
      requireWs(input.workspaceId);
      const base: EntryRow = {
        workspaceId: input.workspaceId, userId: input.userId, projectId: null, taskId: null, tagIds: [], billable: false,
        description: '', start: clock, end: clock, type: 'REGULAR', customFieldValues: [], hourlyRate: null, costRate: null,
      };
      const row = entryRow(base, { start: clock, end: input.end === undefined ? clock : input.end, ...stripUndefined(input) });
      const n = store.entries.insert(row);
      record(row.workspaceId, 'TIME_ENTRY', store.entries.idOf(n), 'CREATED');
      if (row.customFieldValues.length) record(row.workspaceId, 'TIME_ENTRY_CUSTOM_FIELD_VALUE', store.entries.idOf(n), 'CREATED');
      return store.entryAt(n);
    },
    updateTimeEntry(id, patch) {
      const n = store.entries.rowOf(id);
      if (n < 0) throw notInWorkspace('TimeEntry');
      const before = store.entries.read(n);
      const row = entryRow(before, stripUndefined(patch));
      store.entries.update(n, row);
      record(row.workspaceId, 'TIME_ENTRY', id, 'UPDATED');
      if (patch.customFieldValues !== undefined) record(row.workspaceId, 'TIME_ENTRY_CUSTOM_FIELD_VALUE', id, 'UPDATED');
      if (before.hourlyRate !== row.hourlyRate || before.costRate !== row.costRate) record(row.workspaceId, 'TIME_ENTRY_RATE', id, 'UPDATED');
      return store.entryAt(n);
    },
    deleteTimeEntry(id) {
      const n = store.entries.rowOf(id);
      if (n < 0) throw notInWorkspace('TimeEntry');
      const r = store.entries.read(n);
      store.entries.remove(n);
      record(r.workspaceId, 'TIME_ENTRY', id, 'DELETED', {
        _id: id, description: r.description, userId: r.userId, workspaceId: r.workspaceId, projectId: r.projectId,
        timeInterval: { start: new Date(r.start).toISOString(), end: r.end === null ? null : new Date(r.end).toISOString() },
      });
    },
    startTimer(input) {
      return sim.addTimeEntry({ ...input, start: clock, end: null });
    },
    stopTimer(workspaceId, userId) {
      requireWs(workspaceId);
      const stopped: TimeEntry[] = [];
      for (const n of [...store.entries.running]) {
        if (store.entries.workspaceOf(n) !== workspaceId || store.entries.userOf(n) !== userId) continue;
        const end = Math.max(clock, store.entries.startOf(n));
        stopped.push(sim.updateTimeEntry(store.entries.idOf(n), { end }));
      }
      return stopped;
    },

    addEntity(kind, workspaceId, data) {
      const ws = requireWs(workspaceId);
      const entity = createEntity(store, kind, ws.id, ws.currencyCode, data);
      record(ws.id, ENTITY_TYPE[kind], (entity as { id: string }).id, 'CREATED');
      return entity;
    },
    updateEntity(kind, id, patch, workspaceId) {
      const entity = updateEntity(store, kind, id, patch, workspaceId);
      record(entity.workspaceId, ENTITY_TYPE[kind], id, 'UPDATED');
      return entity.value;
    },
    deleteEntity(kind, id, workspaceId) {
      for (const d of deleteEntity(store, kind, id, workspaceId)) record(d.workspaceId, d.type, d.id, 'DELETED', d.document);
    },
  };
  return sim;
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

const str = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : fallback);
const bool = (v: unknown, fallback = false): boolean => (typeof v === 'boolean' ? v : fallback);
const rateOf = (v: unknown, currency: string): Rate | null =>
  typeof v === 'number' ? { amount: Math.round(v), currency } : v && typeof v === 'object' && typeof (v as Rate).amount === 'number' ? { amount: (v as Rate).amount, currency } : null;

function uniqueName(list: { name: string; id: string }[], name: string, what: string, exceptId?: string): void {
  if (!name.trim()) throw badRequest(`${what} name is required`);
  if (list.some((e) => e.name === name && e.id !== exceptId)) throw badRequest(`${what} with this name already exists`);
}

function createEntity(store: MemoryStore, kind: EntityKind, workspaceId: string, currency: string, d: Record<string, unknown>): unknown {
  const ids = store.ids;
  switch (kind) {
    case 'clients': {
      uniqueName(store.clients(workspaceId), str(d.name), 'Client');
      const c: Client = { id: ids.next('client'), workspaceId, name: str(d.name), archived: bool(d.archived), address: str(d.address), email: str(d.email), note: str(d.note) };
      store.clientMap.set(c.id, c);
      return c;
    }
    case 'tags': {
      uniqueName(store.tags(workspaceId), str(d.name), 'Tag');
      const t: Tag = { id: ids.next('tag'), workspaceId, name: str(d.name), archived: bool(d.archived) };
      store.tagMap.set(t.id, t);
      return t;
    }
    case 'projects': {
      uniqueName(store.projects(workspaceId), str(d.name), 'Project');
      const clientId = typeof d.clientId === 'string' ? d.clientId : null;
      if (clientId && store.client(clientId)?.workspaceId !== workspaceId) throw notInWorkspace('Client');
      const p: Project = {
        id: ids.next('project'), workspaceId, name: str(d.name), clientId, color: str(d.color, '#03A9F4'), note: str(d.note),
        billable: bool(d.billable, true), public: bool(d.public, true), template: false, archived: bool(d.archived),
        hourlyRate: rateOf(d.hourlyRate, currency), costRate: rateOf(d.costRate, currency),
        estimate: { estimate: 'PT0S', type: 'AUTO' }, budgetEstimate: null,
        memberships: Array.isArray(d.memberships) ? (d.memberships as { userId: string }[]).map((m) => ({ userId: m.userId, status: 'ACTIVE' as const, hourlyRate: null, costRate: null })) : [],
      };
      store.projectMap.set(p.id, p);
      return p;
    }
    case 'tasks': {
      const projectId = str(d.projectId);
      if (store.project(projectId)?.workspaceId !== workspaceId) throw notInWorkspace('Project');
      const t: Task = {
        id: ids.next('task'), workspaceId, projectId, name: str(d.name), status: d.status === 'DONE' ? 'DONE' : 'ACTIVE',
        assigneeIds: Array.isArray(d.assigneeIds) ? (d.assigneeIds as string[]) : [], userGroupIds: [], billable: bool(d.billable, true),
        estimate: typeof d.estimate === 'string' ? d.estimate : null, budgetEstimate: null, hourlyRate: rateOf(d.hourlyRate, currency), costRate: null,
      };
      if (!t.name.trim()) throw badRequest('Task name is required');
      store.taskMap.set(t.id, t);
      return t;
    }
    case 'users': {
      const u: User = {
        id: ids.next('user'), name: str(d.name, 'New User'), email: str(d.email, `new.user.${store.userMap.size}@example.com`),
        status: (str(d.accountStatus) || 'ACTIVE') as User['status'], timeZone: str(d.timeZone, 'UTC'), weekStart: 'MONDAY',
        profilePicture: '', defaultWorkspaceId: workspaceId, customFieldValues: [],
      };
      store.userMap.set(u.id, u);
      store.memberList.push({ workspaceId, userId: u.id, role: (str(d.role) || 'MEMBER') as Role, status: (str(d.status) || 'ACTIVE') as 'ACTIVE', hourlyRate: rateOf(d.hourlyRate, currency), costRate: null });
      return u;
    }
  }
}

function assignKnown(target: object, patch: Record<string, unknown>, allowed: string[]): void {
  for (const k of allowed) if (patch[k] !== undefined) (target as Record<string, unknown>)[k] = patch[k];
}

function updateEntity(store: MemoryStore, kind: EntityKind, id: string, patch: Record<string, unknown>, workspaceId?: string): { workspaceId: string; value: unknown } {
  const check = <T extends { workspaceId: string }>(e: T | undefined, what: string): T => {
    if (!e || (workspaceId && e.workspaceId !== workspaceId)) throw notInWorkspace(what);
    return e;
  };
  switch (kind) {
    case 'clients': {
      const c = check(store.client(id), 'Client');
      if (typeof patch.name === 'string') uniqueName(store.clients(c.workspaceId), patch.name, 'Client', id);
      assignKnown(c, patch, ['name', 'archived', 'address', 'email', 'note']);
      return { workspaceId: c.workspaceId, value: c };
    }
    case 'tags': {
      const t = check(store.tag(id), 'Tag');
      if (typeof patch.name === 'string') uniqueName(store.tags(t.workspaceId), patch.name, 'Tag', id);
      assignKnown(t, patch, ['name', 'archived']);
      return { workspaceId: t.workspaceId, value: t };
    }
    case 'projects': {
      const p = check(store.project(id), 'Project');
      if (typeof patch.name === 'string') uniqueName(store.projects(p.workspaceId), patch.name, 'Project', id);
      if (typeof patch.clientId === 'string' && store.client(patch.clientId)?.workspaceId !== p.workspaceId) throw notInWorkspace('Client');
      const currency = store.workspace(p.workspaceId)!.currencyCode;
      assignKnown(p, patch, ['name', 'clientId', 'color', 'note', 'billable', 'public', 'archived']);
      if (patch.hourlyRate !== undefined) p.hourlyRate = rateOf(patch.hourlyRate, currency);
      if (patch.costRate !== undefined) p.costRate = rateOf(patch.costRate, currency);
      return { workspaceId: p.workspaceId, value: p };
    }
    case 'tasks': {
      const t = check(store.task(id), 'Task');
      assignKnown(t, patch, ['name', 'status', 'assigneeIds', 'billable', 'estimate']);
      return { workspaceId: t.workspaceId, value: t };
    }
    case 'users': {
      const u = store.user(id);
      const wsId = workspaceId ?? u?.defaultWorkspaceId;
      const m = wsId ? store.member(wsId, id) : undefined;
      if (!u || !m) throw notInWorkspace('User');
      assignKnown(u, patch, ['name', 'email', 'timeZone']);
      if (patch.accountStatus !== undefined) u.status = patch.accountStatus as User['status'];
      if (patch.status !== undefined) m.status = patch.status as typeof m.status;
      if (patch.role !== undefined) m.role = patch.role as Role;
      return { workspaceId: m.workspaceId, value: u };
    }
  }
}

interface Deletion {
  workspaceId: string;
  type: ChangeEntityType;
  id: string;
  document: Record<string, unknown>;
}

function deleteEntity(store: MemoryStore, kind: EntityKind, id: string, workspaceId?: string): Deletion[] {
  const out: Deletion[] = [];
  const doc = (e: { id: string; workspaceId: string; name: string }) => ({ _id: e.id, name: e.name, workspaceId: e.workspaceId });
  const mine = (e: { workspaceId: string } | undefined) => e && (!workspaceId || e.workspaceId === workspaceId);
  switch (kind) {
    case 'clients': {
      const c = store.client(id);
      if (!mine(c)) throw notInWorkspace('Client');
      store.clientMap.delete(id);
      for (const p of store.projectMap.values()) if (p.clientId === id) p.clientId = null;
      out.push({ workspaceId: c!.workspaceId, type: 'CLIENTS', id, document: doc(c!) });
      break;
    }
    case 'tags': {
      const t = store.tag(id);
      if (!mine(t)) throw notInWorkspace('Tag');
      store.tagMap.delete(id);
      out.push({ workspaceId: t!.workspaceId, type: 'TAGS', id, document: doc(t!) });
      break;
    }
    case 'projects': {
      const p = store.project(id);
      if (!mine(p)) throw notInWorkspace('Project');
      for (const t of store.tasks(p!.workspaceId, id)) out.push(...deleteEntity(store, 'tasks', t.id));
      store.projectMap.delete(id);
      out.push({ workspaceId: p!.workspaceId, type: 'PROJECTS', id, document: { ...doc(p!), clientId: p!.clientId } });
      break;
    }
    case 'tasks': {
      const t = store.task(id);
      if (!mine(t)) throw notInWorkspace('Task');
      store.taskMap.delete(id);
      out.push({ workspaceId: t!.workspaceId, type: 'TASKS', id, document: { ...doc(t!), projectId: t!.projectId } });
      break;
    }
    case 'users': {
      const wsId = workspaceId ?? store.user(id)?.defaultWorkspaceId;
      const i = store.memberList.findIndex((m) => m.userId === id && m.workspaceId === wsId);
      if (i < 0) throw notInWorkspace('User');
      store.memberList.splice(i, 1);
      out.push({ workspaceId: wsId!, type: 'USERS', id, document: { _id: id, name: store.user(id)?.name ?? '', workspaceId: wsId } });
      break;
    }
  }
  return out;
}

export { ApiError };
