/**
 * The simulated Clockify dataset and the `Simulator` interface that the routes (main API,
 * Reports API, control API) are written against.
 *
 * Conventions:
 * - Ids are 24-hex strings, deterministic from the seed.
 * - Instants are epoch milliseconds (UTC) in the model; the routes render them.
 * - Durations/estimates are ISO-8601 strings ("PT8H") where Clockify uses them.
 * - Money is integer cents with a currency code (`Rate`).
 * - Every object returned by the store is a snapshot or a live record that callers must not
 *   mutate; change data only through the `Simulator` mutation methods so the change log stays true.
 */
import type { Hono } from 'hono';

export type Role = 'OWNER' | 'ADMIN' | 'MEMBER';
/** Account status (`UserDtoV1.status`). */
export type AccountStatus = 'ACTIVE' | 'PENDING_EMAIL_VERIFICATION' | 'DELETED' | 'NOT_REGISTERED' | 'LIMITED' | 'LIMITED_DELETED';
/** Workspace / project membership status (`memberships[].membershipStatus`). */
export type MembershipStatus = 'PENDING' | 'ACTIVE' | 'DECLINED' | 'INACTIVE';
export type WeekDay = 'MONDAY' | 'TUESDAY' | 'WEDNESDAY' | 'THURSDAY' | 'FRIDAY' | 'SATURDAY' | 'SUNDAY';
export type TimeEntryType = 'REGULAR' | 'BREAK' | 'HOLIDAY' | 'TIME_OFF';
export type CustomFieldType = 'TXT' | 'NUMBER' | 'DROPDOWN_SINGLE' | 'DROPDOWN_MULTIPLE' | 'CHECKBOX' | 'LINK';

/** A rate: integer cents plus ISO currency code. */
export interface Rate {
  amount: number;
  currency: string;
}

export interface Workspace {
  id: string;
  name: string;
  /** Default currency code, e.g. "USD"; every rate of the workspace uses it. */
  currencyCode: string;
  /** Id of the default currency object (`currencies[].id`). */
  currencyId: string;
  /** `featureSubscriptionType`, e.g. "PRO_YEAR" or "FREE" (FREE limits report ranges to 31 days). */
  plan: string;
  /** `features`: plain strings. */
  features: string[];
  /** Workspace default week start. */
  weekStart: WeekDay;
  /** Lock date: entries starting before this instant are locked (`isLocked: true`); null = no lock. */
  lockDate: number | null;
  /** Time zone the lock date was set in (`workspaceSettings.lockTimeZone`). */
  lockTimeZone: string | null;
  /** Workspace-level default rates (null when unset). */
  hourlyRate: Rate | null;
  costRate: Rate | null;
  /** `workspaceSettings` flags that matter to the simulation. */
  settings: {
    onlyAdminsSeeBillableRates: boolean;
    onlyAdminsSeeAllTimeEntries: boolean;
    timeRoundingInReports: boolean;
    trackTimeDownToSecond: boolean;
    forceProjects: boolean;
  };
}

export interface User {
  id: string;
  name: string;
  email: string;
  /** Account status. */
  status: AccountStatus;
  /** Profile time zone (IANA). Per-user time-entry `start`/`end` filters are read in it. */
  timeZone: string;
  weekStart: WeekDay;
  profilePicture: string;
  /** The workspace shown by default. */
  defaultWorkspaceId: string;
  /** User custom-field values (entityType USER fields). */
  customFieldValues: UserCustomFieldValue[];
}

export interface UserCustomFieldValue {
  customFieldId: string;
  value: string | number | boolean | string[] | null;
}

/** A user's membership of one workspace. */
export interface WorkspaceMember {
  workspaceId: string;
  userId: string;
  role: Role;
  status: MembershipStatus;
  hourlyRate: Rate | null;
  costRate: Rate | null;
}

export interface UserGroup {
  id: string;
  workspaceId: string;
  name: string;
  userIds: string[];
  /** Users who manage the group (`teamManagers`, shown with includeTeamManagers=true). */
  teamManagerIds: string[];
}

export interface Client {
  id: string;
  workspaceId: string;
  name: string;
  archived: boolean;
  address: string;
  email: string;
  note: string;
}

export interface ProjectMembership {
  userId: string;
  status: MembershipStatus;
  /** Project-specific rates for this user (override project and workspace rates); null = inherit. */
  hourlyRate: Rate | null;
  costRate: Rate | null;
}

export interface Project {
  id: string;
  workspaceId: string;
  name: string;
  clientId: string | null;
  color: string;
  note: string;
  billable: boolean;
  public: boolean;
  template: boolean;
  archived: boolean;
  hourlyRate: Rate | null;
  costRate: Rate | null;
  /** Time estimate as ISO duration ("PT0S" = none) and its kind. */
  estimate: { estimate: string; type: 'AUTO' | 'MANUAL' };
  /** Budget estimate in cents, or null. */
  budgetEstimate: { estimate: number; type: 'AUTO' | 'MANUAL'; resetOption: 'WEEKLY' | 'MONTHLY' | 'YEARLY' | null; active: boolean } | null;
  memberships: ProjectMembership[];
}

export interface Task {
  id: string;
  workspaceId: string;
  projectId: string;
  name: string;
  status: 'ACTIVE' | 'DONE';
  assigneeIds: string[];
  userGroupIds: string[];
  billable: boolean;
  /** ISO duration or null. */
  estimate: string | null;
  /** Cents or null. */
  budgetEstimate: number | null;
  hourlyRate: Rate | null;
  costRate: Rate | null;
}

export interface Tag {
  id: string;
  workspaceId: string;
  name: string;
  archived: boolean;
}

export interface CustomField {
  id: string;
  workspaceId: string;
  name: string;
  type: CustomFieldType;
  entityType: 'TIMEENTRY' | 'USER';
  status: 'VISIBLE' | 'INVISIBLE' | 'INACTIVE';
  required: boolean;
  onlyAdminCanEdit: boolean;
  placeholder: string;
  description: string;
  allowedValues: string[];
  workspaceDefaultValue: string | number | boolean | string[] | null;
  projectDefaultValues: { projectId: string; status: 'VISIBLE' | 'INVISIBLE' | 'INACTIVE'; value: string | number | boolean | string[] | null }[];
}

/** A custom-field value on a time entry. The field name comes from the CustomField. */
export interface CustomFieldValue {
  customFieldId: string;
  value: string | number | boolean | string[] | null;
  /** Where the value comes from (`customFieldValues[].type`). */
  source: 'WORKSPACE' | 'PROJECT' | 'TIMEENTRY';
}

export interface Holiday {
  id: string;
  workspaceId: string;
  name: string;
  /** 'YYYY-MM-DD', inclusive. */
  startDate: string;
  endDate: string;
  occursAnnually: boolean;
  everyoneIncludingNew: boolean;
  userIds: string[];
  userGroupIds: string[];
}

/** A time entry as a plain record (materialized on demand from the compact store). */
export interface TimeEntry {
  id: string;
  workspaceId: string;
  userId: string;
  projectId: string | null;
  taskId: string | null;
  /** Empty array when the entry has no tags (the main API renders `null` then). */
  tagIds: string[];
  billable: boolean;
  description: string;
  /** Epoch ms (whole seconds). */
  start: number;
  /** Epoch ms, or null for a running timer. */
  end: number | null;
  type: TimeEntryType;
  customFieldValues: CustomFieldValue[];
  /** Resolved rates at the time of the entry (task > project membership > project > member > workspace). */
  hourlyRate: Rate | null;
  costRate: Rate | null;
  /** True when the entry starts before the workspace lock date. */
  isLocked: boolean;
}

/** Entity types of the experimental entity-changes feed (REFERENCE.md §8). */
export type ChangeEntityType =
  | 'CLIENTS'
  | 'PROJECTS'
  | 'TAGS'
  | 'TASKS'
  | 'TIME_ENTRY'
  | 'TIME_ENTRY_RATE'
  | 'TIME_ENTRY_CUSTOM_FIELD_VALUE'
  | 'SCHEDULED_ASSIGNMENT'
  | 'USERS';

/** One recorded mutation (every control-API / Simulator mutation appends one). */
export interface ChangeRecord {
  /** Increasing sequence number. */
  seq: number;
  workspaceId: string;
  entityType: ChangeEntityType;
  entityId: string;
  action: 'CREATED' | 'UPDATED' | 'DELETED';
  /** Simulated instant of the change, epoch ms. */
  at: number;
  /** For DELETED: the sparse document kept in the deletion bin ({_id, name, workspaceId, ...}). */
  document?: Record<string, unknown>;
}

/** Who is calling: resolved from X-Api-Key or X-Addon-Token. */
export interface Principal {
  kind: 'api-key' | 'addon-token';
  /** The key/token value. */
  key: string;
  userId: string;
  /** For add-on tokens: the only workspace the token may access. Undefined = all of the user's workspaces. */
  workspaceId?: string;
}

/** Entries query for a workspace; ranges are half-open [from, to) on `start` (epoch ms). */
export interface EntryQuery {
  from?: number;
  to?: number;
  /** Restrict to these users. */
  userIds?: readonly string[];
}

/** Read access to the dataset. */
export interface SimStore {
  workspaces(): Workspace[];
  workspace(id: string): Workspace | undefined;
  /** All users (any workspace). */
  users(): User[];
  user(id: string): User | undefined;
  /** Members of a workspace (including inactive/pending memberships). */
  members(workspaceId: string): WorkspaceMember[];
  member(workspaceId: string, userId: string): WorkspaceMember | undefined;
  userGroups(workspaceId: string): UserGroup[];
  clients(workspaceId: string): Client[];
  client(id: string): Client | undefined;
  projects(workspaceId: string): Project[];
  project(id: string): Project | undefined;
  /** Tasks of a project, or of the whole workspace when projectId is omitted. */
  tasks(workspaceId: string, projectId?: string): Task[];
  task(id: string): Task | undefined;
  tags(workspaceId: string): Tag[];
  tag(id: string): Tag | undefined;
  customFields(workspaceId: string): CustomField[];
  customField(id: string): CustomField | undefined;
  holidays(workspaceId: string): Holiday[];
  timeEntry(id: string): TimeEntry | undefined;
  /** Number of (non-deleted) entries in a workspace. */
  countTimeEntries(workspaceId: string): number;
  /**
   * A workspace's entries with start in [from, to), ordered by start ascending then id.
   * Materializes one record at a time (safe for 1M entries).
   */
  timeEntries(workspaceId: string, query?: EntryQuery): Iterable<TimeEntry>;
  /** One user's entries in a workspace, newest first (start descending, then id descending). */
  userTimeEntries(workspaceId: string, userId: string, query?: Omit<EntryQuery, 'userIds'>): Iterable<TimeEntry>;
  /** The change log, oldest first. */
  changes(): readonly ChangeRecord[];
}

/** Input for adding a time entry (control API / in-process). */
export interface TimeEntryInput {
  workspaceId: string;
  userId: string;
  projectId?: string | null;
  taskId?: string | null;
  tagIds?: string[];
  billable?: boolean;
  description?: string;
  /** ISO string or epoch ms. Defaults to now. */
  start?: string | number;
  /** ISO string, epoch ms, or null for a running timer. */
  end?: string | number | null;
  type?: TimeEntryType;
  customFieldValues?: { customFieldId: string; value: CustomFieldValue['value'] }[];
}

export type TimeEntryPatch = Partial<Omit<TimeEntryInput, 'workspaceId'>>;

export type EntityKind = 'projects' | 'clients' | 'tags' | 'tasks' | 'users';

/** The simulator: dataset + clock + auth + mutations. One instance per server. */
export interface Simulator {
  readonly store: SimStore;
  /** Simulated now, epoch ms. */
  now(): number;
  /** Move the clock: by an ISO duration ("PT1H") or to an instant. */
  setClock(change: { advance?: string; now?: string | number }): number;
  /** Resolve a credential; undefined if unknown. */
  resolveKey(kind: Principal['kind'], value: string): Principal | undefined;
  /** The caller's role in a workspace, or undefined when not an (active) member or out of token scope. */
  roleOf(principal: Principal, workspaceId: string): Role | undefined;
  /** The keys the simulator accepts, for printing. */
  readonly keys: SimulatorKeys;

  addTimeEntry(input: TimeEntryInput): TimeEntry;
  updateTimeEntry(id: string, patch: TimeEntryPatch): TimeEntry;
  deleteTimeEntry(id: string): void;
  /** Start a timer for a user (stops nothing). Returns the running entry. */
  startTimer(input: Omit<TimeEntryInput, 'start' | 'end'>): TimeEntry;
  /** Stop the user's running timer(s) in a workspace at now; returns the stopped entries. */
  stopTimer(workspaceId: string, userId: string): TimeEntry[];

  /** Add/edit/delete other entities; returns the stored record (users: deactivate via patch {status:'INACTIVE'}). */
  addEntity(kind: EntityKind, workspaceId: string, data: Record<string, unknown>): unknown;
  updateEntity(kind: EntityKind, id: string, patch: Record<string, unknown>, workspaceId?: string): unknown;
  deleteEntity(kind: EntityKind, id: string, workspaceId?: string): void;
}

export interface SimulatorKeys {
  /** Owner of every workspace. */
  owner: string;
  /** ADMIN of every workspace. */
  admin: string;
  /** Regular MEMBER of every workspace. */
  member: string;
  /** X-Addon-Token scoped to the first workspace (acts as the owner there). */
  addon: string;
  /** Control API token (X-Simulator-Token). */
  control: string;
}

/** Hono env of every simulator router: the auth middleware sets `principal`. */
export interface SimEnv {
  Variables: { principal: Principal };
}

/** Signature of the reports router factory (src/simulator/reports/router.ts). */
export type ReportsRouterFactory = (sim: Simulator) => Hono<any>;
