import type { Command } from 'commander';
import { registerCheck } from './check.ts';
import { registerDemo } from './demo.ts';
import { registerDiscover } from './discover.ts';
import { registerMacro } from './macro.ts';
import { registerPreview } from './preview.ts';
import { registerReport } from './report.ts';
import { registerSchedule } from './schedule.ts';
import { registerSimulator } from './simulator.ts';
import { registerState } from './state.ts';
import { registerSync } from './sync.ts';

/** Every command of the CLI; each lives in its own file. */
export function registerCommands(program: Command): void {
  registerSync(program);
  registerReport(program);
  registerSchedule(program);
  registerCheck(program);
  registerDiscover(program);
  registerPreview(program);
  registerState(program);
  registerMacro(program);
  registerSimulator(program);
  registerDemo(program);
}
