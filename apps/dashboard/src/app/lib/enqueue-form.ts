import { type EnqueueRequest, type HandlerInfo, JOB_STATES } from '../api/types.js';
import { parseParams } from './params.js';

/** The New job form's fields, as typed. */
export interface EnqueueFormValues {
  readonly handler: string;
  readonly method: string;
  readonly params: string;
  readonly queue: string;
  readonly priority: string;
  /** Seconds to wait before it may run. */
  readonly delay: string;
  /** Blank: the server's default. */
  readonly retries: string;
  /** Blank: none. A job holding it is shown instead of a new one. */
  readonly uniqueKey: string;
  /** Seconds a finished job keeps holding the key; blank: only while unfinished. */
  readonly uniqueFor: string;
  /** Final states that hold the key too, comma-separated; blank: the default. */
  readonly uniqueStates: string;
}

/** Form fields that can carry an error. */
export type FormField = keyof EnqueueFormValues;

/** Errors by field, plus one for the whole form. */
export type FormErrors = Partial<Record<FormField | 'form', string>>;

const QUEUE_NAME = /^[A-Za-z0-9_.:-]{1,64}$/;
const LIMITS = {
  priority: 1_000_000,
  delay: 10 * 365 * 24 * 60 * 60,
  retries: 1000,
  uniqueKey: 255,
  uniqueFor: 365 * 24 * 60 * 60,
};

function integer(text: string): number | null {
  if (!/^-?\d+$/.test(text.trim())) return null;
  return Number(text.trim());
}

/**
 * Checks the form before it is sent and builds the request: params must be a JSON array (of the
 * count a method without a schema takes; a schema is left to the server); numbers must be in
 * the API's bounds.
 */
export function validateEnqueueForm(
  values: EnqueueFormValues,
  handlers: readonly HandlerInfo[],
): { ok: true; request: EnqueueRequest } | { ok: false; errors: FormErrors } {
  const errors: FormErrors = {};
  const handler = handlers.find((h) => h.name === values.handler);
  const method = handler?.methods.find((m) => m.name === values.method);
  if (values.handler === '') errors.handler = 'Pick a handler.';
  else if (handler === undefined) errors.handler = 'This handler is not registered.';
  if (values.method === '') errors.method = 'Pick a method.';
  else if (handler !== undefined && method === undefined)
    errors.method = 'This handler has no such method.';

  const params = parseParams(values.params, method);
  if (!params.ok) errors.params = params.error;

  const queue = values.queue.trim();
  if (queue !== '' && !QUEUE_NAME.test(queue)) {
    errors.queue = 'Up to 64 letters, digits and _ . : - characters.';
  }
  const priority = values.priority.trim() === '' ? 0 : integer(values.priority);
  if (priority === null || Math.abs(priority) > LIMITS.priority) {
    errors.priority = `A whole number from -${LIMITS.priority.toLocaleString('en-US')} to ${LIMITS.priority.toLocaleString('en-US')}.`;
  }
  const delay = values.delay.trim() === '' ? 0 : Number(values.delay.trim());
  if (!Number.isFinite(delay) || delay < 0 || delay > LIMITS.delay) {
    errors.delay = 'Seconds from 0 to ten years.';
  }
  const retries = values.retries.trim() === '' ? undefined : integer(values.retries);
  if (retries === null || (retries !== undefined && (retries < 0 || retries > LIMITS.retries))) {
    errors.retries = `A whole number from 0 to ${LIMITS.retries}, or blank for the default.`;
  }

  const unique = checkUnique(values, errors);

  if (Object.keys(errors).length > 0 || !params.ok) return { ok: false, errors };
  const request: EnqueueRequest = {
    handler: values.handler,
    method: values.method,
    params: params.value,
    ...(queue === '' ? {} : { queue }),
    ...(priority === null || priority === 0 ? {} : { priority }),
    ...(delay > 0 ? { delay } : {}),
    ...(retries === undefined || retries === null ? {} : { retries }),
    ...unique,
  };
  return { ok: true, request };
}

/** The unique key, window and states, checked as the API does (errors go into `errors`). */
function checkUnique(
  values: EnqueueFormValues,
  errors: FormErrors,
): Pick<EnqueueRequest, 'uniqueKey' | 'uniqueFor' | 'uniqueStates'> {
  const key = values.uniqueKey;
  const windowText = values.uniqueFor.trim();
  const statesText = values.uniqueStates.trim();
  if (key.length > LIMITS.uniqueKey) {
    errors.uniqueKey = `At most ${LIMITS.uniqueKey} characters.`;
  }
  if (key === '' && (windowText !== '' || statesText !== '')) {
    errors.uniqueKey = 'Give a unique key for a window or states.';
  }
  const window = windowText === '' ? undefined : Number(windowText);
  if (
    window !== undefined &&
    (!Number.isFinite(window) || window <= 0 || window > LIMITS.uniqueFor)
  ) {
    errors.uniqueFor = 'Seconds above 0, up to a year; or blank.';
  }
  const states = statesText === '' ? undefined : statesText.split(',').map((s) => s.trim());
  const unknown = states?.find((s) => !(JOB_STATES as readonly string[]).includes(s));
  if (unknown !== undefined) {
    errors.uniqueStates = `"${unknown}" is not a state: use ${JOB_STATES.join(', ')}.`;
  }
  return {
    ...(key === '' ? {} : { uniqueKey: key }),
    ...(window === undefined ? {} : { uniqueFor: window }),
    ...(states === undefined || unknown !== undefined
      ? {}
      : { uniqueStates: states as NonNullable<EnqueueRequest['uniqueStates']> }),
  };
}

/** The form field a server error's field belongs to (`params.0` to params), or `form`. */
/** The form's fields in the order they appear (for focusing the first one at fault). */
export const FORM_FIELDS: readonly FormField[] = [
  'handler',
  'method',
  'params',
  'queue',
  'priority',
  'delay',
  'retries',
  'uniqueKey',
  'uniqueFor',
  'uniqueStates',
];

export function fieldOfServerError(field: string | undefined): FormField | 'form' {
  const head = field?.split('.')[0] ?? '';
  return (FORM_FIELDS as readonly string[]).includes(head) ? (head as FormField) : 'form';
}
