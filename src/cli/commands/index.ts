import type { Command } from 'commander';
import { registerDemo } from './demo.ts';
import { registerMacro } from './macro.ts';
import { registerSimulator } from './simulator.ts';
import { registerSync } from './sync.ts';

/** Every command of the CLI; each lives in its own file. */
export function registerCommands(program: Command): void {
  registerSync(program);
  registerMacro(program);
  registerSimulator(program);
  registerDemo(program);
}
