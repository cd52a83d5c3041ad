/**
 * Progress output for long commands. On a terminal: one cli-progress bar per stream and
 * workspace (rows, requests, rate, ETA when a total is known) on stderr. Elsewhere (or with
 * --json): throttled log lines through the Logger, structured fields included. Never stdout.
 */
import cliProgress, { type Options, type Params, type SingleBar, type MultiBar } from 'cli-progress';
import type { WriteCounts } from '../destinations/destination.ts';
import type { Logger } from '../log.ts';
import { formatTable } from './output.ts';

export interface ProgressCounts {
  /** Rows read so far for this stream and workspace (cumulative, not a delta). */
  rows: number;
  /** HTTP requests made so far for this stream and workspace (cumulative). */
  requests: number;
  /** Expected total rows, when known (e.g. a report's entriesCount); enables the bar and ETA. */
  totalHint?: number;
}

export interface ProgressResult {
  rows: number;
  requests: number;
  /** Default 'ok'. */
  status?: 'ok' | 'incomplete' | 'failed';
  /** A short reason shown with incomplete / failed. */
  note?: string;
}

export interface Progress {
  update(stream: string, workspace: string, counts: ProgressCounts): void;
  done(stream: string, workspace: string, result: ProgressResult): void;
  /** Ends the display (bars are left on screen); logs a line for streams never marked done. */
  stop(): void;
  /**
   * Writes one log line without breaking the bars (above them on a terminal). Give it to
   * createCliLogger as its `write` so log lines and bars share stderr cleanly.
   */
  writeLine(line: string): void;
}

export interface ProgressOptions {
  /** Usually process.stderr.isTTY === true. */
  tty: boolean;
  json: boolean;
  quiet: boolean;
  log: Logger;
  /** Where bars (and writeLine) go; default process.stderr. */
  stream?: NodeJS.WritableStream;
  now?: () => number;
  /** Minimum time between two plain lines for the same stream (default 5000 ms). */
  intervalMs?: number;
}

interface Entry {
  stream: string;
  workspace: string;
  firstAt: number;
  lastLoggedAt: number;
  rows: number;
  requests: number;
  total?: number;
  finished: boolean;
  bar?: SingleBar;
}

const n = (x: number) => Math.round(x).toLocaleString('en-US');

function rateOf(e: Entry, now: number): number {
  const s = (now - e.firstAt) / 1000;
  return s > 0 ? e.rows / s : 0;
}

function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

function etaMs(e: Entry, now: number): number | undefined {
  const rate = rateOf(e, now);
  if (!e.total || e.rows >= e.total || rate <= 0) return e.total && e.rows >= e.total ? 0 : undefined;
  return ((e.total - e.rows) / rate) * 1000;
}

function label(e: Entry): string {
  const ws = e.workspace.length > 24 ? e.workspace.slice(0, 23) + '…' : e.workspace;
  return ws ? `${e.stream} [${ws}]` : e.stream;
}

/** The words of one progress line (shared by bars and plain lines). */
function describe(e: Entry, now: number): string {
  const parts = [`${n(e.rows)} rows`, `${n(e.requests)} requests`, `${n(rateOf(e, now))} rows/s`];
  if (e.total && !e.finished) {
    const pct = Math.min(100, Math.floor((e.rows / e.total) * 100));
    const eta = etaMs(e, now);
    parts.push(`${pct}% of ~${n(e.total)}` + (eta !== undefined ? `, ETA ${duration(eta)}` : ''));
  }
  return parts.join(', ');
}

function fields(e: Entry, now: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const eta = etaMs(e, now);
  return {
    event: 'progress',
    stream: e.stream,
    workspace: e.workspace,
    rows: e.rows,
    requests: e.requests,
    rowsPerSecond: Math.round(rateOf(e, now) * 10) / 10,
    elapsedMs: now - e.firstAt,
    ...(e.total ? { totalHint: e.total } : {}),
    ...(eta !== undefined ? { etaMs: Math.round(eta) } : {}),
    ...extra,
  };
}

export function createProgress(opts: ProgressOptions): Progress {
  const now = opts.now ?? Date.now;
  const interval = opts.intervalMs ?? 5000;
  const out = opts.stream ?? process.stderr;
  const useBars = opts.tty && !opts.json && !opts.quiet;
  const entries = new Map<string, Entry>();
  let multibar: MultiBar | undefined;
  let stopped = false;

  const keyOf = (stream: string, workspace: string) => `${workspace}\u0000${stream}`;

  function entry(stream: string, workspace: string): Entry {
    const key = keyOf(stream, workspace);
    let e = entries.get(key);
    if (!e) {
      const t = now();
      e = { stream, workspace, firstAt: t, lastLoggedAt: t, rows: 0, requests: 0, finished: false };
      entries.set(key, e);
    }
    return e;
  }

  function barFormat(options: Options, params: Params, payload: { text?: string; label?: string; hasTotal?: boolean; mark?: string }): string {
    const bar = payload.hasTotal ? cliProgress.Format.BarFormat(params.progress, options) + ' ' : '';
    return `${payload.mark ?? ' '} ${(payload.label ?? '').padEnd(28)} ${bar}${payload.text ?? ''}`;
  }

  function draw(e: Entry, mark?: string, suffix = ''): void {
    if (!useBars || stopped) return;
    multibar ??= new cliProgress.MultiBar({ stream: out, format: barFormat, hideCursor: true, clearOnComplete: false, barsize: 20, fps: 5, autopadding: true, gracefulExit: false });
    const payload = { text: describe(e, now()) + suffix, label: label(e), hasTotal: !!e.total, mark: mark ?? ' ' };
    const total = Math.max(e.total ?? 1, e.rows, 1);
    if (!e.bar) e.bar = multibar.create(total, e.total ? e.rows : 0, payload);
    else {
      e.bar.setTotal(total);
      e.bar.update(e.total ? e.rows : 0, payload);
    }
  }

  return {
    update(stream, workspace, counts) {
      if (stopped) return;
      const e = entry(stream, workspace);
      e.rows = counts.rows;
      e.requests = counts.requests;
      if (counts.totalHint !== undefined && counts.totalHint > 0) e.total = counts.totalHint;
      if (useBars) return draw(e);
      if (opts.quiet) return;
      const t = now();
      if (t - e.lastLoggedAt >= interval) {
        e.lastLoggedAt = t;
        opts.log('info', `${label(e)}: ${describe(e, t)}`, fields(e, t));
      }
    },

    done(stream, workspace, result) {
      if (stopped) return;
      const e = entry(stream, workspace);
      e.rows = result.rows;
      e.requests = result.requests;
      e.finished = true;
      const status = result.status ?? 'ok';
      const t = now();
      const took = duration(t - e.firstAt);
      const note = result.note ? `: ${result.note}` : '';
      if (useBars) {
        if (status === 'ok' && e.total === undefined) e.total = Math.max(e.rows, 1);
        return draw(e, status === 'ok' ? '✓' : status === 'incomplete' ? '!' : '✗', ` (${status === 'ok' ? 'done' : status}${note}, ${took})`);
      }
      const words = `${n(e.rows)} rows, ${n(e.requests)} requests in ${took}`;
      const message = status === 'ok' ? `${label(e)}: done, ${words}` : `${label(e)}: ${status}${note} after ${words}`;
      opts.log(status === 'ok' ? 'info' : 'warn', message, fields(e, t, { event: 'stream-done', status, ...(result.note ? { note: result.note } : {}) }));
    },

    stop() {
      if (stopped) return;
      stopped = true;
      multibar?.stop();
      if (useBars) return;
      const t = now();
      for (const e of entries.values()) {
        if (e.finished) continue;
        opts.log('warn', `${label(e)}: stopped before it finished, ${describe(e, t)}`, fields(e, t, { event: 'stream-stopped' }));
      }
    },

    writeLine(line) {
      if (multibar?.isActive && !stopped) {
        multibar.log(line + '\n');
        multibar.update(); // flush now, above the bars
      } else out.write(line + '\n');
    },
  };
}

/** The final summary of a sync, for formatSummary. */
export interface SyncSummary {
  /** Per destination table: counts from Transaction.commit(), optionally with requests and time. */
  tables: Record<string, WriteCounts & { requests?: number; durationMs?: number }>;
  requests: number;
  durationMs: number;
  /** Streams that did not finish (exit status 3). */
  incomplete?: string[];
}

/** A plain-text table: rows per table (inserted / updated / unchanged / deleted), totals, requests and time. */
export function formatSummary(summary: SyncSummary): string {
  const names = Object.keys(summary.tables).sort();
  const withRequests = names.some((t) => summary.tables[t].requests !== undefined);
  const withTime = names.some((t) => summary.tables[t].durationMs !== undefined);
  const headers = ['table', 'inserted', 'updated', 'unchanged', 'deleted', ...(withRequests ? ['requests'] : []), ...(withTime ? ['time'] : [])];
  const total = { inserted: 0, updated: 0, unchanged: 0, deleted: 0 };
  const rows: (string | number)[][] = names.map((t) => {
    const c = summary.tables[t];
    total.inserted += c.inserted;
    total.updated += c.updated;
    total.unchanged += c.unchanged;
    total.deleted += c.deleted;
    return [
      t,
      c.inserted,
      c.updated,
      c.unchanged,
      c.deleted,
      ...(withRequests ? [c.requests ?? ''] : []),
      ...(withTime ? [c.durationMs !== undefined ? `${(c.durationMs / 1000).toFixed(1)} s` : ''] : []),
    ];
  });
  rows.push(['total', total.inserted, total.updated, total.unchanged, total.deleted, ...(withRequests ? [summary.requests] : []), ...(withTime ? [`${(summary.durationMs / 1000).toFixed(1)} s`] : [])]);
  const lines = [formatTable(headers, rows), '', `${n(summary.requests)} requests in ${(summary.durationMs / 1000).toFixed(1)} s`];
  if (summary.incomplete?.length) lines.push(`incomplete: ${summary.incomplete.join(', ')}`);
  return lines.join('\n');
}
