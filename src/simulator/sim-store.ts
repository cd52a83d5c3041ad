/** The in-memory dataset: entity collections, the compact entry table and the change log. */
import { EntryJsonCache } from './sim-entry-json.ts';
import { EntryTable } from './sim-entry-table.ts';
import type { EntryRow } from './sim-entry-table.ts';
import type {
  ChangeRecord, Client, CustomField, EntryQuery, Holiday, Project, SimStore, Tag, Task, TimeEntry, User, UserGroup,
  Workspace, WorkspaceMember,
} from './model.ts';
import type { IdMaker } from './sim-random.ts';

const byWorkspace = <T extends { workspaceId: string }>(items: Iterable<T>, ws: string): T[] => {
  const out: T[] = [];
  for (const it of items) if (it.workspaceId === ws) out.push(it);
  return out;
};

export class MemoryStore implements SimStore {
  readonly workspaceList: Workspace[] = [];
  readonly userMap = new Map<string, User>();
  readonly memberList: WorkspaceMember[] = [];
  readonly groupMap = new Map<string, UserGroup>();
  readonly clientMap = new Map<string, Client>();
  readonly projectMap = new Map<string, Project>();
  readonly taskMap = new Map<string, Task>();
  readonly tagMap = new Map<string, Tag>();
  readonly fieldMap = new Map<string, CustomField>();
  readonly holidayList: Holiday[] = [];
  readonly entries: EntryTable;
  readonly changeLog: ChangeRecord[] = [];
  private entryJsonCache?: EntryJsonCache;

  constructor(readonly ids: IdMaker, entryCapacity = 1024) {
    this.entries = new EntryTable(ids, entryCapacity);
  }

  workspaces(): Workspace[] {
    return this.workspaceList.slice();
  }
  workspace(id: string): Workspace | undefined {
    return this.workspaceList.find((w) => w.id === id);
  }
  users(): User[] {
    return [...this.userMap.values()];
  }
  user(id: string): User | undefined {
    return this.userMap.get(id);
  }
  members(workspaceId: string): WorkspaceMember[] {
    return byWorkspace(this.memberList, workspaceId);
  }
  member(workspaceId: string, userId: string): WorkspaceMember | undefined {
    return this.memberList.find((m) => m.workspaceId === workspaceId && m.userId === userId);
  }
  userGroups(workspaceId: string): UserGroup[] {
    return byWorkspace(this.groupMap.values(), workspaceId);
  }
  clients(workspaceId: string): Client[] {
    return byWorkspace(this.clientMap.values(), workspaceId);
  }
  client(id: string): Client | undefined {
    return this.clientMap.get(id);
  }
  projects(workspaceId: string): Project[] {
    return byWorkspace(this.projectMap.values(), workspaceId);
  }
  project(id: string): Project | undefined {
    return this.projectMap.get(id);
  }
  tasks(workspaceId: string, projectId?: string): Task[] {
    return byWorkspace(this.taskMap.values(), workspaceId).filter((t) => projectId === undefined || t.projectId === projectId);
  }
  task(id: string): Task | undefined {
    return this.taskMap.get(id);
  }
  tags(workspaceId: string): Tag[] {
    return byWorkspace(this.tagMap.values(), workspaceId);
  }
  tag(id: string): Tag | undefined {
    return this.tagMap.get(id);
  }
  customFields(workspaceId: string): CustomField[] {
    return byWorkspace(this.fieldMap.values(), workspaceId);
  }
  customField(id: string): CustomField | undefined {
    return this.fieldMap.get(id);
  }
  holidays(workspaceId: string): Holiday[] {
    return byWorkspace(this.holidayList, workspaceId);
  }

  /** Renders rows straight to the main API's non-hydrated JSON (sim-entry-json.ts). */
  get entryJson(): EntryJsonCache {
    return (this.entryJsonCache ??= new EntryJsonCache(this));
  }

  private readonly workspaceOf = (id: string) => this.workspace(id);

  /** Materializes row n as a TimeEntry. */
  entryAt(n: number): TimeEntry {
    return this.entries.entry(n, this.workspaceOf);
  }

  materialize(n: number, r: EntryRow): TimeEntry {
    const ws = this.workspace(r.workspaceId);
    const currency = ws?.currencyCode ?? 'USD';
    return {
      id: this.entries.idOf(n),
      workspaceId: r.workspaceId,
      userId: r.userId,
      projectId: r.projectId,
      taskId: r.taskId,
      tagIds: r.tagIds,
      billable: r.billable,
      description: r.description,
      start: r.start,
      end: r.end,
      type: r.type,
      customFieldValues: r.customFieldValues,
      hourlyRate: r.hourlyRate === null ? null : { amount: r.hourlyRate, currency },
      costRate: r.costRate === null ? null : { amount: r.costRate, currency },
      isLocked: ws?.lockDate != null && r.start < ws.lockDate,
    };
  }

  timeEntry(id: string): TimeEntry | undefined {
    const n = this.entries.rowOf(id);
    return n < 0 ? undefined : this.entryAt(n);
  }
  countTimeEntries(workspaceId: string): number {
    return this.entries.countIn(workspaceId);
  }
  *timeEntries(workspaceId: string, query: EntryQuery = {}): Iterable<TimeEntry> {
    const users = query.userIds ? new Set(query.userIds) : null;
    const table = this.entries;
    const to = query.to ?? Infinity;
    const { list, lo } = table.wsFrom(workspaceId, query.from);
    for (let i = lo; i < list.length && table.startOf(list[i]) < to; i++) {
      const n = list[i];
      if (users && !users.has(table.userOf(n))) continue;
      yield table.entry(n, this.workspaceOf);
    }
  }
  *userTimeEntries(workspaceId: string, userId: string, query: Omit<EntryQuery, 'userIds'> = {}): Iterable<TimeEntry> {
    for (const n of this.entries.userRangeDesc(workspaceId, userId, query.from, query.to)) yield this.entryAt(n);
  }
  changes(): readonly ChangeRecord[] {
    return this.changeLog;
  }
}
