/**
 * Micro-benchmark of the simulator's time-entry serving (CPU per served entry), in process:
 * builds a 1,000,000-entry dataset (seed 7, 1 workspace, 200 users, 500 projects) and serves every
 * user's chain `GET /api/v1/workspaces/{ws}/user/{uid}/time-entries?page-size=5000&page=N`
 * (non-hydrated, admin key) through the app's `request()` (no network), reading each body as bytes
 * (as a server writes them; not decoded back to text except for --hash and for counting entries).
 * Also times the in-progress list and a few Detailed report pages.
 *
 *   npx tsx bench/sim-render.ts               # 1M entries, 3 rounds
 *   npx tsx bench/sim-render.ts --entries 200000 --rounds 1
 *   npx tsx bench/sim-render.ts --hash        # also prints a sha256 of every body (to compare before/after)
 *   npx tsx bench/sim-render.ts --http        # instead: the simulator in its own process (bench/sim-process.ts),
 *                                             # the same chains over HTTP, the simulator's CPU read from /proc
 */
import { createHash } from 'node:crypto';
import { createSimulator } from '../src/simulator/server.ts';

const args = process.argv.slice(2);
const opt = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const entries = opt('entries', 1_000_000);
const rounds = opt('rounds', 3);
const withHash = args.includes('--hash');

if (args.includes('--http')) {
  await httpMode();
  process.exit(0);
}

/** The simulator as the sync benchmark runs it: own process, real sockets; its CPU from /proc/<pid>/stat. */
async function httpMode(): Promise<void> {
  const { readFileSync } = await import('node:fs');
  const { startSimProcess } = await import('./sim-process.ts');
  const t = performance.now();
  const sp = await startSimProcess(['--seed', '7', '--workspaces', '1', '--users', '200', '--projects', '500', '--entries', String(entries), '--now', '2026-05-20T12:00:00Z']);
  try {
    console.log(`simulator process ready in ${((performance.now() - t) / 1000).toFixed(1)} s at ${sp.url}`);
    const ticks = () => {
      const f = readFileSync(`/proc/${sp.child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return Number(f[11]) + Number(f[12]); // utime + stime, in clock ticks (100/s)
    };
    let totalServedHttp = 0;
    const h = { 'X-Api-Key': 'sim-workspace-admin-key' };
    const wsRes = await fetch(`${sp.url}/api/v1/workspaces`, { headers: h });
    const ws = ((await wsRes.json()) as { id: string }[])[0].id;
    const users = ((await (await fetch(`${sp.url}/api/v1/workspaces/${ws}/users?page-size=5000&status=ALL&account-statuses=ACTIVE,PENDING_EMAIL_VERIFICATION,NOT_REGISTERED,LIMITED`, { headers: h })).json()) as { id: string }[]).map((u) => u.id);
    for (let r = 1; r <= rounds; r++) {
      const c0 = ticks();
      const w0 = performance.now();
      let bytes = 0;
      let requests = 0;
      let served = 0;
      for (const uid of users) {
        for (let page = 1; ; page++) {
          const res = await fetch(`${sp.url}/api/v1/workspaces/${ws}/user/${uid}/time-entries?page-size=5000&page=${page}`, { headers: h });
          const buf = new Uint8Array(await res.arrayBuffer());
          requests++;
          bytes += buf.length;
          if (r === 1) served += countEntries(Buffer.from(buf).toString('latin1'));
          if (res.headers.get('Last-Page') !== 'false') break;
        }
      }
      if (r === 1) totalServedHttp = served;
      const cpuMs = (ticks() - c0) * 10;
      const wallMs = performance.now() - w0;
      console.log(`http round ${r}: ${requests} req, ${totalServedHttp} entries, ${(bytes / 1e6).toFixed(0)} MB, wall ${wallMs.toFixed(0)} ms, ` +
        `simulator cpu ${cpuMs} ms = ${((cpuMs * 1000) / totalServedHttp).toFixed(2)} µs/entry`);
    }
  } finally {
    await sp.stop();
  }
}

const t0 = performance.now();
const built = createSimulator({ seed: 7, workspaces: 1, users: 200, projects: 500, entries, now: '2026-05-20T12:00:00Z' });
const { app, sim } = built;
const ws = sim.store.workspaces()[0].id;
const userIds = sim.store.members(ws).map((m) => m.userId);
const headers = { 'X-Api-Key': sim.keys.admin };
console.log(`dataset: ${sim.store.countTimeEntries(ws)} entries, ${userIds.length} users, built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

interface Pass {
  requests: number;
  entries: number;
  bytes: number;
  wallMs: number;
  cpuMs: number;
}

async function get(path: string, init?: RequestInit): Promise<{ text: string; last: string | null }> {
  const res = await app.request(path, init ?? { headers });
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return { text: await res.text(), last: res.headers.get('Last-Page') };
}

/** The body as bytes (what the timed passes read). */
async function getBytes(path: string, init?: RequestInit): Promise<{ bytes: number; last: string | null }> {
  const res = await app.request(path, init ?? { headers });
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return { bytes: (await res.arrayBuffer()).byteLength, last: res.headers.get('Last-Page') };
}

/** Counts the top-level objects of a JSON array of entries without parsing it. */
function countEntries(text: string): number {
  return text === '[]' ? 0 : text.split('{"id":"').length - 1;
}

async function timed(run: (hash: ((s: string) => void) | null) => Promise<{ requests: number; entries: number; bytes: number }>, hash = false): Promise<Pass & { sha?: string }> {
  const h = hash ? createHash('sha256') : null;
  global.gc?.();
  const cpu0 = process.cpuUsage();
  const w0 = performance.now();
  const r = await run(h ? (s) => h.update(s) : null);
  const wallMs = performance.now() - w0;
  const cpu = process.cpuUsage(cpu0);
  return { ...r, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, ...(h ? { sha: h.digest('hex') } : {}) };
}

const userPages = (hash: ((s: string) => void) | null) => async () => {
  let requests = 0;
  let bytes = 0;
  for (const uid of userIds) {
    for (let page = 1; ; page++) {
      const path = `/api/v1/workspaces/${ws}/user/${uid}/time-entries?page-size=5000&page=${page}`;
      requests++;
      let last: string | null;
      if (hash) {
        const r = await get(path);
        hash(r.text);
        bytes += Buffer.byteLength(r.text);
        last = r.last;
      } else {
        const r = await getBytes(path);
        bytes += r.bytes;
        last = r.last;
      }
      if (last !== 'false') break;
    }
  }
  return { requests, entries: 0, bytes };
};

const report = (p: Pass, label: string) => {
  const perSec = p.entries / (p.wallMs / 1000);
  console.log(
    `${label.padEnd(14)} ${String(p.requests).padStart(5)} req  ${String(p.entries).padStart(8)} entries  ${(p.bytes / 1e6).toFixed(0).padStart(4)} MB  ` +
      `wall ${p.wallMs.toFixed(0).padStart(6)} ms  cpu ${p.cpuMs.toFixed(0).padStart(6)} ms  ` +
      `${(perSec / 1000).toFixed(0).padStart(5)}k entries/s  ${((p.cpuMs * 1000) / Math.max(1, p.entries)).toFixed(2)} µs cpu/entry`,
  );
};

// Entries per user chain (counted once, outside the timed passes).
let totalServed = 0;
for (const uid of userIds) {
  for (let page = 1; ; page++) {
    const { text, last } = await get(`/api/v1/workspaces/${ws}/user/${uid}/time-entries?page-size=5000&page=${page}`);
    totalServed += countEntries(text);
    if (last !== 'false') break;
  }
}

for (let r = 1; r <= rounds; r++) {
  const p = await timed(() => userPages(null)());
  report({ ...p, entries: totalServed }, `user pages #${r}`);
}

// In-progress list (admin: every running timer of the workspace).
{
  const reps = 200;
  const running = countEntries((await get(`/api/v1/workspaces/${ws}/time-entries/status/in-progress?page-size=1000`)).text);
  const p = await timed(async () => {
    let bytes = 0;
    for (let i = 0; i < reps; i++) {
      bytes += (await getBytes(`/api/v1/workspaces/${ws}/time-entries/status/in-progress?page-size=1000`)).bytes;
    }
    return { requests: reps, entries: running * reps, bytes };
  });
  report(p, 'in-progress');
}

// Detailed report: the first 5 pages of 1000 (DATE, descending) of the whole dataset window.
{
  const pages = 5;
  const p = await timed(async () => {
    let bytes = 0;
    for (let page = 1; page <= pages; page++) {
      const res = await app.request(`/report/v1/workspaces/${ws}/reports/detailed`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({
          dateRangeStart: '2025-01-01T00:00:00.000Z', dateRangeEnd: '2026-06-01T00:00:00.000Z',
          detailedFilter: { page, pageSize: 1000, options: { totals: 'EXCLUDE' } },
        }),
      });
      if (res.status !== 200) throw new Error(`detailed: ${res.status} ${await res.text()}`);
      bytes += (await res.arrayBuffer()).byteLength;
    }
    return { requests: pages, entries: pages * 1000, bytes };
  });
  report(p, 'detailed');
}

if (withHash) {
  const p = await timed(() => userPages(null)(), false);
  const h = createHash('sha256');
  await userPages((s) => h.update(s))();
  const ip = await get(`/api/v1/workspaces/${ws}/time-entries/status/in-progress?page-size=1000`);
  h.update(ip.text);
  const member = await app.request(`/api/v1/workspaces/${ws}/user/${sim.resolveKey('api-key', sim.keys.member)!.userId}/time-entries?page-size=5000`, { headers: { 'X-Api-Key': sim.keys.member } });
  h.update(await member.text());
  console.log(`sha256 of all bodies: ${h.digest('hex')} (${p.bytes} bytes of user pages)`);
}
