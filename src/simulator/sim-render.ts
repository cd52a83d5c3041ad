/**
 * JSON shapes of the main API (REFERENCE.md §5 live examples; official spec DTO names in
 * comments). Timestamps are UTC `yyyy-MM-ddThh:mm:ssZ`; durations ISO-8601; rates in cents.
 */
import type {
  Client, CustomField, Holiday, Project, Role, SimStore, Tag, Task, TimeEntry, User, UserGroup, Workspace, WorkspaceMember,
} from './model.ts';

const DAY_MS = 86_400_000;
/** 10000-01-01T00:00:00Z: from there on (and before 1970) `toISOString` is used as is. */
const FAST_ISO_LIMIT = 253_402_300_800_000;
const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => (i < 10 ? '0' : '') + i);
/** `YYYY-MM-DDT` per UTC day number (a few hundred days in practice; cleared if it ever grows large). */
const dayPrefixes = new Map<number, string>();

/** `2026-05-20T06:00:00Z` (seconds precision, UTC). The day part is cached, the time of day is arithmetic. */
export function isoUtc(ms: number): string {
  if (!(ms >= 0 && ms < FAST_ISO_LIMIT)) return new Date(ms).toISOString().slice(0, 19) + 'Z';
  const day = Math.floor(ms / DAY_MS);
  let prefix = dayPrefixes.get(day);
  if (prefix === undefined) {
    if (dayPrefixes.size >= 100_000) dayPrefixes.clear();
    prefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
    dayPrefixes.set(day, prefix);
  }
  const s = Math.floor((ms - day * DAY_MS) / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s - h * 3600) / 60);
  return prefix + TWO_DIGITS[h] + ':' + TWO_DIGITS[m] + ':' + TWO_DIGITS[s - h * 3600 - m * 60] + 'Z';
}

/** isoDuration results by whole seconds, for durations below this many seconds. */
const DURATION_CACHE_LIMIT = 200_000;
let durationCache: (string | undefined)[] | null = null;

/** Java `Duration.toString()` style: PT8H, PT1H30M, PT45S, PT0S (hours never roll into days). */
export function isoDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < DURATION_CACHE_LIMIT) {
    const cache = (durationCache ??= new Array<string | undefined>(DURATION_CACHE_LIMIT));
    return (cache[s] ??= formatDuration(s));
  }
  return formatDuration(s);
}

function formatDuration(total: number): string {
  let s = total;
  if (s === 0) return 'PT0S';
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return `PT${h ? `${h}H` : ''}${m ? `${m}M` : ''}${s ? `${s}S` : ''}`;
}

/** WorkspaceDtoV1 */
export function renderWorkspace(ws: Workspace, members: WorkspaceMember[]): Record<string, unknown> {
  return {
    id: ws.id, name: ws.name, hourlyRate: ws.hourlyRate, costRate: ws.costRate,
    memberships: members.map((m) => renderMembership(m.userId, ws.id, 'WORKSPACE', m.status, m.hourlyRate, m.costRate)),
    workspaceSettings: {
      timeRoundingInReports: ws.settings.timeRoundingInReports, onlyAdminsSeeBillableRates: ws.settings.onlyAdminsSeeBillableRates,
      onlyAdminsCreateProject: true, onlyAdminsSeeDashboard: false, defaultBillableProjects: true,
      ...(ws.lockDate === null ? {} : { lockTimeEntries: isoUtc(ws.lockDate), lockTimeZone: ws.lockTimeZone }),
      round: { round: 'Round to nearest', minutes: '15' }, projectFavorites: true, canSeeTimeSheet: true, canSeeTracker: true,
      projectPickerSpecialFilter: false, forceProjects: ws.settings.forceProjects, forceTasks: false, forceTags: false, forceDescription: false,
      onlyAdminsSeeAllTimeEntries: ws.settings.onlyAdminsSeeAllTimeEntries, onlyAdminsSeePublicProjectsEntries: false,
      trackTimeDownToSecond: ws.settings.trackTimeDownToSecond, projectGroupingLabel: 'client', adminOnlyPages: [], automaticLock: null,
      onlyAdminsCreateTag: false, onlyAdminsCreateTask: false, timeTrackingMode: 'DEFAULT', isProjectPublicByDefault: true,
      durationFormat: 'FULL', numberFormat: 'COMMA_PERIOD', currencyFormat: 'CURRENCY_SPACE_VALUE',
      workingDays: ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY'], multiFactorEnabled: false, activeBillableHours: false,
    },
    imageUrl: '', featureSubscriptionType: ws.plan, features: ws.features,
    currencies: [{ id: ws.currencyId, code: ws.currencyCode, isDefault: true }],
    subdomain: { enabled: false, name: null },
    cakeOrganizationId: ws.id.split('').reverse().join(''),
  };
}

/** MembershipDtoV1 */
export function renderMembership(userId: string, targetId: string, membershipType: 'WORKSPACE' | 'PROJECT' | 'USERGROUP', membershipStatus: string, hourlyRate: unknown, costRate: unknown) {
  return { userId, targetId, membershipType, membershipStatus, hourlyRate: hourlyRate ?? null, costRate: costRate ?? null };
}

export type MembershipFilter = 'ALL' | 'NONE' | 'WORKSPACE' | 'PROJECT' | 'USERGROUP';

/** The memberships of a user within one workspace, by kind. */
export function userMemberships(store: SimStore, user: User, workspaceId: string | null, which: MembershipFilter): unknown[] {
  if (which === 'NONE') return [];
  const out: unknown[] = [];
  const wsIds = workspaceId ? [workspaceId] : store.workspaces().map((w) => w.id);
  for (const wsId of wsIds) {
    if (which === 'ALL' || which === 'WORKSPACE') {
      const m = store.member(wsId, user.id);
      if (m) out.push(renderMembership(user.id, wsId, 'WORKSPACE', m.status, m.hourlyRate, m.costRate));
    }
    if (which === 'ALL' || which === 'PROJECT') {
      for (const p of store.projects(wsId)) {
        const pm = p.memberships.find((x) => x.userId === user.id);
        if (pm) out.push(renderMembership(user.id, p.id, 'PROJECT', pm.status, pm.hourlyRate, pm.costRate));
      }
    }
    if (which === 'ALL' || which === 'USERGROUP') {
      for (const g of store.userGroups(wsId)) if (g.userIds.includes(user.id)) out.push(renderMembership(user.id, g.id, 'USERGROUP', 'ACTIVE', null, null));
    }
  }
  return out;
}

const ROLE_NAME: Record<Role, string> = { OWNER: 'OWNER', ADMIN: 'WORKSPACE_ADMIN', MEMBER: 'MEMBER' };

/** UserDtoV1. `settings` is always present (REFERENCE: may be null; here filled). */
export function renderUser(store: SimStore, user: User, opts: { workspaceId: string | null; memberships: MembershipFilter; includeRoles?: boolean }): Record<string, unknown> {
  const fields = store.customFields(user.defaultWorkspaceId);
  const out: Record<string, unknown> = {
    id: user.id, email: user.email, name: user.name, status: user.status,
    activeWorkspace: user.defaultWorkspaceId, defaultWorkspace: user.defaultWorkspaceId, profilePicture: user.profilePicture,
    customFields: user.customFieldValues.map((v) => {
      const f = fields.find((x) => x.id === v.customFieldId);
      return { customFieldId: v.customFieldId, customFieldName: f?.name ?? '', customFieldType: f?.type ?? 'TXT', userId: user.id, value: v.value };
    }),
    memberships: userMemberships(store, user, opts.workspaceId, opts.memberships),
    settings: {
      weekStart: user.weekStart, timeZone: user.timeZone, timeFormat: 'HOUR24', dateFormat: 'YYYY-MM-DD', lang: 'en', myStartOfDay: '09:00',
      theme: 'DEFAULT', isCompactViewOn: false, longRunning: true, timeTrackingManual: false,
      summaryReportSettings: { group: 'PROJECT', subgroup: 'CLIENT' }, alerts: true, reminders: false, approval: false, pto: true,
      scheduling: false, scheduledReports: true, sendNewsletter: false, weeklyUpdates: false, onboarding: false, projectListCollapse: 15,
      collapseAllProjectLists: false, groupSimilarEntriesDisabled: false, showOnlyWorkingDays: false, dashboardSelection: 'ME',
      dashboardViewType: 'PROJECT', dashboardPinToTop: false, projectPickerTaskFilter: false, multiFactorEnabled: false,
    },
  };
  if (opts.includeRoles && opts.workspaceId) {
    const m = store.member(opts.workspaceId, user.id);
    out.roles = m && m.role !== 'MEMBER' ? [{ userId: user.id, workspaceId: opts.workspaceId, role: { id: opts.workspaceId, name: ROLE_NAME[m.role], source: null } }] : [];
  }
  return out;
}

/** UserGroupDtoV1 */
export function renderUserGroup(store: SimStore, g: UserGroup, includeTeamManagers: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { id: g.id, name: g.name, workspaceId: g.workspaceId, userIds: g.userIds };
  if (includeTeamManagers) out.teamManagers = g.teamManagerIds.map((id) => ({ id, name: store.user(id)?.name ?? '' }));
  return out;
}

/** ClientWithCurrencyDtoV1 */
export function renderClient(c: Client, ws: Workspace): Record<string, unknown> {
  return {
    id: c.id, name: c.name, workspaceId: c.workspaceId, archived: c.archived, address: c.address, email: c.email,
    ccEmails: [], note: c.note, currencyId: ws.currencyId, currencyCode: ws.currencyCode,
  };
}

/** TagDtoV1 */
export function renderTag(t: Tag): Record<string, unknown> {
  return { id: t.id, name: t.name, workspaceId: t.workspaceId, archived: t.archived };
}

/** TaskDtoV1; `duration` = tracked time of completed entries. */
export function renderTask(t: Task, durationMs: number): Record<string, unknown> {
  return {
    id: t.id, name: t.name, projectId: t.projectId, status: t.status, assigneeIds: t.assigneeIds,
    assigneeId: t.assigneeIds[0] ?? null, userGroupIds: t.userGroupIds, billable: t.billable, estimate: t.estimate ?? 'PT0S',
    duration: isoDuration(durationMs), budgetEstimate: t.budgetEstimate ?? 0, hourlyRate: t.hourlyRate, costRate: t.costRate,
  };
}

/** CustomFieldDtoV1 */
export function renderCustomField(f: CustomField): Record<string, unknown> {
  return {
    id: f.id, workspaceId: f.workspaceId, name: f.name, type: f.type, entityType: f.entityType, status: f.status,
    required: f.required, onlyAdminCanEdit: f.onlyAdminCanEdit, placeholder: f.placeholder, description: f.description,
    allowedValues: f.allowedValues, projectDefaultValues: f.projectDefaultValues,
    ...(f.workspaceDefaultValue === null ? {} : { workspaceDefaultValue: f.workspaceDefaultValue }),
  };
}

/** ProjectDtoV1 (+ `tasks` and `customFields` when hydrated, as clockify-cli's DTO). */
export function renderProject(
  store: SimStore, p: Project, opts: { durationMs: number; hydrated: boolean; taskDuration: (id: string) => number },
): Record<string, unknown> {
  const client = p.clientId ? store.client(p.clientId) : undefined;
  const out: Record<string, unknown> = {
    id: p.id, name: p.name, workspaceId: p.workspaceId, clientId: p.clientId ?? '', clientName: client?.name ?? '',
    color: p.color, note: p.note, billable: p.billable, public: p.public, template: p.template, archived: p.archived,
    duration: isoDuration(opts.durationMs), hourlyRate: p.hourlyRate, costRate: p.costRate,
    estimate: p.estimate, estimateReset: null,
    timeEstimate: { active: p.estimate.type === 'MANUAL', estimate: p.estimate.estimate, includeNonBillable: true, resetOption: null, type: p.estimate.type },
    budgetEstimate: p.budgetEstimate ? renderBudget(p.budgetEstimate) : null,
    memberships: p.memberships.map((m) => renderMembership(m.userId, p.id, 'PROJECT', m.status, m.hourlyRate, m.costRate)),
  };
  if (opts.hydrated) {
    out.tasks = store.tasks(p.workspaceId, p.id).map((t) => renderTask(t, opts.taskDuration(t.id)));
    out.customFields = store.customFields(p.workspaceId)
      .filter((f) => f.entityType === 'TIMEENTRY')
      .map((f) => {
        const d = f.projectDefaultValues.find((v) => v.projectId === p.id);
        return { customFieldId: f.id, name: f.name, type: f.type, status: d?.status ?? f.status, value: d ? d.value : f.workspaceDefaultValue };
      });
  }
  return out;
}

/** EstimateWithOptionsDto; an unset reset option is left out (the spec has no null there). */
function renderBudget(b: NonNullable<Project['budgetEstimate']>): Record<string, unknown> {
  const { resetOption, ...rest } = b;
  return { ...rest, ...(resetOption ? { resetOption } : {}), includeExpenses: false };
}

/** HolidayDtoV1 */
export function renderHoliday(h: Holiday): Record<string, unknown> {
  return {
    id: h.id, name: h.name, workspaceId: h.workspaceId, datePeriod: { startDate: h.startDate, endDate: h.endDate },
    occursAnnually: h.occursAnnually, everyoneIncludingNew: h.everyoneIncludingNew, userIds: h.userIds, userGroupIds: h.userGroupIds,
    automaticTimeEntryCreation: false,
  };
}

/** TimeEntryWithRatesDtoV1 (+ project/task/tags/user objects when hydrated). `tagIds` is null without tags (live). */
export function renderTimeEntry(store: SimStore, e: TimeEntry, opts: { hydrated: boolean; showRates: boolean }): Record<string, unknown> {
  const fields = e.customFieldValues.length ? store.customFields(e.workspaceId) : [];
  const out: Record<string, unknown> = {
    id: e.id, description: e.description, userId: e.userId, workspaceId: e.workspaceId, projectId: e.projectId, taskId: e.taskId,
    tagIds: e.tagIds.length ? e.tagIds : null, billable: e.billable, isLocked: e.isLocked, type: e.type, kioskId: null,
    timeInterval: { start: isoUtc(e.start), end: e.end === null ? null : isoUtc(e.end), duration: e.end === null ? null : isoDuration(e.end - e.start) },
    hourlyRate: opts.showRates ? e.hourlyRate : null,
    costRate: opts.showRates ? e.costRate : null,
    customFieldValues: e.customFieldValues.map((v) => ({
      customFieldId: v.customFieldId, timeEntryId: e.id, name: fields.find((f) => f.id === v.customFieldId)?.name ?? '', type: v.source, value: v.value,
    })),
  };
  if (opts.hydrated) {
    const project = e.projectId ? store.project(e.projectId) : undefined;
    const task = e.taskId ? store.task(e.taskId) : undefined;
    const user = store.user(e.userId);
    const client = project?.clientId ? store.client(project.clientId) : undefined;
    out.project = project
      ? { id: project.id, name: project.name, clientId: project.clientId ?? '', clientName: client?.name ?? '', color: project.color, billable: project.billable, archived: project.archived, workspaceId: project.workspaceId, public: project.public }
      : null;
    out.task = task ? { id: task.id, name: task.name, projectId: task.projectId, status: task.status, assigneeIds: task.assigneeIds, billable: task.billable } : null;
    out.tags = e.tagIds.map((id) => store.tag(id)).filter((t): t is Tag => !!t).map(renderTag);
    out.user = user ? { id: user.id, name: user.name, email: user.email, status: user.status } : null;
  }
  return out;
}
