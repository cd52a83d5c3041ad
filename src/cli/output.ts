import type { Logger, LogLevel } from '../log.ts';
import { redact } from '../secrets.ts';

export interface OutputOptions {
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Logs go to stderr (plain lines, or JSON lines with --json); stdout is for requested data only. */
export function createCliLogger(opts: OutputOptions, write: (line: string) => void = (l) => process.stderr.write(l + '\n')): Logger {
  const min = opts.quiet ? ORDER.warn : opts.verbose ? ORDER.debug : ORDER.info;
  return (level, message, fields) => {
    if (ORDER[level] < min) return;
    if (opts.json) {
      write(redact(JSON.stringify({ time: new Date().toISOString(), level, message, ...fields })));
    } else {
      const prefix = level === 'info' ? '' : `${level}: `;
      write(redact(prefix + message));
    }
  };
}

/** A plain text table: columns padded, numbers right-aligned. */
export function formatTable(headers: string[], rows: (string | number)[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i] ?? '').length)));
  const line = (cells: (string | number)[]) =>
    cells
      .map((c, i) => (typeof c === 'number' ? String(c).padStart(widths[i]) : String(c ?? '').padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
