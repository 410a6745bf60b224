export { isAlive, rssMiB, waitForExit } from '../embedded/proc.js';
/** The claim statement as the store sends it (with change events on), for tools that replay it. */
export { CLAIM as CLAIM_STATEMENT } from '../sql/claim.js';
export type { AuditTotals } from './audit.js';
export { installCompletionAudit } from './audit.js';
export type { TestSchema } from './schema.js';
export { createTestSchema, testDatabaseUrl } from './schema.js';
export { STORAGE_PACKAGE_ROOT, testServerDir } from './server-dir.js';
