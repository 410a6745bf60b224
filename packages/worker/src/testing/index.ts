export { hasPromtool, promtoolCheckMetrics } from './promtool.js';
export type { SpawnedWorker } from './spawn.js';
export { killAll, spawnWorker, WORKER_BIN } from './spawn.js';
