/** Destination strings (`duckdb:./x.duckdb`, `postgres://…`, `csv:DIR`, …) → kind + target. */
import { isAbsolute, resolve } from 'node:path';
import { registerSecret } from '../secrets.ts';
import type { DestinationKind, ResolvedDestination } from './config-types.ts';
import { maskUrlPassword } from './config-suggest.ts';

/**
 * Parses a destination string already checked by destinationProblem. Relative paths are
 * resolved against `baseDir` (the config file's folder for file settings, the working
 * directory otherwise). A PostgreSQL password is registered as a secret and masked in `description`.
 */
export function parseDestination(text: string, baseDir: string): ResolvedDestination {
  if (/^postgres(ql)?:\/\//i.test(text)) {
    const url = new URL(text);
    if (url.password) registerSecret(decodeURIComponent(url.password));
    if (url.password) registerSecret(url.password);
    return { kind: 'postgres', target: text, description: maskUrlPassword(text) };
  }
  const sep = text.indexOf(':');
  const kind = text.slice(0, sep).toLowerCase() as DestinationKind;
  const path = text.slice(sep + 1).trim();
  if (kind === 'duckdb' && path === ':memory:') return { kind, target: path, description: 'duckdb::memory:' };
  const target = isAbsolute(path) ? path : resolve(baseDir, path);
  return { kind, target, description: `${kind}:${target}` };
}
