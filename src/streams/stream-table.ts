/**
 * THE stream table: every Clockify stream clockify-sync reads, as data. The extractor, the
 * normalizer, the catalog and the generic tests are driven by it. Adding a stream = one row
 * plus its schema. Paths are relative to the main API base (`…/api/v1`). Schemas follow the
 * official spec DTOs and the live shapes of REFERENCE.md §5.
 */
import { any, arr, bool, date, dur, int, membership, obj, rate, str, ts } from './schema.ts';
import type { StreamDef } from './stream-types.ts';

/** General GET list maximum (REFERENCE §3: 5000 "on all other endpoints"). */
export const MAX_PAGE_SIZE = 5000;
/** `time-entries/status/in-progress` (spec maximum). */
export const MAX_PAGE_SIZE_IN_PROGRESS = 1000;
/** Detailed report body `pageSize`. */
export const MAX_PAGE_SIZE_DETAILED_REPORT = 1000;

/** Every account status, so inactive, deleted and LIMITED users are listed too (REFERENCE §3, §8). */
export const ALL_ACCOUNT_STATUSES = ['ACTIVE', 'PENDING_EMAIL_VERIFICATION', 'DELETED', 'NOT_REGISTERED', 'LIMITED', 'LIMITED_DELETED'];

const paged = { kind: 'query', maxPageSize: MAX_PAGE_SIZE } as const;
const unpaged = { kind: 'none' } as const;

const taskSchema = obj({
  id: str, name: str, projectId: str, status: str, assigneeIds: arr(str), assigneeId: str, userGroupIds: arr(str),
  billable: bool, estimate: dur, duration: dur, budgetEstimate: int, hourlyRate: rate, costRate: rate,
});

export const STREAMS: readonly StreamDef[] = [
  {
    name: 'workspaces',
    description: 'Workspaces the key can see (one row per synced workspace), with memberships and currencies.',
    api: 'main', method: 'GET', path: '/workspaces/{workspaceId}', pagination: { kind: 'single' },
    primaryKey: ['id'], childKey: 'workspace_id',
    children: [
      { field: 'memberships', table: 'workspaces__memberships', key: ['user_id'] },
      { field: 'currencies', table: 'workspaces__currencies', key: ['id'] },
    ],
    schema: obj({
      id: str, name: str, imageUrl: str, cakeOrganizationId: str, featureSubscriptionType: str, features: arr(str),
      hourlyRate: rate, costRate: rate, currencies: arr(obj({ id: str, code: str, isDefault: bool })), memberships: arr(membership),
      subdomain: obj({ enabled: bool, name: str }),
      workspaceSettings: obj({
        timeRoundingInReports: bool, onlyAdminsSeeBillableRates: bool, onlyAdminsCreateProject: bool, onlyAdminsSeeDashboard: bool,
        defaultBillableProjects: bool, lockTimeEntries: ts, lockTimeZone: str, round: obj({ round: str, minutes: str }),
        projectFavorites: bool, canSeeTimeSheet: bool, canSeeTracker: bool, projectPickerSpecialFilter: bool, forceProjects: bool,
        forceTasks: bool, forceTags: bool, forceDescription: bool, onlyAdminsSeeAllTimeEntries: bool, onlyAdminsSeePublicProjectsEntries: bool,
        trackTimeDownToSecond: bool, projectGroupingLabel: str, adminOnlyPages: arr(str), automaticLock: any, onlyAdminsCreateTag: bool,
        onlyAdminsCreateTask: bool, timeTrackingMode: str, isProjectPublicByDefault: bool, durationFormat: str, numberFormat: str,
        currencyFormat: str, workingDays: arr(str), multiFactorEnabled: bool, activeBillableHours: bool,
      }),
    }),
    deletion: 'none', partitioning: 'workspace',
  },
  {
    name: 'users',
    description: 'Workspace users of every membership and account status (inactive and LIMITED included), with memberships and user custom fields.',
    api: 'main', method: 'GET', path: '/workspaces/{workspaceId}/users',
    query: { status: 'ALL', 'account-statuses': ALL_ACCOUNT_STATUSES.join(','), memberships: 'ALL', 'sort-column': 'ID' },
    pagination: paged,
    // A user can belong to several workspaces, with different memberships in each.
    primaryKey: ['workspace_id', 'id'], childKey: 'user_id',
    children: [
      { field: 'memberships', table: 'users__memberships', key: ['target_id', 'membership_type'] },
      { field: 'customFields', table: 'users__custom_fields', key: ['custom_field_id'] },
    ],
    schema: obj({
      id: str, email: str, name: str, status: str, activeWorkspace: str, defaultWorkspace: str, profilePicture: str,
      customFields: arr(obj({ customFieldId: str, customFieldName: str, customFieldType: str, userId: str, value: any })),
      memberships: arr(membership),
      settings: obj({
        weekStart: str, timeZone: str, timeFormat: str, dateFormat: str, lang: str, myStartOfDay: str, theme: str,
        isCompactViewOn: bool, longRunning: bool, timeTrackingManual: bool, summaryReportSettings: obj({ group: str, subgroup: str }),
        alerts: bool, reminders: bool, approval: bool, pto: bool, scheduling: bool, scheduledReports: bool, sendNewsletter: bool,
        weeklyUpdates: bool, onboarding: bool, projectListCollapse: int, collapseAllProjectLists: bool, groupSimilarEntriesDisabled: bool,
        showOnlyWorkingDays: bool, dashboardSelection: str, dashboardViewType: str, dashboardPinToTop: bool, projectPickerTaskFilter: bool,
        multiFactorEnabled: bool,
      }),
    }),
    deletion: 'full-list', partitioning: 'workspace',
  },
  {
    name: 'user_groups',
    description: 'User groups and their members.',
    api: 'main', method: 'GET', path: '/workspaces/{workspaceId}/user-groups', query: { 'sort-column': 'ID' }, pagination: paged,
    primaryKey: ['id'], childKey: 'user_group_id',
    children: [{ field: 'userIds', table: 'user_groups__users', valueColumn: 'user_id' }],
    schema: obj({ id: str, name: str, workspaceId: str, userIds: arr(str) }),
    deletion: 'full-list', partitioning: 'workspace',
  },
  {
    name: 'projects',
    description: 'Projects, archived included, with memberships and project custom-field settings (hydrated: tasks come along for the tasks stream).',
    api: 'main', method: 'GET', path: '/workspaces/{workspaceId}/projects', query: { hydrated: 'true', 'sort-column': 'ID' }, pagination: paged,
    primaryKey: ['id'], childKey: 'project_id',
    children: [
      { field: 'memberships', table: 'projects__memberships', key: ['user_id'] },
      { field: 'customFields', table: 'projects__custom_fields', key: ['custom_field_id'] },
    ],
    excludeFields: ['tasks'],
    schema: obj({
      id: str, name: str, workspaceId: str, clientId: str, clientName: str, color: str, note: str, billable: bool, public: bool,
      template: bool, archived: bool, duration: dur, hourlyRate: rate, costRate: rate,
      estimate: obj({ estimate: dur, type: str }), estimateReset: any,
      timeEstimate: obj({ active: bool, estimate: dur, includeNonBillable: bool, resetOption: str, type: str }),
      budgetEstimate: obj({ estimate: int, type: str, resetOption: str, active: bool, includeExpenses: bool }),
      memberships: arr(membership),
      customFields: arr(obj({ customFieldId: str, name: str, type: str, status: str, value: any })),
    }),
    deletion: 'full-list', partitioning: 'workspace',
  },
  {
    name: 'clients',
    description: 'Clients, archived included.',
    api: 'main', method: 'GET', path: '/workspaces/{workspaceId}/clients', query: { 'sort-column': 'ID' }, pagination: paged,
    primaryKey: ['id'], childKey: 'client_id',
    children: [{ field: 'ccEmails', table: 'clients__cc_emails', valueColumn: 'email' }],
    schema: obj({
      id: str, name: str, workspaceId: str, archived: bool, address: str, email: str, ccEmails: arr(str), note: str, currencyId: str, currencyCode: str,
    }),
    deletion: 'full-list', partitioning: 'workspace',
  },
  {
    name: 'tags',
    description: 'Tags, archived included.',
    api: 'main', method: 'GET', path: '/workspaces/{workspaceId}/tags', query: { 'sort-column': 'ID' }, pagination: paged,
    primaryKey: ['id'], childKey: 'tag_id', children: [],
    schema: obj({ id: str, name: str, workspaceId: str, archived: bool }),
    deletion: 'full-list', partitioning: 'workspace',
  },
  {
    name: 'tasks',
    description: 'Tasks of every project (from the hydrated projects list: no extra requests), with assignees.',
    api: 'main', method: 'GET', path: '/workspaces/{workspaceId}/projects/{parent.id}/tasks', query: { 'sort-column': 'ID' }, pagination: paged,
    fromParent: { stream: 'projects', field: 'tasks' },
    primaryKey: ['id'], childKey: 'task_id',
    children: [
      { field: 'assigneeIds', table: 'tasks__assignees', valueColumn: 'user_id' },
      { field: 'userGroupIds', table: 'tasks__user_groups', valueColumn: 'user_group_id' },
    ],
    schema: taskSchema,
    deletion: 'full-list', partitioning: 'workspace',
  },
  {
    name: 'time_entries',
    description: 'Time entries of every user (one paged request chain per user), with tags and custom-field values.',
    api: 'main', method: 'GET', path: '/workspaces/{workspaceId}/user/{parent.id}/time-entries', pagination: paged,
    parent: { stream: 'users' },
    primaryKey: ['id'], childKey: 'time_entry_id',
    children: [
      { field: 'tagIds', table: 'time_entries__tags', valueColumn: 'tag_id' },
      { field: 'customFieldValues', table: 'time_entries__custom_field_values', key: ['custom_field_id'] },
    ],
    schema: obj({
      id: str, description: str, userId: str, workspaceId: str, projectId: str, taskId: str, tagIds: arr(str), billable: bool,
      isLocked: bool, type: str, kioskId: str, approvalRequestId: str,
      timeInterval: obj({ start: ts, end: ts, duration: dur }),
      hourlyRate: rate, costRate: rate,
      customFieldValues: arr(obj({ customFieldId: str, timeEntryId: str, name: str, type: str, value: any })),
    }),
    cursorField: 'timeInterval.start',
    deletion: 'window', partitioning: 'parent',
  },
  {
    name: 'custom_fields',
    description: 'Workspace custom fields, with allowed values and per-project defaults.',
    api: 'main', method: 'GET', path: '/workspaces/{workspaceId}/custom-fields', pagination: unpaged,
    primaryKey: ['id'], childKey: 'custom_field_id',
    children: [
      { field: 'allowedValues', table: 'custom_fields__allowed_values', valueColumn: 'value' },
      { field: 'projectDefaultValues', table: 'custom_fields__project_default_values', key: ['project_id'] },
    ],
    schema: obj({
      id: str, workspaceId: str, name: str, type: str, entityType: str, status: str, required: bool, onlyAdminCanEdit: bool,
      placeholder: str, description: str, allowedValues: arr(str), workspaceDefaultValue: any,
      projectDefaultValues: arr(obj({ projectId: str, status: str, value: any })),
    }),
    deletion: 'full-list', partitioning: 'workspace',
  },
  {
    name: 'holidays',
    description: 'Holidays, with the users and user groups they apply to.',
    api: 'main', method: 'GET', path: '/workspaces/{workspaceId}/holidays', pagination: unpaged,
    primaryKey: ['id'], childKey: 'holiday_id',
    children: [
      { field: 'userIds', table: 'holidays__users', valueColumn: 'user_id' },
      { field: 'userGroupIds', table: 'holidays__user_groups', valueColumn: 'user_group_id' },
    ],
    schema: obj({
      id: str, name: str, workspaceId: str, datePeriod: obj({ startDate: date, endDate: date }), occursAnnually: bool,
      everyoneIncludingNew: bool, userIds: arr(str), userGroupIds: arr(str), automaticTimeEntryCreation: bool, projectId: str, taskId: str,
    }),
    deletion: 'full-list', partitioning: 'workspace',
  },
];
