export { isAlive, rssMiB, waitForExit } from '../embedded/proc.js';
export type { AuditTotals } from './audit.js';
export { installCompletionAudit } from './audit.js';
export type { TestSchema } from './schema.js';
export { createTestSchema, testDatabaseUrl } from './schema.js';
export { STORAGE_PACKAGE_ROOT, testServerDir } from './server-dir.js';
