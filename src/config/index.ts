/** The configuration: one schema, defaults, environment + file + flags → resolved jobs. */
export { loadConfig, type LoadConfigOptions } from './config-load.ts';
export { CONFIG_DEFAULTS } from './config-defaults.ts';
export { ENV_VARS, type ConfigFlags } from './config-env.ts';
export { readJobCredentials, type JobCredentials } from './config-credentials.ts';
export { cronProblem } from './config-checks.ts';
export { ConfigFileSchema, configJsonSchema } from './config-schema.ts';
export * from './config-types.ts';
