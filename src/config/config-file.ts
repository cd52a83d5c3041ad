/** Reads clockify-sync.yaml / .yml / .json: a missing file, a parse error with line and column. */
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { parseDocument } from 'yaml';
import { configError } from '../errors.ts';

function lineColumnAt(text: string, position: number): { line: number; col: number } {
  const before = text.slice(0, Math.max(0, Math.min(position, text.length)));
  const lines = before.split('\n');
  return { line: lines.length, col: lines[lines.length - 1].length + 1 };
}

function malformed(path: string, kind: string, line: number, col: number, detail: string) {
  return configError(
    'CONFIG_MALFORMED',
    `The config file ${path} is not valid ${kind}: line ${line}, column ${col}: ${detail}`,
    `Fix the ${kind} syntax at line ${line} of ${basename(path)}; nothing was synced or written.`,
  );
}

/** Parses config text; `.json` files as strict JSON, anything else as YAML (1.2, unique keys). */
export function parseConfigText(text: string, path: string): unknown {
  if (extname(path).toLowerCase() === '.json') {
    try {
      return JSON.parse(text);
    } catch (err) {
      const msg = (err as Error).message;
      const lc = /line (\d+) column (\d+)/.exec(msg);
      const pos = /position (\d+)/.exec(msg);
      const where = lc ? { line: +lc[1], col: +lc[2] } : pos ? lineColumnAt(text, +pos[1]) : lineColumnAt(text, text.length);
      const detail = msg.replace(/\s*(in JSON )?at position \d+.*$/, '').replace(/\s*\(line \d+ column \d+\)/, '');
      throw malformed(path, 'JSON', where.line, where.col, detail);
    }
  }
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    const e = doc.errors[0];
    const where = e.linePos?.[0] ?? lineColumnAt(text, e.pos[0]);
    const detail = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw malformed(path, 'YAML', where.line, where.col, detail);
  }
  return doc.toJS({ maxAliasCount: 100 }) ?? {};
}

export function readConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw configError('CONFIG_NOT_FOUND', `The config file ${path} does not exist.`, 'Check the --config path (or CLOCKIFY_CONFIG); the README shows an example clockify-sync.yaml.');
    }
    if (code === 'EISDIR') {
      throw configError('CONFIG_NOT_FOUND', `The config path ${path} is a directory, not a file.`, 'Pass the path of the YAML or JSON file itself.');
    }
    throw configError('CONFIG_UNREADABLE', `Cannot read the config file ${path} (${code ?? 'unknown error'}).`, 'Check the file permissions.');
  }
  return parseConfigText(text.replace(/^\uFEFF/, ''), path);
}
