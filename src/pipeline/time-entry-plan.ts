/**
 * How a run reads a workspace's time entries (issue 4), decided from the committed state:
 *
 * State (stream `time_entries` in `_clockify_sync_state`):
 * - partition '' (the workspace cursor, `WorkspaceCursor`): written in the last transaction of a
 *   workspace's time-entry read, with the report rows (report source), the running timers and
 *   the change-feed results. Its presence means a sync of that workspace completed.
 * - partition = user id (`UserCursor`, users source): committed with that user's rows. A user
 *   cursor whose `attempt` differs from the workspace cursor's belongs to an unfinished run: the
 *   next run resumes that attempt (same savepoint and window) and skips those users.
 */
import type { StateRecord } from '../destinations/destination.ts';

export const TIME_ENTRIES = 'time_entries';
const DAY = 86_400_000;
export const DEFAULT_UPDATE_WINDOW_MS = 7 * DAY;

export type TimeEntriesSource = 'users' | 'report';
export type UpdateWindowOption = { kind: 'duration'; ms: number } | { kind: 'lock' };

export interface RunningRef {
  id: string;
  userId: string;
  start: string;
}

/** Fields shared by the workspace cursor and the user cursors of one attempt. */
export interface AttemptInfo {
  /** Id of the attempt (the run id of the run that started it). */
  attempt: string;
  /** 1 + the last completed attempt's `seq`: user cursors with a higher seq belong to an unfinished attempt. */
  seq: number;
  mode: 'full' | 'incremental';
  source: TimeEntriesSource;
  /** Start of this attempt's time-entry read (the next run's savepoint). */
  savepoint: string;
  /** Window start of this attempt (null: all history). */
  windowStart: string | null;
  /** Running timers known when the attempt started (widen the window to their start). */
  running: RunningRef[];
}

export interface WorkspaceCursor extends AttemptInfo {
  completedAt: string;
  /** Members read per user (users source) or seen in the report: the users-source cost. */
  users: number;
  /** Entries per day in the window read (for `auto`). */
  entriesPerDay: number | null;
}

export type UserCursor = AttemptInfo;

export interface PlanInput {
  runId: string;
  now: Date;
  state: StateRecord[];
  workspaceId: string;
  /** The workspace record (`workspaceSettings.lockTimeEntries`, `featureSubscriptionType`). */
  workspace: Record<string, unknown>;
  mode?: 'full' | 'incremental';
  updateWindow?: UpdateWindowOption;
  startDate?: Date;
  source?: 'auto' | TimeEntriesSource;
  /** Longest report request in days (plan), null = no limit. */
  maxReportDays: number | null;
}

export interface TimeEntryPlan extends AttemptInfo {
  /** Completed previous run (its cursor), if any. */
  previous: WorkspaceCursor | null;
  /** Users already done by the attempt being resumed. */
  doneUsers: string[];
  resumed: boolean;
  /** Why the source was chosen. */
  sourceReason: string;
  warnings: string[];
  /** Read the change feed from here (incremental runs after a completed run). */
  feedFrom: Date | null;
  lockDate: Date | null;
}

const iso = (d: Date) => d.toISOString();

function readCursor<T>(r: StateRecord | undefined): T | null {
  const c = r?.cursor;
  return c && typeof c === 'object' && typeof (c as { attempt?: unknown }).attempt === 'string' ? (c as T) : null;
}

export function lockDateOf(workspace: Record<string, unknown>): Date | null {
  const settings = workspace.workspaceSettings as Record<string, unknown> | undefined;
  const v = settings?.lockTimeEntries;
  if (typeof v !== 'string' || v === '') return null;
  const ms = Date.parse(v);
  return Number.isFinite(ms) ? new Date(ms) : null;
}

/** Estimated requests of each source for a window (null: not enough known). */
export function estimateRequests(prev: WorkspaceCursor | null, windowStart: Date | null, now: Date, maxReportDays: number | null): { users: number; report: number } | null {
  if (!prev || prev.entriesPerDay === null) return null;
  const from = windowStart ?? (prev.windowStart ? new Date(prev.windowStart) : null);
  if (!from) return null;
  const days = Math.max(1, (now.getTime() - from.getTime()) / DAY + 1);
  const chunks = maxReportDays === null ? 1 : Math.ceil(days / maxReportDays);
  const entries = prev.entriesPerDay * days;
  return { users: Math.max(1, prev.users), report: Math.max(chunks, chunks - 1 + Math.floor(entries / 1000) + 1) };
}

export function planTimeEntries(input: PlanInput): TimeEntryPlan {
  const { now, workspaceId } = input;
  const mine = input.state.filter((r) => r.workspaceId === workspaceId && r.stream === TIME_ENTRIES);
  const previous = readCursor<WorkspaceCursor>(mine.find((r) => r.partition === ''));
  const warnings: string[] = [];
  const lockDate = lockDateOf(input.workspace);

  // An unfinished attempt: user cursors of an attempt that has no workspace cursor.
  const pending = mine
    .filter((r) => r.partition !== '')
    .map((r) => ({ user: r.partition, cursor: readCursor<UserCursor>(r) }))
    .filter((x): x is { user: string; cursor: UserCursor } => x.cursor !== null && (x.cursor.seq ?? 0) > (previous?.seq ?? 0));
  const latest = pending.sort((a, b) => b.cursor.seq - a.cursor.seq)[0]?.cursor;
  // Until a run of the workspace has completed, every run is a full read (since the start date).
  const mode = previous ? input.mode ?? 'incremental' : 'full';
  if (latest && latest.mode === mode) {
    return {
      ...latest,
      previous,
      doneUsers: pending.filter((p) => p.cursor.attempt === latest.attempt).map((p) => p.user),
      resumed: true,
      sourceReason: 'resumed an interrupted run',
      warnings: [`resuming an interrupted run of ${latest.savepoint} (${latest.mode})`],
      feedFrom: previous && latest.mode === 'incremental' ? feedStart(previous) : null,
      lockDate,
    };
  }

  let windowStart: Date | null = input.startDate ?? null;
  if (mode === 'incremental') {
    if (!previous) {
      // A first run: everything since the start date (default: all history).
    } else {
      let span = input.updateWindow?.kind === 'duration' ? input.updateWindow.ms : DEFAULT_UPDATE_WINDOW_MS;
      let from = new Date(Date.parse(previous.savepoint) - span);
      if (input.updateWindow?.kind === 'lock') {
        if (lockDate) from = lockDate;
        else warnings.push('--update-window lock: the workspace has no lock date; using 7 days');
        span = 0;
      }
      windowStart = input.startDate && input.startDate > from ? input.startDate : from;
      if (lockDate && windowStart > lockDate) {
        warnings.push(
          `The update window starts at ${iso(windowStart)} but entries after the workspace's lock date ${iso(lockDate)} can still change: ` +
            `older edits are seen only through the change feed (use --update-window lock to reread them).`,
        );
      }
    }
  }

  const requested = input.source ?? 'auto';
  let source: TimeEntriesSource;
  let sourceReason: string;
  if (requested !== 'auto') {
    source = requested;
    sourceReason = `--time-entries-source ${requested}`;
  } else {
    const est = estimateRequests(previous, windowStart, now, input.maxReportDays);
    if (!est) {
      source = 'users';
      sourceReason = 'auto: no earlier run to size the report, per-user reads';
    } else {
      source = est.report < est.users ? 'report' : 'users';
      sourceReason = `auto: about ${est.report} report request(s) vs ${est.users} per-user request(s)`;
    }
  }
  const running = previous?.running ?? [];
  return {
    attempt: input.runId, seq: (previous?.seq ?? 0) + 1, mode, source, savepoint: iso(now), windowStart: windowStart ? iso(windowStart) : null, running,
    previous, doneUsers: [], resumed: false, sourceReason, warnings,
    feedFrom: previous && mode === 'incremental' ? feedStart(previous) : null,
    lockDate,
  };
}

/** The feed is read from the previous savepoint, less a margin for deletions that show late (~1 min). */
function feedStart(previous: WorkspaceCursor): Date {
  return new Date(Date.parse(previous.savepoint) - 10 * 60_000);
}

/** The window start for one user: the plan's, widened to the start of a timer that was running. */
export function userWindowStart(plan: Pick<AttemptInfo, 'windowStart' | 'running'>, userId?: string): Date | undefined {
  if (plan.windowStart === null) return undefined;
  let ms = Date.parse(plan.windowStart);
  for (const r of plan.running) if (userId === undefined || r.userId === userId) ms = Math.min(ms, Date.parse(r.start));
  return new Date(ms);
}
