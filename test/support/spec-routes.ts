/**
 * Calls every route the simulator serves (main API and Reports API), with the parameter variants
 * that change a response's shape (hydrated, memberships, roles, running timers, empty results,
 * a regular member's view…), and returns each answer with the spec operation it belongs to.
 */
import type { Hono } from 'hono';
import type { SimulatorCore } from '../../src/simulator/sim-core.ts';

export interface CalledRoute {
  /** Spec operation, e.g. `GET /v1/workspaces/{workspaceId}/projects`. */
  operation: string;
  /** The simulator URL called. */
  url: string;
  status: number;
  body: unknown;
}

/** Makes changes so that the entity-changes feed has created, updated and deleted items of every kind. */
export function makeChanges(sim: SimulatorCore): void {
  const [ws] = sim.store.workspaces();
  const userId = sim.resolveKey('api-key', sim.keys.owner)!.userId;
  sim.setClock({ advance: 'PT1H' });
  const client = sim.addEntity('clients', ws.id, { name: 'Spec client, "quoted" ✓' }) as { id: string };
  const project = sim.addEntity('projects', ws.id, { name: 'Spec project', clientId: client.id }) as { id: string };
  sim.addEntity('tasks', ws.id, { name: 'Spec task', projectId: project.id });
  sim.addEntity('tags', ws.id, { name: 'spec-tag' });
  const added = sim.addTimeEntry({ workspaceId: ws.id, userId, projectId: project.id, description: 'spec entry 🚀', start: sim.now() - 3_600_000, end: sim.now() });
  sim.setClock({ advance: 'PT1H' });
  const old = [...sim.store.timeEntries(ws.id, { to: sim.now() - 86_400_000 })].slice(0, 3);
  sim.updateTimeEntry(old[0].id, { description: 'edited by the spec test' });
  sim.deleteTimeEntry(old[1].id);
  const oldProject = sim.store.projects(ws.id).find((p) => p.id !== project.id)!;
  sim.updateEntity('projects', oldProject.id, { note: 'edited' });
  const oldTask = sim.store.tasks(ws.id)[0];
  if (oldTask) sim.updateEntity('tasks', oldTask.id, { name: `${oldTask.name} (edited)` });
  const oldClient = sim.store.clients(ws.id).find((c) => c.id !== client.id)!;
  sim.updateEntity('clients', oldClient.id, { note: 'edited' });
  const tags = sim.store.tags(ws.id);
  sim.updateEntity('tags', tags[0].id, { archived: true });
  sim.deleteEntity('tags', tags[tags.length - 2].id);
  const cfield = sim.store.customFields(ws.id).find((f) => f.entityType === 'TIMEENTRY');
  if (cfield) sim.updateTimeEntry(old[2].id, { customFieldValues: [{ customFieldId: cfield.id, value: 'x' }] });
  sim.updateTimeEntry(added.id, { projectId: null });
  sim.setClock({ advance: 'PT2M' });
}

async function call(app: Hono, operation: string, url: string, key: string, body?: unknown): Promise<CalledRoute> {
  const init: RequestInit = body === undefined
    ? { headers: { 'X-Api-Key': key } }
    : { method: 'POST', headers: { 'X-Api-Key': key, 'content-type': 'application/json' }, body: JSON.stringify(body) };
  const res = await app.request(url, init);
  const text = await res.text();
  return { operation, url, status: res.status, body: text ? JSON.parse(text) : null };
}

export async function callEveryRoute(app: Hono, sim: SimulatorCore): Promise<CalledRoute[]> {
  const out: CalledRoute[] = [];
  const keys = [sim.keys.owner, sim.keys.member];
  const get = async (operation: string, url: string, key = sim.keys.owner) => {
    out.push(await call(app, `GET ${operation}`, `/api${url}`, key));
  };
  for (const key of keys) {
    await get('/v1/user', '/v1/user', key);
    await get('/v1/user', '/v1/user?include-memberships=true', key);
    await get('/v1/workspaces', '/v1/workspaces', key);
  }
  const wsPath = '/v1/workspaces/{workspaceId}';
  for (const ws of sim.store.workspaces()) {
    const w = `/v1/workspaces/${ws.id}`;
    for (const key of keys) {
      if (!sim.roleOf(sim.resolveKey('api-key', key)!, ws.id)) continue;
      await get(wsPath, w, key);
      await get(`${wsPath}/users`, `${w}/users?page-size=5000&status=ALL&account-statuses=ACTIVE,PENDING_EMAIL_VERIFICATION,DELETED,NOT_REGISTERED,LIMITED,LIMITED_DELETED&memberships=ALL&include-roles=true`, key);
      await get(`${wsPath}/users`, `${w}/users?page-size=3&sort-column=NAME`, key);
      await get(`${wsPath}/user-groups`, `${w}/user-groups?page-size=5000&includeTeamManagers=true`, key);
      await get(`${wsPath}/user-groups`, `${w}/user-groups`, key);
      await get(`${wsPath}/projects`, `${w}/projects?page-size=5000&hydrated=true`, key);
      await get(`${wsPath}/projects`, `${w}/projects?page-size=5000`, key);
      await get(`${wsPath}/clients`, `${w}/clients?page-size=5000`, key);
      await get(`${wsPath}/tags`, `${w}/tags?page-size=5000`, key);
      for (const p of sim.store.projects(ws.id)) await get(`${wsPath}/projects/{projectId}/tasks`, `${w}/projects/${p.id}/tasks?page-size=5000`, key);
      await get(`${wsPath}/time-entries/status/in-progress`, `${w}/time-entries/status/in-progress?page-size=1000`, key);
      await get(`${wsPath}/custom-fields`, `${w}/custom-fields`, key);
      await get(`${wsPath}/holidays`, `${w}/holidays`, key);
    }
    for (const m of sim.store.members(ws.id)) {
      const url = `${w}/user/${m.userId}/time-entries?page-size=5000`;
      await get(`${wsPath}/user/{userId}/time-entries`, url);
      await get(`${wsPath}/user/{userId}/time-entries`, `${url}&hydrated=true`);
    }
    const member = sim.resolveKey('api-key', sim.keys.member)!.userId;
    if (sim.store.member(ws.id, member)) {
      await get(`${wsPath}/user/{userId}/time-entries`, `${w}/user/${member}/time-entries?page-size=200`, sim.keys.member);
      await get(`${wsPath}/user/{userId}/time-entries`, `${w}/user/${member}/time-entries?in-progress=true`, sim.keys.member);
    }
    const types = 'type=CLIENTS&type=PROJECTS&type=TAGS&type=TASKS&type=TIME_ENTRY&type=TIME_ENTRY_RATE&type=TIME_ENTRY_CUSTOM_FIELD_VALUE';
    for (const kind of ['created', 'updated', 'deleted']) await get(`${wsPath}/entities/${kind}`, `${w}/entities/${kind}?${types}&limit=5000`);

    const now = new Date(sim.now());
    const day = (offset: number) => new Date(now.getTime() + offset * 86_400_000).toISOString().slice(0, 10);
    const month = { dateRangeStart: `${day(-28)}T00:00:00`, dateRangeEnd: `${day(0)}T23:59:59.999` };
    const week = { dateRangeStart: `${day(-6)}T00:00:00`, dateRangeEnd: `${day(0)}T23:59:59.999` };
    const empty = { dateRangeStart: '2001-01-01T00:00:00', dateRangeEnd: '2001-01-07T23:59:59.999' };
    const reports: [string, Record<string, unknown>][] = [
      ['detailed', { ...month, detailedFilter: { pageSize: 1000 } }],
      ['detailed', { ...month, timeZone: 'Asia/Kathmandu', amountShown: 'COST', detailedFilter: { page: 2, pageSize: 7, sortColumn: 'USER', options: { totals: 'EXCLUDE' } } }],
      ['detailed', { ...empty, detailedFilter: {} }],
      ['summary', { ...month, summaryFilter: { groups: ['PROJECT', 'USER', 'DATE'] } }],
      ['summary', { ...month, summaryFilter: { groups: ['CLIENT', 'TAG', 'TASK'] } }],
      ['summary', { ...month, timeZone: 'Pacific/Auckland', summaryFilter: { groups: ['WEEK', 'MONTH', 'TIMEENTRY'] } }],
      ['summary', { ...empty, summaryFilter: { groups: ['PROJECT'] } }],
      ['weekly', { ...week, weeklyFilter: { group: 'USER' } }],
      ['weekly', { ...week, weeklyFilter: { group: 'PROJECT' }, amountShown: 'HIDE_AMOUNT' }],
      ['weekly', { ...empty, weeklyFilter: { group: 'USER' } }],
    ];
    for (const key of keys) {
      if (!sim.roleOf(sim.resolveKey('api-key', key)!, ws.id)) continue;
      for (const [kind, body] of reports) {
        out.push(await call(app, `POST ${wsPath}/reports/${kind}`, `/report${w}/reports/${kind}`, key, body));
      }
    }
  }
  return out;
}
