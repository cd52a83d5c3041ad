/**
 * Serving the simulator on 127.0.0.1 (`startSimulator`) and the `clockify-sync simulator`
 * command body (`runSimulatorCommand`). In-process use: `createSimulator` (sim-app.ts).
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import type { SimulatorKeys } from './model.ts';
import { createSimulator } from './sim-app.ts';
import type { SimulatorApp, SimulatorOptions } from './sim-app.ts';
import type { SimulatorCore } from './sim-core.ts';
import type { FaultConfig } from './sim-faults.ts';
import { configError } from '../errors.ts';

export { createSimulator };
export type { SimulatorApp, SimulatorOptions };

export interface StartOptions extends SimulatorOptions {
  /** TCP port on 127.0.0.1; 0 (default) picks a free port. */
  port?: number;
}

export interface RunningSimulator {
  /** e.g. "http://127.0.0.1:8899" (main API at `${url}/api/v1`, reports at `${url}/report/v1`). */
  url: string;
  port: number;
  keys: SimulatorKeys;
  sim: SimulatorCore;
  app: SimulatorApp;
  close(): Promise<void>;
}

/** Starts the simulator on 127.0.0.1. */
export async function startSimulator(options: StartOptions = {}): Promise<RunningSimulator> {
  const built = createSimulator(options);
  const server = serve({ fetch: built.app.fetch, port: options.port ?? 0, hostname: '127.0.0.1' }) as Server;
  await new Promise<void>((resolve, reject) => {
    if (server.listening) return resolve();
    server.once('listening', () => resolve());
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? configError('SIMULATOR_PORT_IN_USE', `Port ${options.port} is already in use on 127.0.0.1.`, 'Pick another --port, or --port 0 for a free one.') : err));
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    keys: built.sim.keys,
    sim: built.sim,
    app: built,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

/** Options of `clockify-sync simulator` (flags in kebab-case: --port, --seed, --api-key, ...). */
export interface SimulatorCommandOptions {
  port?: number;
  seed?: number;
  workspaces?: number;
  users?: number;
  projects?: number;
  entries?: number;
  apiKey?: string;
  /** X-Simulator-Token of the control API. */
  adminToken?: string;
  /** Simulated now (ISO); default: the real clock. */
  now?: string;
  latencyMs?: number;
  jitterMs?: number;
  /** Requests per second per key before 429. */
  rateLimit?: number;
  /** Send Retry-After with 429 (default true). */
  retryAfter?: boolean;
  errorRate?: number;
  dropRate?: number;
  truncateRate?: number;
  slowBodyMs?: number;
  faultSeed?: number;
}

/**
 * Runs the simulator until `signal` aborts (or SIGINT/SIGTERM when no signal is given).
 * Prints the URL and keys through `log`; returns when stopped.
 */
export async function runSimulatorCommand(opts: SimulatorCommandOptions, log: (line: string) => void, signal?: AbortSignal): Promise<void> {
  const faults: Partial<FaultConfig> = {};
  if (opts.latencyMs !== undefined) faults.latencyMs = opts.latencyMs;
  if (opts.jitterMs !== undefined) faults.jitterMs = opts.jitterMs;
  if (opts.rateLimit !== undefined) faults.rateLimit = { perSecond: opts.rateLimit, retryAfter: opts.retryAfter !== false };
  if (opts.errorRate !== undefined) faults.errorRate = opts.errorRate;
  if (opts.dropRate !== undefined) faults.dropRate = opts.dropRate;
  if (opts.truncateRate !== undefined) faults.truncateRate = opts.truncateRate;
  if (opts.slowBodyMs !== undefined) faults.slowBodyMs = opts.slowBodyMs;
  if (opts.faultSeed !== undefined) faults.seed = opts.faultSeed;
  for (const [k, v] of Object.entries(opts)) {
    if (typeof v === 'number' && (!Number.isFinite(v) || v < 0)) throw configError('SIMULATOR_BAD_OPTION', `--${k.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`)} must be a non-negative number (got ${v}).`);
  }
  const started = Date.now();
  const running = await startSimulator({
    port: opts.port ?? 8899, seed: opts.seed, workspaces: opts.workspaces, users: opts.users, projects: opts.projects,
    entries: opts.entries, apiKey: opts.apiKey, adminToken: opts.adminToken, now: opts.now, faults,
  });
  const { sim, keys, url } = running;
  log(`Clockify simulator listening on ${url} (dataset ready in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  log(`  main API:    ${url}/api/v1`);
  log(`  reports API: ${url}/report/v1`);
  log(`  control API: ${url}/__simulator  (header X-Simulator-Token: ${keys.control})`);
  log(`  simulated now: ${new Date(sim.now()).toISOString()}  seed: ${sim.seed}`);
  log(`  workspaces: ${sim.store.workspaces().map((w) => `${w.id} (${sim.store.countTimeEntries(w.id)} entries)`).join(', ')}`);
  log('  keys:');
  log(`    X-Api-Key: ${keys.owner}   (owner of every workspace)`);
  log(`    X-Api-Key: ${keys.admin}   (workspace admin)`);
  log(`    X-Api-Key: ${keys.member}   (regular member)`);
  log(`    X-Addon-Token: ${keys.addon}   (add-on, workspace ${sim.resolveKey('addon-token', keys.addon)!.workspaceId} only)`);
  log('Press Ctrl+C to stop.');
  await new Promise<void>((resolve) => {
    if (signal) {
      if (signal.aborted) return resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
    } else {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    }
  });
  await running.close();
  log('Clockify simulator stopped.');
}
