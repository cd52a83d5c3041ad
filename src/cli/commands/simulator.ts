import type { Command } from 'commander';
import { intOption, numberOption } from '../options.ts';

export function registerSimulator(program: Command): void {
  program
    .command('simulator')
    .description('Run the bundled Clockify simulator (a local server faithful to the Clockify API) until stopped.')
    .option('--port <n>', 'port on 127.0.0.1 (0 picks a free port)', intOption, 8899)
    .option('--seed <n>', 'dataset seed', intOption, 1)
    .option('--workspaces <n>', 'number of workspaces', intOption, 2)
    .option('--users <n>', 'users per workspace', intOption, 50)
    .option('--projects <n>', 'projects per workspace', intOption, 100)
    .option('--entries <n>', 'time entries in all', intOption, 100000)
    .option('--api-key <key>', 'the owner key the simulator accepts (a test key, not a real one)', 'sim-admin-key')
    .option('--admin-token <token>', 'X-Simulator-Token for the control API', 'sim-control-token')
    .option('--now <iso>', 'simulated current time (default: the real clock)')
    .option('--latency-ms <n>', 'added latency per request', numberOption)
    .option('--jitter-ms <n>', 'random extra latency up to this', numberOption)
    .option('--rate-limit <n>', 'requests per second per key before 429', numberOption)
    .option('--no-retry-after', 'send 429 without Retry-After')
    .option('--error-rate <share>', 'share of requests answered 500/502/503 (0..1)', numberOption)
    .option('--drop-rate <share>', 'share of responses whose connection drops mid-body (0..1)', numberOption)
    .option('--truncate-rate <share>', 'share of responses with truncated JSON (0..1)', numberOption)
    .option('--slow-body-ms <n>', 'stream bodies slowly over this many ms', numberOption)
    .option('--fault-seed <n>', 'seed of the fault dice', intOption)
    .addHelpText(
      'after',
      `
Examples:
  clockify-sync simulator --port 8899 --seed 1 --workspaces 2 --users 50 --projects 100 --entries 100000 --api-key sim-admin-key
  clockify-sync simulator --port 0 --rate-limit 10 --error-rate 0.05
  CLOCKIFY_API_KEY=sim-admin-key clockify-sync sync --base-url http://127.0.0.1:8899`,
    )
    .action(async (opts) => {
      const { runSimulatorCommand } = await import('../../simulator/server.ts');
      await runSimulatorCommand({ ...opts, retryAfter: opts.retryAfter }, (line) => process.stderr.write(line + '\n'));
    });
}
