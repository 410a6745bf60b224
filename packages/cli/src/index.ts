export { EXIT } from './cli/errors.js';
export type { CliIo } from './cli/main.js';
export { COMMANDS, main } from './cli/main.js';
export type {
  ApiConfig,
  DatabaseConfig,
  Duration,
  JobsConfig,
  LogsConfig,
  QueueSettingsConfig,
  RetentionConfig,
  RetentionPolicyConfig,
  RetriesConfig,
  WorkerConfig,
} from './config/define.js';
export { defineConfig } from './config/define.js';
