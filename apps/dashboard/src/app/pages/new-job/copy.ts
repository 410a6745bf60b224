import type { EnqueueFormValues } from '../../lib/enqueue-form.js';

/** What "Enqueue a copy" hands the form (through history state, never the URL). */
export interface EnqueueCopy {
  readonly handler: string;
  readonly method: string;
  /** The job's params: an array, or what an old hand-written row holds (the form refuses it). */
  readonly params: unknown;
  readonly queue: string;
  readonly priority: number;
  readonly retries: number;
}

/** The copy in a history entry's state, or null for a blank form. */
export function readCopy(state: unknown): EnqueueCopy | null {
  if (typeof state !== 'object' || state === null || !('copy' in state)) return null;
  return (state as { copy: EnqueueCopy }).copy;
}

/** The form's first values: blank, or those of the job being copied. */
export function initialValues(copy: EnqueueCopy | null): EnqueueFormValues {
  if (copy === null) {
    return {
      handler: '',
      method: '',
      params: '[]',
      queue: '',
      priority: '0',
      delay: '0',
      retries: '',
      uniqueKey: '',
      uniqueFor: '',
      uniqueStates: '',
    };
  }
  return {
    handler: copy.handler,
    method: copy.method,
    params: JSON.stringify(copy.params, null, 2),
    queue: copy.queue === 'default' ? '' : copy.queue,
    priority: String(copy.priority),
    delay: '0',
    retries: String(copy.retries),
    uniqueKey: '',
    uniqueFor: '',
    uniqueStates: '',
  };
}
