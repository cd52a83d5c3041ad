import type { Command } from 'commander';

export function registerMacro(program: Command): void {
  program
    .command('macro <expr>')
    .description('Print what a date expression or macro resolves to ({{lastweekstart}}, {{30daysago}}, {now-1}, …).')
    .option('--now <iso>', 'pin the clock (ISO 8601), for reproducible results')
    .option('--time-zone <tz>', 'IANA time zone the macro is computed in (default UTC)')
    .option('--week-start <day>', 'first day of the week (default MONDAY)')
    .option('--macro-unit <unit>', "unit of Nexla's {now±N}: day, week, month or hour (default day)")
    .option('--explain', 'also print the instant, zone, week start and clock used')
    .addHelpText(
      'after',
      `
Examples:
  clockify-sync macro '{{lastweekstart}}'
  clockify-sync macro '{{2monthsago.endof(month).format(YYYY-MM-DD)}}' --now 2026-11-23T10:00:00Z
  clockify-sync macro '{now-1}' --macro-unit week --time-zone Europe/Berlin --explain`,
    )
    .action(async (expr: string, opts) => {
      const { runMacroCommand } = await import('../../dates/macros.ts');
      process.stdout.write(runMacroCommand({ expr, ...opts }) + '\n');
    });
}
