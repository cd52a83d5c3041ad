/**
 * Child process for the crash test: opens a DuckDB destination, writes rows inside a
 * transaction, says "ready" and waits to be killed (SIGKILL) before committing.
 * Usage: node --import tsx destination-crash-child.ts DBPATH ROWS
 */
import { createDuckDBDestination } from '../../src/destinations/duckdb.ts';
import { TABLES, item } from './destination-fixtures.ts';

const [path, rowsArg] = process.argv.slice(2);
const dest = createDuckDBDestination(path);
await dest.open();
await dest.ensureTables(TABLES);
const tx = await dest.begin();
const rows = [];
for (let i = 1; i <= Number(rowsArg); i++) rows.push(item(i, { name: 'uncommitted' }));
await tx.write('items', rows);
tx.setState([{ workspaceId: 'w1', stream: 'items', partition: '', cursor: 'uncommitted', updatedAt: new Date() }]);
process.stdout.write('ready\n');
setInterval(() => {}, 1000);
