/**
 * Starts the simulator in a child process (so its memory is not counted in the measured
 * process) and resolves with its base URL once it listens.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface SimProcess {
  url: string;
  child: ChildProcess;
  /** CPU seconds (user + system) the simulator process has used so far (Linux /proc; 0 elsewhere). */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

const cli = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));

export function startSimProcess(args: string[]): Promise<SimProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, 'simulator', '--port', '0', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '--max-old-space-size=8192' },
  });
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error('simulator did not start within 120 s')), 120_000);
    child.stderr!.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(buf);
      if (m) {
        clearTimeout(timer);
        child.stderr!.removeAllListeners('data');
        child.stderr!.resume();
        resolve({
          url: m[1],
          child,
          cpuSeconds: () => {
            try {
              const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
              return (Number(fields[11]) + Number(fields[12])) / 100;
            } catch {
              return 0;
            }
          },
          stop: () =>
            new Promise<void>((res) => {
              child.once('exit', () => res());
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`simulator exited early (${code}): ${buf}`)));
  });
}
