/**
 * Turns zod issues into messages a person can act on: the key path (e.g. `sources[0].mode`,
 * `CLOCKIFY_MODE` or `--mode`), the bad value, and what is allowed (closest key for typos).
 */
import type { z } from 'zod';
import { configError, type SyncError } from '../errors.ts';
import { closest, showValue } from './config-suggest.ts';

export type Path = readonly PropertyKey[];

/** Names a key path for messages; env vars and flags pass their own. */
export type PathNamer = (path: Path) => string;

/** `sources[0].reports.groups[1]`. */
export function formatPath(path: Path, name?: PathNamer): string {
  if (name) return name(path);
  let out = '';
  path.forEach((seg, i) => {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += i === 0 ? String(seg) : `.${String(seg)}`;
  });
  return out || '(top level)';
}

/** The value the user wrote at `path` (lists given as "a,b" strings are split like the schema does). */
export function valueAt(input: unknown, path: Path): unknown {
  let cur: unknown = input;
  for (const seg of path) {
    if (typeof cur === 'string' && typeof seg === 'number') cur = cur.split(',').map((s) => s.trim()).filter(Boolean);
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[seg as string];
  }
  return cur;
}

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  out?: z.ZodType;
  valueType?: z.ZodType;
}
const defOf = (s: unknown): Def | undefined => (s as { _zod?: { def: Def } })?._zod?.def;

/** Unwraps optional/default/nullable/pipe (preprocess) wrappers. */
function unwrap(schema: z.ZodType | undefined): z.ZodType | undefined {
  let s = schema;
  for (let i = 0; i < 10 && s; i++) {
    const d = defOf(s);
    if (!d) return s;
    if (d.type === 'optional' || d.type === 'nullable' || d.type === 'default' || d.type === 'prefault' || d.type === 'readonly') s = d.innerType;
    else if (d.type === 'pipe') s = d.out;
    else return s;
  }
  return s;
}

/** The keys allowed by the object schema at `path`, or [] when unknown. */
export function keysAt(schema: z.ZodType, path: Path): string[] {
  let s = unwrap(schema);
  for (const seg of path) {
    const d = defOf(s);
    if (!d) return [];
    if (d.type === 'object' && typeof seg === 'string') s = unwrap(d.shape?.[seg]);
    else if (d.type === 'array') s = unwrap(d.element);
    else if (d.type === 'record') s = unwrap(d.valueType);
    else return [];
  }
  const d = defOf(s);
  return d?.type === 'object' && d.shape ? Object.keys(d.shape) : [];
}

const TYPE_WORDS: Record<string, string> = {
  int: 'a whole number',
  number: 'a number',
  string: 'a text value',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping (key: value)',
  record: 'a mapping (key: value)',
};

/** Zod's own English messages start like this; ours start with "must", "is", "has". */
const isZodDefault = (message: string) => /^(Too (small|big)|Invalid|Expected|Unrecognized)/.test(message);

function describeIssue(issue: z.core.$ZodIssue, input: unknown, root: z.ZodType, name?: PathNamer): string[] {
  const where = formatPath(issue.path, name);
  const raw = valueAt(input, issue.path);
  const value = raw === undefined && 'input' in issue ? (issue as { input?: unknown }).input : raw;
  const shown = showValue(value);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = keysAt(root, issue.path);
      return issue.keys.map((key) => {
        const guess = closest(key, allowed);
        const suggestion = guess ? ` (did you mean "${guess}"?)` : '';
        const list = allowed.length ? `; allowed keys: ${allowed.join(', ')}` : '';
        return `${formatPath([...issue.path, key], name)}: unknown key${suggestion}${list}`;
      });
    }
    case 'invalid_value': {
      const values = issue.values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
      const guess = typeof value === 'string' ? closest(value, values) : undefined;
      return [`${where}: ${shown} is not allowed${guess ? ` (did you mean "${guess}"?)` : ''}; allowed values: ${values.join(', ')}`];
    }
    case 'invalid_type': {
      if (value === undefined) return [`${where}: is required (${TYPE_WORDS[issue.expected] ?? issue.expected})`];
      return [`${where}: ${shown} must be ${TYPE_WORDS[issue.expected] ?? issue.expected}`];
    }
    case 'too_small': {
      if (!isZodDefault(issue.message)) return [`${where}: ${shown} ${issue.message}`];
      const min = Number(issue.minimum);
      if (issue.origin === 'array' || issue.origin === 'set') return [`${where}: ${shown} must have at least ${min} item${min === 1 ? '' : 's'}`];
      if (issue.origin === 'string') return [`${where}: must not be empty`];
      return [`${where}: ${shown} must be ${issue.inclusive === false ? 'greater than' : 'at least'} ${min}`];
    }
    case 'too_big': {
      if (!isZodDefault(issue.message)) return [`${where}: ${shown} ${issue.message}`];
      const max = Number(issue.maximum);
      if (issue.origin === 'array' || issue.origin === 'set') return [`${where}: ${shown} must have at most ${max} items`];
      if (issue.origin === 'string') return [`${where}: must be at most ${max} characters`];
      return [`${where}: ${shown} must be ${issue.inclusive === false ? 'less than' : 'at most'} ${max}`];
    }
    case 'invalid_union':
      return [`${where}: ${shown} must be text, a number, true/false, or a list of those`];
    default:
      return [`${where}: ${shown} ${issue.message}`];
  }
}

/** Human lines for every issue of a failed parse. */
export function issueLines(error: z.ZodError, input: unknown, root: z.ZodType, name?: PathNamer): string[] {
  return error.issues.flatMap((i) => describeIssue(i, input, root, name));
}

/** One CONFIG_INVALID error for a list of problems found in `where` (a file name, "the environment", "flags"). */
export function invalidConfig(where: string, lines: string[]): SyncError {
  const shown = lines.slice(0, 20);
  const more = lines.length > shown.length ? `\n  … and ${lines.length - shown.length} more` : '';
  const message =
    lines.length === 1
      ? `Invalid configuration (${where}): ${lines[0]}.`
      : `Invalid configuration (${where}), ${lines.length} problems:\n  - ${shown.join('\n  - ')}${more}`;
  return configError('CONFIG_INVALID', message, 'Fix the setting named above; nothing was synced or written.');
}
