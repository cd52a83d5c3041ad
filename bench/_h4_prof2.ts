import { DuckDBInstance, DuckDBDataChunk, DECIMAL, decimalValue } from '@duckdb/node-api';
const inst = await DuckDBInstance.create(':memory:');
const con = await inst.connect();
await con.run(`create temp table st as select (i % 5 * 1250)::varchar p, ((i % 5 * 1250)::varchar || '.25') p2 from range(100000) r(i)`);
for (const expr of ['CAST(p AS DECIMAL(18,9))', 'CAST(p AS DECIMAL(38,9))', 'CAST(CAST(p AS DECIMAL(18,9)) AS DECIMAL(38,9))', 'CAST(CAST(p AS DOUBLE) AS DECIMAL(38,9))', 'CAST(p2 AS DECIMAL(38,9))','CAST(p AS DECIMAL(38,2))' ]) {
  const t = performance.now();
  await con.run(`create or replace temp table src as select ${expr} x from st`);
  console.log(expr, Math.round(performance.now() - t), 'ms');
}
await con.run(`create temp table dd (x DECIMAL(38,9))`);
const ap = await con.createAppender('dd', 'main', 'temp');
const T = DECIMAL(38, 9);
let t = performance.now();
const vals = [];
for (let i = 0; i < 100000; i++) vals.push(String(i % 5 * 1250) + '.25');
for (let off = 0; off < 100000; off += 2048) {
  const n = Math.min(2048, 100000 - off);
  const col = [];
  for (let i = 0; i < n; i++) {
    const s = vals[off + i]; const dot = s.indexOf('.');
    const intPart = dot < 0 ? s : s.slice(0, dot); let frac = dot < 0 ? '' : s.slice(dot + 1);
    frac = (frac + '000000000').slice(0, 9);
    col.push(decimalValue(BigInt(intPart + frac), 38, 9));
  }
  const chunk = DuckDBDataChunk.create([T], n); chunk.setColumns([col]); ap.appendDataChunk(chunk);
}
ap.flushSync(); ap.closeSync();
console.log('js decimal', Math.round(performance.now() - t), 'ms', (await con.runAndReadAll('select sum(x)::varchar from dd')).getRows());
