/**
 * Which time entries a report covers: the range, the caller's visibility and the entity filters
 * of the body. Pure over the store.
 *
 * Filter semantics (`{ids, contains, status}`):
 * - `status` narrows the candidate entities (users: workspace membership status, ALL by default;
 *   projects/clients/tags: ACTIVE = not archived, ARCHIVED, ALL; tasks: ACTIVE, ARCHIVED = DONE, ALL).
 * - ids empty: entries whose entity is a candidate; with status ALL that is every entry, including
 *   entries without the entity (no project, no tags…).
 * - CONTAINS: the entry's entity is among the ids (tags: any of its tags), CONTAINS_ONLY: the same
 *   for single-valued entities, for tags every tag of the entry is among the ids (and it has one);
 *   DOES_NOT_CONTAIN: the entry's entity is not among the ids (tags: none of its tags).
 * Running timers (`end` null) are never in a report.
 */
import type { SimStore, TimeEntry } from '../model.ts';
import type { EntityFilter, ReportQuery } from './report-query.ts';

export interface ReportScope {
  workspaceId: string;
  /** Users whose entries the caller may see (undefined = everyone: owner/admin). */
  visibleUserIds?: readonly string[];
}

type Pred = (e: TimeEntry) => boolean;

function userStatusMatches(memberStatus: string | undefined, status: string): boolean {
  switch (status) {
    case 'ALL': return true;
    case 'ACTIVE_WITH_PENDING': return memberStatus === 'ACTIVE' || memberStatus === 'PENDING';
    default: return memberStatus === status;
  }
}

function archivedMatches(archived: boolean, status: string): boolean {
  return status === 'ALL' || (status === 'ARCHIVED') === archived;
}

/** A single-valued entity filter (user, project, client, task); `key` null = entry has none. */
function singleFilter(f: EntityFilter, key: (e: TimeEntry) => string | null, candidate: (id: string) => boolean): Pred {
  const ids = new Set(f.ids);
  if (ids.size === 0) {
    if (f.status === 'ALL') return () => true;
    return (e) => {
      const k = key(e);
      return k !== null && candidate(k);
    };
  }
  if (f.contains === 'DOES_NOT_CONTAIN') {
    return (e) => {
      const k = key(e);
      return k === null ? f.status === 'ALL' : !ids.has(k) && candidate(k);
    };
  }
  return (e) => {
    const k = key(e);
    return k !== null && ids.has(k) && candidate(k);
  };
}

function tagFilter(f: EntityFilter, store: SimStore): Pred {
  const ids = new Set(f.ids);
  const candidate = (id: string) => {
    const t = store.tag(id);
    return !!t && archivedMatches(t.archived, f.status);
  };
  if (ids.size === 0) return f.status === 'ALL' ? () => true : (e) => e.tagIds.some(candidate);
  switch (f.contains) {
    case 'DOES_NOT_CONTAIN': return (e) => !e.tagIds.some((t) => ids.has(t));
    case 'CONTAINS_ONLY': return (e) => e.tagIds.length > 0 && e.tagIds.every((t) => ids.has(t) && candidate(t));
    default: return (e) => e.tagIds.some((t) => ids.has(t) && candidate(t));
  }
}

/** The predicate of every body filter (range and visibility are applied by `reportEntries`). */
export function entryPredicate(store: SimStore, q: ReportQuery, workspaceId: string): Pred {
  const preds: Pred[] = [(e) => e.end !== null];
  if (q.users) {
    const status = q.users.status;
    preds.push(singleFilter(q.users, (e) => e.userId, (id) => userStatusMatches(store.member(workspaceId, id)?.status, status)));
  }
  if (q.userGroups && q.userGroups.ids.length) {
    const members = new Set(store.userGroups(workspaceId).filter((g) => q.userGroups!.ids.includes(g.id)).flatMap((g) => g.userIds));
    preds.push(q.userGroups.contains === 'DOES_NOT_CONTAIN' ? (e) => !members.has(e.userId) : (e) => members.has(e.userId));
  }
  if (q.projects) {
    const status = q.projects.status;
    preds.push(singleFilter(q.projects, (e) => e.projectId, (id) => archivedMatches(store.project(id)?.archived ?? false, status)));
  }
  if (q.clients) {
    const status = q.clients.status;
    const clientOf = (e: TimeEntry) => (e.projectId ? store.project(e.projectId)?.clientId ?? null : null);
    preds.push(singleFilter(q.clients, clientOf, (id) => archivedMatches(store.client(id)?.archived ?? false, status)));
  }
  if (q.tasks) {
    const status = q.tasks.status;
    const ok = (id: string) => status === 'ALL' || (status === 'ARCHIVED') === (store.task(id)?.status === 'DONE');
    preds.push(singleFilter(q.tasks, (e) => e.taskId, ok));
  }
  if (q.tags) preds.push(tagFilter(q.tags, store));
  if (q.billable !== undefined) preds.push((e) => e.billable === q.billable);
  if (q.withoutDescription) preds.push((e) => e.description === '');
  else if (q.description) {
    const needle = q.description.toLowerCase();
    preds.push((e) => e.description.toLowerCase().includes(needle));
  }
  return (e) => preds.every((p) => p(e));
}

/**
 * The report's entries, start ascending then id (the store's order), one materialized at a
 * time. `range` overrides the query's range (the weekly report uses exactly 7 days).
 */
export function* reportEntries(store: SimStore, q: ReportQuery, scope: ReportScope, range?: { from: number; to: number }): Generator<TimeEntry> {
  const pred = entryPredicate(store, q, scope.workspaceId);
  const from = range?.from ?? q.from;
  const to = range?.to ?? q.to;
  for (const e of store.timeEntries(scope.workspaceId, { from, to, userIds: scope.visibleUserIds })) if (pred(e)) yield e;
}
