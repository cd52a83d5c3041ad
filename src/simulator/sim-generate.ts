/**
 * Seeded dataset generator. Deterministic from (seed, sizes, now). Holds the awkward cases real
 * workspaces have: archived projects/clients/tags, inactive/pending/limited users, users in
 * several time zones (incl. +5:45 and +12/+13), running timers, entries without project, task
 * or tags, entries crossing midnight in the user's zone, multi-byte/emoji/quote/comma/newline
 * descriptions, custom fields of every type with values, tasks with several assignees, project
 * memberships with rates, a workspace lock date, holidays, a FREE-plan workspace.
 */
import { DateTime } from 'luxon';
import type {
  AccountStatus, CustomField, CustomFieldValue, Project, Rate, Role, Task, User, WeekDay, Workspace,
} from './model.ts';
import { MemoryStore } from './sim-store.ts';
import { chance, createIdMaker, hash32, mulberry32, pick, randInt, sample } from './sim-random.ts';
import type { Random } from './sim-random.ts';

export interface DatasetSizes {
  /** Number of workspaces (≥ 1). */
  workspaces: number;
  /** Users in total, including the 3 key users (owner, admin, member); ≥ 3. */
  users: number;
  /** Projects per workspace. */
  projects: number;
  /** Time entries in total, split evenly over the workspaces. */
  entries: number;
}

export interface GenerateOptions extends DatasetSizes {
  seed: number;
  /** Simulated now, epoch ms. Entries fall in the 13 months before it. */
  now: number;
}

export const KEY_USER_COUNT = 3;
const DAY = 86_400_000;
const ZONES = [
  'Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'UTC', 'America/Los_Angeles', 'Asia/Kolkata',
  'Asia/Kathmandu', 'Pacific/Auckland', 'Australia/Adelaide', 'America/Sao_Paulo', 'Europe/London', 'Pacific/Honolulu',
];
const FIRST = ['Ana', 'Björn', 'Chloé', 'Dmitri', 'Émile', 'Fatima', 'Günther', 'Hiro', 'Ingrid', 'José', 'Kai', 'Łukasz', 'Mia', 'Nguyễn', 'Olu', 'Priya', 'Quinn', 'Rūta', 'Søren', 'Tomás', 'Uma', 'Vera', 'Wei', 'Xénia', 'Yusuf', 'Zoë'];
const LAST = ['Anderson', 'Brown', 'Čapek', 'Dubois', "O'Neil", 'Fischer', 'García', 'Hansen', 'Ivanova', 'Jensen', 'Kowalski', 'Müller', 'Novak', 'Okafor', 'Petrović', 'Rossi', 'Sato', 'Tanaka', 'Weiß', '李'];
const COLORS = ['#03A9F4', '#E91E63', '#4CAF50', '#FF9800', '#9C27B0', '#607D8B', '#795548', '#009688'];
const WORDS = ['API', 'Backend', 'Frontend', 'Design', 'Research', 'Support', 'Migration', 'Billing', 'Mobile', 'Data', 'Ops', 'Docs', 'QA', 'Security', 'Onboarding'];
const DESCRIPTIONS = [
  'Sprint planning', 'Code review', 'Fix "quoted" bug in parser', 'Meeting: budget, scope, timeline', 'Line one\nline two',
  'Überprüfung der Straßenkarte', '日本語のドキュメント翻訳', '🚀 Deploy to production 🎉', "Client call (O'Brien)", 'Tab\tseparated\tnotes',
  'Emoji family 👨‍👩‍👧‍👦 and flags 🇩🇪🇯🇵', 'Ελληνικά και русский текст', '', 'Refactor, test, and ship', 'Backslash \\ and slash /',
  'Research: "what, why, how"', 'Δ performance ≥ 20 %', 'CRLF line\r\nending', 'Very long description '.repeat(12).trim(),
];

function rate(rand: Random, currency: string, min: number, max: number, pNull: number): Rate | null {
  return chance(rand, pNull) ? null : { amount: randInt(rand, min / 100, max / 100) * 100, currency };
}

/** Builds the whole dataset. 1,000,000 entries take a few seconds. */
export function generateDataset(opts: GenerateOptions): MemoryStore {
  const sizes = {
    workspaces: Math.max(1, Math.floor(opts.workspaces)),
    users: Math.max(KEY_USER_COUNT, Math.floor(opts.users)),
    projects: Math.max(0, Math.floor(opts.projects)),
    entries: Math.max(0, Math.floor(opts.entries)),
  };
  const ids = createIdMaker(opts.seed);
  const store = new MemoryStore(ids, sizes.entries + 1024);
  const rand = mulberry32(hash32(`dataset:${opts.seed}`));
  const now = Math.floor(opts.now / 1000) * 1000;

  // Workspaces
  const currencies = ['USD', 'EUR', 'GBP', 'JPY'];
  for (let w = 0; w < sizes.workspaces; w++) {
    const currencyCode = currencies[w % currencies.length];
    const lockZone = 'Europe/Belgrade';
    const lockDate = w === 0 ? DateTime.fromMillis(now - 180 * DAY, { zone: lockZone }).startOf('day').toMillis() : null;
    const ws: Workspace = {
      id: ids.next('workspace'),
      name: w === 0 ? 'Acme Ünïcode & Co' : `Workspace ${w + 1}`,
      currencyCode,
      currencyId: ids.next('currency'),
      plan: w === 1 ? 'FREE' : 'PRO_YEAR',
      features: w === 1 ? ['TIME_TRACKING'] : ['TIME_TRACKING', 'APPROVAL', 'CUSTOM_FIELDS', 'TIME_OFF', 'EXPENSES'],
      weekStart: w % 2 === 0 ? 'MONDAY' : 'SUNDAY',
      lockDate,
      lockTimeZone: lockDate === null ? null : lockZone,
      hourlyRate: { amount: 5000, currency: currencyCode },
      costRate: w === 0 ? { amount: 2500, currency: currencyCode } : null,
      settings: {
        onlyAdminsSeeBillableRates: true,
        onlyAdminsSeeAllTimeEntries: w === 0,
        timeRoundingInReports: false,
        trackTimeDownToSecond: true,
        forceProjects: false,
      },
    };
    store.workspaceList.push(ws);
  }
  const wsIds = store.workspaceList.map((w) => w.id);

  // Users: 0 = owner, 1 = admin, 2 = member; the rest mixed.
  const keyZones = ['Europe/Berlin', 'America/New_York', 'Asia/Tokyo'];
  const keyNames = ['Olivia Owner', 'Adam Admin', 'Mika Member'];
  for (let u = 0; u < sizes.users; u++) {
    const isKey = u < KEY_USER_COUNT;
    const name = isKey ? keyNames[u] : `${pick(rand, FIRST)} ${pick(rand, LAST)}`;
    let status: AccountStatus = 'ACTIVE';
    if (!isKey) {
      const r = rand();
      status = r < 0.06 ? 'LIMITED' : r < 0.09 ? 'NOT_REGISTERED' : r < 0.11 ? 'PENDING_EMAIL_VERIFICATION' : 'ACTIVE';
      // Always at least one of each awkward account state.
      if (u === 3) status = 'LIMITED';
      if (u === 5) status = 'NOT_REGISTERED';
    }
    const user: User = {
      id: ids.next('user'),
      name,
      email: `${name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '.').replace(/^\.|\.$/g, '') || 'user'}.${u}@example.com`,
      status,
      timeZone: isKey ? keyZones[u] : pick(rand, ZONES),
      weekStart: pick(rand, ['MONDAY', 'SUNDAY', 'MONDAY', 'SATURDAY'] as WeekDay[]),
      profilePicture: `https://img.example.com/u/${u}.png`,
      defaultWorkspaceId: wsIds[0],
      customFieldValues: [],
    };
    store.userMap.set(user.id, user);
  }
  const userList = [...store.userMap.values()];

  // Memberships
  for (const ws of store.workspaceList) {
    const wi = wsIds.indexOf(ws.id);
    userList.forEach((user, u) => {
      if (u >= KEY_USER_COUNT && wi > 0 && !chance(rand, 0.6)) return;
      const role: Role = u === 0 ? 'OWNER' : u === 1 ? 'ADMIN' : u === 2 ? 'MEMBER' : chance(rand, 0.1) ? 'ADMIN' : 'MEMBER';
      let status: 'ACTIVE' | 'INACTIVE' | 'PENDING' = 'ACTIVE';
      if (u >= KEY_USER_COUNT) {
        const r = rand();
        status = user.status === 'NOT_REGISTERED' || user.status === 'PENDING_EMAIL_VERIFICATION' ? 'PENDING' : r < 0.1 || u === 4 ? 'INACTIVE' : 'ACTIVE';
      }
      store.memberList.push({
        workspaceId: ws.id, userId: user.id, role, status,
        hourlyRate: rate(rand, ws.currencyCode, 3000, 15000, 0.4),
        costRate: rate(rand, ws.currencyCode, 1500, 6000, 0.6),
      });
    });
  }

  for (const ws of store.workspaceList) generateWorkspaceEntities(store, ws, sizes, rand, now);

  // User custom-field values (USER entity fields).
  for (const user of userList) {
    const field = [...store.fieldMap.values()].find((f) => f.entityType === 'USER' && f.workspaceId === user.defaultWorkspaceId);
    if (field && chance(rand, 0.7)) user.customFieldValues.push({ customFieldId: field.id, value: `TIN-${randInt(rand, 10000, 99999)}` });
  }

  generateEntries(store, sizes, rand, now);
  return store;
}

function generateWorkspaceEntities(store: MemoryStore, ws: Workspace, sizes: DatasetSizes, rand: Random, now: number): void {
  const ids = store.ids;
  const cur = ws.currencyCode;
  const members = store.members(ws.id);
  const memberIds = members.map((m) => m.userId);

  // Clients (about one per 3 projects; ~20% archived)
  const clientCount = sizes.projects === 0 ? 0 : Math.max(1, Math.ceil(sizes.projects / 3));
  for (let c = 0; c < clientCount; c++) {
    const id = ids.next('client');
    store.clientMap.set(id, {
      id, workspaceId: ws.id, name: c === 1 ? 'Müller & Söhne, "GmbH"' : `Client ${c + 1} ${pick(rand, WORDS)}`,
      archived: c === 2 || (c > 0 && chance(rand, 0.2)), address: chance(rand, 0.5) ? `${randInt(rand, 1, 200)} Main St, Springfield` : '',
      email: chance(rand, 0.5) ? `billing${c}@client.example` : '', note: '',
    });
  }
  const clientIds = [...store.clientMap.values()].filter((c) => c.workspaceId === ws.id).map((c) => c.id);

  // Tags (~20% archived)
  const tagCount = Math.max(0, Math.min(40, Math.ceil(sizes.projects / 2) + 3));
  for (let t = 0; t < tagCount; t++) {
    const id = ids.next('tag');
    store.tagMap.set(id, { id, workspaceId: ws.id, name: t === 0 ? 'ünïcödé 🏷️' : `${pick(rand, WORDS).toLowerCase()}-${t + 1}`, archived: t === 2 || (t > 1 && chance(rand, 0.2)) });
  }

  // User groups
  const groupCount = Math.min(5, Math.max(1, Math.floor(memberIds.length / 5)));
  for (let g = 0; g < groupCount; g++) {
    const id = ids.next('user-group');
    store.groupMap.set(id, {
      id, workspaceId: ws.id, name: `${pick(rand, WORDS)} team ${g + 1}`,
      userIds: sample(rand, memberIds, randInt(rand, 1, Math.min(8, memberIds.length))),
      teamManagerIds: sample(rand, memberIds.slice(0, 2), 1),
    });
  }
  const groupIds = [...store.groupMap.values()].filter((g) => g.workspaceId === ws.id).map((g) => g.id);

  // Projects (~15% archived; some without client; memberships with rates)
  for (let p = 0; p < sizes.projects; p++) {
    const id = ids.next('project');
    const archived = p === 3 || (p > 2 && chance(rand, 0.15));
    const projectMembers = sample(rand, memberIds, randInt(rand, 1, Math.min(10, memberIds.length)));
    for (const keyUser of memberIds.slice(0, 3)) if (!projectMembers.includes(keyUser)) projectMembers.push(keyUser);
    const project: Project = {
      id, workspaceId: ws.id, name: p === 0 ? 'Intern, "Überstunden" & 🚀' : `${pick(rand, WORDS)} ${p + 1}`,
      clientId: clientIds.length && !chance(rand, 0.15) ? pick(rand, clientIds) : null,
      color: pick(rand, COLORS), note: chance(rand, 0.2) ? 'Note with, comma and "quotes"' : '',
      billable: chance(rand, 0.7), public: chance(rand, 0.5), template: false, archived,
      hourlyRate: rate(rand, cur, 6000, 20000, 0.3), costRate: rate(rand, cur, 2000, 8000, 0.6),
      estimate: chance(rand, 0.3) ? { estimate: `PT${randInt(rand, 10, 500)}H`, type: 'MANUAL' } : { estimate: 'PT0S', type: 'AUTO' },
      budgetEstimate: chance(rand, 0.2) ? { estimate: randInt(rand, 1000, 50000) * 100, type: 'MANUAL', resetOption: pick(rand, ['MONTHLY', null] as const), active: true } : null,
      memberships: projectMembers.map((userId) => ({
        userId, status: 'ACTIVE' as const,
        hourlyRate: rate(rand, cur, 8000, 25000, 0.7), costRate: rate(rand, cur, 2000, 9000, 0.85),
      })),
    };
    store.projectMap.set(id, project);
    // Tasks: 0-5 per project, some DONE, several assignees
    const taskCount = p === 0 ? 3 : randInt(rand, 0, 5);
    for (let t = 0; t < taskCount; t++) {
      const tid = ids.next('task');
      const task: Task = {
        id: tid, workspaceId: ws.id, projectId: id, name: t === 0 ? 'Bugfixing' : `${pick(rand, WORDS)} task ${t + 1}`,
        status: chance(rand, 0.2) ? 'DONE' : 'ACTIVE',
        assigneeIds: sample(rand, projectMembers, t === 0 ? 2 : randInt(rand, 0, 3)),
        userGroupIds: chance(rand, 0.2) && groupIds.length ? [pick(rand, groupIds)] : [],
        billable: project.billable, estimate: chance(rand, 0.4) ? `PT${randInt(rand, 1, 40)}H` : null,
        budgetEstimate: chance(rand, 0.2) ? randInt(rand, 10, 500) * 100 : null,
        hourlyRate: chance(rand, 0.15) ? rate(rand, cur, 9000, 30000, 0) : null, costRate: null,
      };
      store.taskMap.set(tid, task);
    }
  }

  // Custom fields: every type on time entries, one on users
  const projectIds = store.projects(ws.id).map((p) => p.id);
  const fieldDefs: [string, CustomField['type'], string[]][] = [
    ['Ticket', 'TXT', []], ['Story points', 'NUMBER', []], ['Phase', 'DROPDOWN_SINGLE', ['Discovery', 'Build', 'Run']],
    ['Regions', 'DROPDOWN_MULTIPLE', ['EMEA', 'APAC', 'AMER']], ['Overtime', 'CHECKBOX', []], ['Link', 'LINK', []],
  ];
  for (const [name, type, allowed] of fieldDefs) {
    const id = ids.next('custom-field');
    store.fieldMap.set(id, {
      id, workspaceId: ws.id, name, type, entityType: 'TIMEENTRY', status: name === 'Link' ? 'INVISIBLE' : 'VISIBLE',
      required: false, onlyAdminCanEdit: type === 'NUMBER', placeholder: '', description: `${name} field`,
      allowedValues: allowed, workspaceDefaultValue: type === 'CHECKBOX' ? false : null,
      projectDefaultValues: type === 'DROPDOWN_SINGLE' && projectIds.length ? [{ projectId: projectIds[0], status: 'VISIBLE', value: 'Build' }] : [],
    });
  }
  const uid = ids.next('custom-field');
  store.fieldMap.set(uid, {
    id: uid, workspaceId: ws.id, name: 'TIN', type: 'TXT', entityType: 'USER', status: 'VISIBLE', required: false,
    onlyAdminCanEdit: true, placeholder: 'Tax id', description: '', allowedValues: [], workspaceDefaultValue: null, projectDefaultValues: [],
  });

  // Holidays
  const year = new Date(now).getUTCFullYear();
  const holidays: [string, string, string, boolean][] = [
    ['New Year', `${year}-01-01`, `${year}-01-01`, true], ['Company retreat 🌴', `${year - 1}-07-14`, `${year - 1}-07-18`, false],
    ['Christmas', `${year - 1}-12-24`, `${year - 1}-12-26`, true],
  ];
  for (const [name, startDate, endDate, occursAnnually] of holidays) {
    store.holidayList.push({
      id: ids.next('holiday'), workspaceId: ws.id, name, startDate, endDate, occursAnnually,
      everyoneIncludingNew: occursAnnually, userIds: occursAnnually ? [] : sample(rand, memberIds, 3), userGroupIds: groupIds.slice(0, 1),
    });
  }
}

/** Picks custom-field value sets from a small pool (so they intern well). */
function valuePool(store: MemoryStore, wsId: string, rand: Random): CustomFieldValue[][] {
  const fields = store.customFields(wsId).filter((f) => f.entityType === 'TIMEENTRY');
  const pool: CustomFieldValue[][] = [];
  for (let i = 0; i < 60 && fields.length; i++) {
    const set: CustomFieldValue[] = [];
    for (const f of fields) {
      if (!chance(rand, 0.5)) continue;
      const value =
        f.type === 'TXT' ? `CF-${randInt(rand, 1, 999)}` : f.type === 'NUMBER' ? randInt(rand, 1, 13) : f.type === 'CHECKBOX' ? chance(rand, 0.5)
          : f.type === 'DROPDOWN_SINGLE' ? pick(rand, f.allowedValues) : f.type === 'DROPDOWN_MULTIPLE' ? sample(rand, f.allowedValues, randInt(rand, 1, 2))
            : `https://tickets.example/${randInt(rand, 1, 999)}?a=1&b=2`;
      set.push({ customFieldId: f.id, value, source: 'TIMEENTRY' });
    }
    pool.push(set);
  }
  return pool;
}

/** Resolves the rates of an entry (task > project membership > project > workspace member > workspace). */
export function resolveRates(store: MemoryStore, wsId: string, userId: string, projectId: string | null, taskId: string | null): { hourly: number | null; cost: number | null } {
  const ws = store.workspace(wsId);
  const member = store.member(wsId, userId);
  const project = projectId ? store.project(projectId) : undefined;
  const pm = project?.memberships.find((m) => m.userId === userId);
  const task = taskId ? store.task(taskId) : undefined;
  const hourly = task?.hourlyRate ?? pm?.hourlyRate ?? project?.hourlyRate ?? member?.hourlyRate ?? ws?.hourlyRate ?? null;
  const cost = task?.costRate ?? pm?.costRate ?? project?.costRate ?? member?.costRate ?? ws?.costRate ?? null;
  return { hourly: hourly?.amount ?? null, cost: cost?.amount ?? null };
}

function generateEntries(store: MemoryStore, sizes: DatasetSizes, rand: Random, now: number): void {
  const windowStart = DateTime.fromMillis(now, { zone: 'UTC' }).minus({ months: 13 }).toMillis();
  const span = now - 3_600_000 - windowStart;
  const wsCount = store.workspaceList.length;
  store.workspaceList.forEach((ws, wi) => {
    const count = Math.floor(sizes.entries / wsCount) + (wi === 0 ? sizes.entries % wsCount : 0);
    const members = store.members(ws.id).filter((m) => m.status !== 'PENDING');
    if (members.length === 0) return;
    const projects = store.projects(ws.id);
    const tasksByProject = new Map<string, Task[]>();
    for (const t of store.tasks(ws.id)) tasksByProject.set(t.projectId, [...(tasksByProject.get(t.projectId) ?? []), t]);
    const tags = store.tags(ws.id).map((t) => t.id);
    const tagPool: string[][] = [];
    for (let i = 0; i < 40 && tags.length; i++) tagPool.push(sample(rand, tags, randInt(rand, 1, 3)));
    const cfvPool = valuePool(store, ws.id, rand);
    const offsets = new Map(members.map((m) => [m.userId, DateTime.fromMillis(now, { zone: store.user(m.userId)!.timeZone }).offset * 60_000]));
    const rateMemo = new Map<string, { hourly: number | null; cost: number | null }>();
    const running = new Set<string>();
    for (let i = 0; i < count; i++) {
      const member = members[Math.floor(rand() * members.length)];
      const userId = member.userId;
      const project = projects.length && !chance(rand, 0.1) ? projects[Math.floor(rand() * projects.length)] : null;
      const taskList = project ? tasksByProject.get(project.id) : undefined;
      const task = taskList && taskList.length && chance(rand, 0.6) ? taskList[Math.floor(rand() * taskList.length)] : null;
      // Start: a local working hour (7–22, some late evening entries crossing local midnight).
      const day = windowStart + Math.floor(rand() * (span / DAY)) * DAY;
      const localHour = chance(rand, 0.05) ? 22 + rand() * 1.5 : 7 + rand() * 11;
      let start = Math.floor((day + localHour * 3_600_000 - offsets.get(userId)!) / 1000) * 1000;
      if (start > now - 3_600_000) start -= DAY;
      if (start < windowStart) start += DAY;
      const minutes = chance(rand, 0.03) ? randInt(rand, 8 * 60, 11 * 60) : randInt(rand, 5, 240);
      let end: number | null = start + minutes * 60_000 + randInt(rand, 0, 59) * 1000;
      if (end > now) end = now;
      // A few users have a running timer started in the last hours.
      if (i % 997 === 13 && !running.has(userId) && member.status === 'ACTIVE') {
        running.add(userId);
        start = now - randInt(rand, 60, 7 * 3600) * 1000;
        end = null;
      }
      const key = `${userId}|${project?.id ?? ''}|${task?.id ?? ''}`;
      let rates = rateMemo.get(key);
      if (!rates) rateMemo.set(key, (rates = resolveRates(store, ws.id, userId, project?.id ?? null, task?.id ?? null)));
      store.entries.insert({
        workspaceId: ws.id, userId, projectId: project?.id ?? null, taskId: task?.id ?? null,
        tagIds: tagPool.length && !chance(rand, 0.35) ? tagPool[Math.floor(rand() * tagPool.length)] : [],
        billable: project ? project.billable && !chance(rand, 0.1) : false,
        description: DESCRIPTIONS[Math.floor(rand() * DESCRIPTIONS.length)],
        start, end, type: chance(rand, 0.02) ? 'BREAK' : 'REGULAR',
        customFieldValues: cfvPool.length && chance(rand, 0.4) ? cfvPool[Math.floor(rand() * cfvPool.length)] : [],
        hourlyRate: rates.hourly, costRate: rates.cost,
      }, false);
    }
  });
  store.entries.rebuildIndexes();
}
