export { requestTracing } from './tracing.js';
