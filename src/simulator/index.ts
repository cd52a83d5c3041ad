/** Public entry of the Clockify simulator. */
export { createSimulator, authMiddleware } from './sim-app.ts';
export type { SimulatorApp, SimulatorOptions } from './sim-app.ts';
export { startSimulator, runSimulatorCommand } from './server.ts';
export type { RunningSimulator, StartOptions, SimulatorCommandOptions } from './server.ts';
export { FIXED_KEYS, DEFAULT_SIZES } from './sim-core.ts';
export type { SimulatorCore, SimulatorCoreOptions } from './sim-core.ts';
export type { FaultConfig } from './sim-faults.ts';
export { entryToJson } from './sim-control.ts';
export { simGet, control, allEntries } from './sim-testing.ts';
export type * from './model.ts';
