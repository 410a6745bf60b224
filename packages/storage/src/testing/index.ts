export type { TestSchema } from './schema.js';
export { createTestSchema, testDatabaseUrl } from './schema.js';
