/**
 * Helpers of the CLI tests: run the CLI in-process (main(argv) with stdout/stderr captured and
 * the environment replaced for the call) or as a child process, a loopback server that answers
 * 429 with a long Retry-After, and a closed loopback port.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../src/cli/main.ts';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const MAIN = join(ROOT, 'src/cli/main.ts');
/** tsx's loader as a URL, so a child started in any folder finds it. */
const TSX = import.meta.resolve('tsx');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Environment for a run: no CLOCKIFY_* or PG* variable of the caller leaks in. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(CLOCKIFY_|PG)/.test(k)) env[k] = v;
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * main(argv) in this process. Only string writes are captured (the CLI writes strings; the test
 * runner's own reporter writes buffers and passes through). Calls are serialized.
 */
export function runCli(argv: string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  const run = async (): Promise<CliRun> => {
    const out: string[] = [];
    const err: string[] = [];
    const savedOut = process.stdout.write;
    const savedErr = process.stderr.write;
    const savedEnv = process.env;
    const wrap = (orig: typeof process.stdout.write, sink: string[]) =>
      function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
        if (typeof chunk === 'string') {
          sink.push(chunk);
          const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
          cb?.();
          return true;
        }
        return (orig as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
      } as typeof process.stdout.write;
    process.stdout.write = wrap(savedOut, out);
    process.stderr.write = wrap(savedErr, err);
    process.env = cleanEnv(env);
    process.exitCode = undefined;
    try {
      const code = await main(argv);
      return { code, stdout: out.join(''), stderr: err.join('') };
    } finally {
      process.stdout.write = savedOut;
      process.stderr.write = savedErr;
      process.env = savedEnv;
      process.exitCode = undefined;
    }
  };
  const p = queue.then(run, run);
  queue = p.catch(() => {});
  return p;
}

/** The CLI as a child process (`node --import tsx src/cli/main.ts …`). */
export function spawnCli(argv: string[], env: Record<string, string | undefined> = {}, opts: { cwd?: string; timeoutMs?: number } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TSX, MAIN, ...argv], { cwd: opts.cwd ?? ROOT, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}

/** Runs `fn` over `items` with at most `n` at once. */
export async function pool<T, R>(items: T[], n: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]);
      }
    }),
  );
  return out;
}

/** A loopback server that answers every request 429 with `Retry-After: 3600` (a long rate limit). */
export async function startRateLimitedServer(): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  let count = 0;
  const server: Server = createServer((req, res) => {
    count++;
    req.resume();
    res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '3600' });
    res.end(JSON.stringify({ message: 'Too many requests', code: 429 }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => count,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A loopback port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}
