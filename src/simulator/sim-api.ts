/**
 * Main API routes (`/api/v1/...`) except time entries and the entity-changes feed
 * (sim-api-entries.ts). Auth is applied before these routes (sim-auth.ts).
 *
 * Sort orders (stable, ties broken by id ascending):
 *   workspaces: creation order · users: EMAIL · projects, clients, tags, tasks, user groups: NAME
 *   (code-point order; NAME_LOWERCASE on users folds case) · custom fields: creation order ·
 *   holidays: startDate.
 */
import { Hono } from 'hono';
import type { Context } from 'hono';
import type { Project, Role, SimEnv, User, Workspace } from './model.ts';
import type { SimulatorCore } from './sim-core.ts';
import { ApiError, notInWorkspace } from './sim-errors.ts';
import { boolParam, enumParam, json, listParam, readPaging, slicePage, sortBy } from './sim-http.ts';
import type { MembershipFilter } from './sim-render.ts';
import {
  renderClient, renderCustomField, renderHoliday, renderProject, renderTag, renderTask, renderUser, renderUserGroup, renderWorkspace,
} from './sim-render.ts';

type C = Context<SimEnv>;
const ORDER = ['ASCENDING', 'DESCENDING'] as const;
const MEMBERSHIPS = ['ALL', 'NONE', 'WORKSPACE', 'PROJECT', 'USERGROUP'] as const;

/** The workspace of the path, checked against the caller's access; returns it with the caller's role. */
export function workspaceFor(sim: SimulatorCore, c: C): { ws: Workspace; role: Role } {
  const ws = sim.store.workspace(c.req.param('workspaceId') ?? '');
  const role = ws ? sim.roleOf(c.get('principal'), ws.id) : undefined;
  if (!ws || !role) throw new ApiError(400, 501, "Workspace doesn't belong to User");
  return { ws, role };
}

/** Projects the caller can see: all for owners/admins; public or member-of for regular members. */
export function visibleProjects(sim: SimulatorCore, ws: Workspace, role: Role, userId: string): Project[] {
  const all = sim.store.projects(ws.id);
  return role === 'MEMBER' ? all.filter((p) => p.public || p.memberships.some((m) => m.userId === userId)) : all;
}

/** Tracked time (completed entries) per project and task; cached until the data or clock changes. */
export function durationIndex(sim: SimulatorCore): (workspaceId: string) => Map<string, number> {
  const cache = new Map<string, { version: string; map: Map<string, number> }>();
  return (workspaceId) => {
    const version = `${sim.store.changeLog.length}`;
    const hit = cache.get(workspaceId);
    if (hit && hit.version === version) return hit.map;
    const map = new Map<string, number>();
    for (const e of sim.store.timeEntries(workspaceId)) {
      if (e.end === null) continue;
      const d = e.end - e.start;
      if (e.projectId) map.set(e.projectId, (map.get(e.projectId) ?? 0) + d);
      if (e.taskId) map.set(e.taskId, (map.get(e.taskId) ?? 0) + d);
    }
    cache.set(workspaceId, { version, map });
    return map;
  };
}

const contains = (text: string, needle: string | undefined) => !needle || text.toLowerCase().includes(needle.toLowerCase());
const nameMatch = (c: C, name: string) => {
  const q = c.req.query('name');
  if (!q) return true;
  return boolParam(c, 'strict-name-search') ? name === q : contains(name, q);
};
const archivedMatch = (c: C, archived: boolean) => {
  const a = boolParam(c, 'archived');
  return a === undefined || a === archived;
};

export function createMainApiRoutes(sim: SimulatorCore): Hono<SimEnv> {
  const app = new Hono<SimEnv>();
  const store = sim.store;
  const durations = durationIndex(sim);

  app.get('/user', (c) => {
    const user = store.user(c.get('principal').userId)!;
    const withMemberships = boolParam(c, 'include-memberships') ?? false;
    return json(c, renderUser(store, user, { workspaceId: c.get('principal').workspaceId ?? null, memberships: withMemberships ? 'ALL' : 'NONE' }));
  });

  app.get('/workspaces', (c) => {
    const p = c.get('principal');
    const roles = listParam(c, 'roles');
    const out = store.workspaces().filter((ws) => {
      const role = sim.roleOf(p, ws.id);
      if (!role) return false;
      if (!roles.length) return true;
      return roles.includes(role === 'ADMIN' ? 'WORKSPACE_ADMIN' : role);
    });
    return json(c, out.map((ws) => renderWorkspace(ws, membersShown(sim, ws, p.userId))));
  });

  app.get('/workspaces/:workspaceId', (c) => {
    const { ws } = workspaceFor(sim, c);
    return json(c, renderWorkspace(ws, membersShown(sim, ws, c.get('principal').userId)));
  });

  app.get('/workspaces/:workspaceId/users', (c) => {
    const { ws, role } = workspaceFor(sim, c);
    const paging = readPaging(c);
    const status = enumParam(c, 'status', ['PENDING', 'ACTIVE', 'DECLINED', 'INACTIVE', 'ALL'] as const, 'ALL');
    const accountStatuses = listParam(c, 'account-statuses').map((s) => s.toUpperCase());
    const allowedAccounts = accountStatuses.length ? accountStatuses : ['ACTIVE', 'PENDING_EMAIL_VERIFICATION', 'NOT_REGISTERED'];
    const projectId = c.req.query('project-id');
    const project = projectId ? store.project(projectId) : undefined;
    if (projectId && project?.workspaceId !== ws.id) throw notInWorkspace('Project');
    const members = store.members(ws.id).filter((m) => status === 'ALL' || m.status === status);
    let users = members
      .map((m) => ({ m, u: store.user(m.userId)! }))
      .filter(({ u }) => allowedAccounts.includes(u.status))
      .filter(({ u }) => contains(u.email, c.req.query('email')) && contains(u.name, c.req.query('name')))
      .filter(({ u }) => !project || project.memberships.some((pm) => pm.userId === u.id));
    const column = enumParam(c, 'sort-column', ['ID', 'EMAIL', 'NAME', 'NAME_LOWERCASE', 'ACCESS', 'HOURLYRATE', 'COSTRATE'] as const, 'EMAIL');
    const key = (x: { m: { role: string; hourlyRate: { amount: number } | null; costRate: { amount: number } | null }; u: User }): string | number =>
      column === 'ID' ? x.u.id : column === 'EMAIL' ? x.u.email : column === 'NAME' ? x.u.name : column === 'NAME_LOWERCASE' ? x.u.name.toLowerCase()
        : column === 'ACCESS' ? x.m.role : column === 'HOURLYRATE' ? x.m.hourlyRate?.amount ?? -1 : x.m.costRate?.amount ?? -1;
    users = sortBy(users.map((x) => ({ ...x, id: x.u.id })), key, enumParam(c, 'sort-order', ORDER, 'ASCENDING'));
    const memberships = enumParam(c, 'memberships', MEMBERSHIPS, 'NONE') as MembershipFilter;
    const includeRoles = boolParam(c, 'include-roles') ?? false;
    const page = slicePage(users, paging);
    return json(c, page.items.map(({ u }) => hideRates(renderUser(store, u, { workspaceId: ws.id, memberships, includeRoles }), role)), page.last);
  });

  app.get('/workspaces/:workspaceId/user-groups', (c) => {
    const { ws } = workspaceFor(sim, c);
    const paging = readPaging(c);
    const projectId = c.req.query('project-id');
    const project = projectId ? store.project(projectId) : undefined;
    if (projectId && project?.workspaceId !== ws.id) throw notInWorkspace('Project');
    let groups = store.userGroups(ws.id).filter((g) => contains(g.name, c.req.query('name')))
      .filter((g) => !project || g.userIds.some((u) => project.memberships.some((m) => m.userId === u)));
    const column = enumParam(c, 'sort-column', ['ID', 'NAME'] as const, 'NAME');
    groups = sortBy(groups, (g) => (column === 'ID' ? g.id : g.name), enumParam(c, 'sort-order', ORDER, 'ASCENDING'));
    const includeTeamManagers = boolParam(c, 'includeTeamManagers') ?? false;
    const page = slicePage(groups, paging);
    return json(c, page.items.map((g) => renderUserGroup(store, g, includeTeamManagers)), page.last);
  });

  app.get('/workspaces/:workspaceId/projects', (c) => {
    const { ws, role } = workspaceFor(sim, c);
    const paging = readPaging(c);
    const durationMap = durations(ws.id);
    const billable = boolParam(c, 'billable');
    const clients = listParam(c, 'clients');
    const containsClient = boolParam(c, 'contains-client') ?? true;
    const clientStatus = enumParam(c, 'client-status', ['ACTIVE', 'ARCHIVED', 'ALL'] as const, 'ALL');
    const users = listParam(c, 'users');
    const containsUser = boolParam(c, 'contains-user') ?? true;
    const isTemplate = boolParam(c, 'is-template');
    const access = c.req.query('access')?.toUpperCase();
    let projects = visibleProjects(sim, ws, role, c.get('principal').userId)
      .filter((p) => nameMatch(c, p.name) && archivedMatch(c, p.archived))
      .filter((p) => billable === undefined || p.billable === billable)
      .filter((p) => !clients.length || clients.includes(p.clientId ?? '') === containsClient)
      .filter((p) => {
        if (clientStatus === 'ALL' || !p.clientId) return true;
        const archived = store.client(p.clientId)?.archived ?? false;
        return clientStatus === 'ARCHIVED' ? archived : !archived;
      })
      .filter((p) => !users.length || p.memberships.some((m) => users.includes(m.userId)) === containsUser)
      .filter((p) => isTemplate === undefined || p.template === isTemplate)
      .filter((p) => !access || (access === 'PUBLIC') === p.public);
    const column = enumParam(c, 'sort-column', ['ID', 'NAME', 'CLIENT_NAME', 'DURATION', 'BUDGET', 'PROGRESS'] as const, 'NAME');
    const key = (p: Project): string | number =>
      column === 'ID' ? p.id : column === 'CLIENT_NAME' ? (p.clientId ? store.client(p.clientId)?.name ?? '' : '')
        : column === 'DURATION' ? durationMap.get(p.id) ?? 0 : column === 'BUDGET' || column === 'PROGRESS' ? p.budgetEstimate?.estimate ?? 0 : p.name;
    projects = sortBy(projects, key, enumParam(c, 'sort-order', ORDER, 'ASCENDING'));
    const hydrated = boolParam(c, 'hydrated') ?? false;
    const page = slicePage(projects, paging);
    const taskDuration = (id: string) => durationMap.get(id) ?? 0;
    return json(c, page.items.map((p) => hideRates(renderProject(store, p, { durationMs: durationMap.get(p.id) ?? 0, hydrated, taskDuration }), role)), page.last);
  });

  app.get('/workspaces/:workspaceId/clients', (c) => {
    const { ws } = workspaceFor(sim, c);
    const paging = readPaging(c);
    let clients = store.clients(ws.id).filter((x) => contains(x.name, c.req.query('name')) && archivedMatch(c, x.archived));
    const column = enumParam(c, 'sort-column', ['ID', 'NAME'] as const, 'NAME');
    clients = sortBy(clients, (x) => (column === 'ID' ? x.id : x.name), enumParam(c, 'sort-order', ORDER, 'ASCENDING'));
    const page = slicePage(clients, paging);
    return json(c, page.items.map((x) => renderClient(x, ws)), page.last);
  });

  app.get('/workspaces/:workspaceId/tags', (c) => {
    const { ws } = workspaceFor(sim, c);
    const paging = readPaging(c);
    const excluded = listParam(c, 'excluded-ids');
    let tags = store.tags(ws.id).filter((t) => nameMatch(c, t.name) && archivedMatch(c, t.archived) && !excluded.includes(t.id));
    const column = enumParam(c, 'sort-column', ['ID', 'NAME'] as const, 'NAME');
    tags = sortBy(tags, (t) => (column === 'ID' ? t.id : t.name), enumParam(c, 'sort-order', ORDER, 'ASCENDING'));
    const page = slicePage(tags, paging);
    return json(c, page.items.map(renderTag), page.last);
  });

  app.get('/workspaces/:workspaceId/projects/:projectId/tasks', (c) => {
    const { ws, role } = workspaceFor(sim, c);
    const project = visibleProjects(sim, ws, role, c.get('principal').userId).find((p) => p.id === c.req.param('projectId'));
    if (!project) throw notInWorkspace('Project');
    const paging = readPaging(c);
    const active = boolParam(c, 'is-active');
    let tasks = store.tasks(ws.id, project.id).filter((t) => nameMatch(c, t.name) && (active === undefined || (t.status === 'ACTIVE') === active));
    const column = enumParam(c, 'sort-column', ['ID', 'NAME'] as const, 'NAME');
    tasks = sortBy(tasks, (t) => (column === 'ID' ? t.id : t.name), enumParam(c, 'sort-order', ORDER, 'ASCENDING'));
    const durationMap = durations(ws.id);
    const page = slicePage(tasks, paging);
    return json(c, page.items.map((t) => hideRates(renderTask(t, durationMap.get(t.id) ?? 0), role)), page.last);
  });

  app.get('/workspaces/:workspaceId/custom-fields', (c) => {
    const { ws } = workspaceFor(sim, c);
    const status = c.req.query('status')?.toUpperCase();
    const entityType = c.req.query('entity-type')?.toUpperCase();
    const fields = store.customFields(ws.id)
      .filter((f) => contains(f.name, c.req.query('name')) && (!status || f.status === status) && (!entityType || f.entityType === entityType));
    return json(c, fields.map(renderCustomField));
  });

  app.get('/workspaces/:workspaceId/holidays', (c) => {
    const { ws } = workspaceFor(sim, c);
    const assignedTo = c.req.query('assigned-to');
    if (assignedTo && !store.member(ws.id, assignedTo)) throw notInWorkspace('User');
    const groups = assignedTo ? store.userGroups(ws.id).filter((g) => g.userIds.includes(assignedTo)).map((g) => g.id) : [];
    const holidays = store.holidays(ws.id)
      .filter((h) => !assignedTo || h.everyoneIncludingNew || h.userIds.includes(assignedTo) || h.userGroupIds.some((g) => groups.includes(g)))
      .sort((a, b) => (a.startDate < b.startDate ? -1 : a.startDate > b.startDate ? 1 : a.id < b.id ? -1 : 1));
    return json(c, holidays.map(renderHoliday));
  });

  return app;
}

/** Workspace memberships shown in a workspace: all for owners/admins, only their own for members. */
function membersShown(sim: SimulatorCore, ws: Workspace, userId: string) {
  const role = sim.store.member(ws.id, userId)?.role;
  const all = sim.store.members(ws.id);
  return role === 'MEMBER' ? all.filter((m) => m.userId === userId) : all;
}

/** Regular members do not see rates when the workspace says only admins see billable rates. */
function hideRates(body: Record<string, unknown>, role: Role): Record<string, unknown> {
  if (role !== 'MEMBER') return body;
  if ('hourlyRate' in body) body.hourlyRate = null;
  if ('costRate' in body) body.costRate = null;
  if (Array.isArray(body.memberships)) for (const m of body.memberships as Record<string, unknown>[]) { m.hourlyRate = null; m.costRate = null; }
  return body;
}
