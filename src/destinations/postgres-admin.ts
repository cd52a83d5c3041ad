/**
 * Small administrative helpers for the PostgreSQL destination (tests, benchmarks, `reset`).
 */
import { createPool, destinationError, parsePostgresUrl, type PostgresOptions } from './postgres-connection.ts';
import { ident } from './postgres-sql.ts';

/** Drop a destination schema and everything in it. Returns whether it existed. */
export async function dropPostgresSchema(url: string, schema: string, options: PostgresOptions = {}): Promise<boolean> {
  const target = parsePostgresUrl(url, { ...options, schema });
  const pool = createPool(target);
  try {
    const res = await pool.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    if (res.rowCount === 0) return false;
    await pool.query(`DROP SCHEMA IF EXISTS ${ident(schema)} CASCADE`);
    return true;
  } catch (err) {
    throw destinationError(err, target, `dropping schema "${schema}"`);
  } finally {
    await pool.end().catch(() => {});
  }
}
