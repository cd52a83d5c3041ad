#!/usr/bin/env node
import { Command } from 'commander';
import { EXIT } from '../errors.ts';
import { reportError } from './report-error.ts';
import { registerCommands } from './commands/index.ts';

export async function main(argv: string[]): Promise<number> {
  const program = new Command();
  program
    .name('clockify-sync')
    .description('Sync Clockify data (every entity and the Summary/Detailed/Weekly reports) into DuckDB, PostgreSQL or files.')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });
  registerCommands(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return Number(process.exitCode ?? EXIT.ok);
  } catch (err) {
    return reportError(err, argv.includes('--verbose'));
  }
}

const invokedDirectly = process.argv[1] && /(?:^|[\\/])(main\.ts|clockify-sync(?:\.js)?)$/.test(process.argv[1]);
if (invokedDirectly || process.env.CLOCKIFY_SYNC_CLI === '1') {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => process.exit(reportError(err, false)),
  );
}
