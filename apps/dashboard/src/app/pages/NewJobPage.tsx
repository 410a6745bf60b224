import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { read } from '../api/client.js';
import { ApiError, describeError } from '../api/errors.js';
import { useSession } from '../api/session.js';
import type { HandlerInfo } from '../api/types.js';
import { EmptyState, ErrorState, Loading } from '../components/States.js';
import { useQuery } from '../hooks/useQuery.js';
import {
  type EnqueueFormValues,
  type FormErrors,
  type FormField,
  fieldOfServerError,
  validateEnqueueForm,
} from '../lib/enqueue-form.js';
import { jsonPretty } from '../lib/format.js';
import { describeParams } from '../lib/params.js';
import { navigate, useLocation } from '../router.js';

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

function initialValues(copy: EnqueueCopy | null): EnqueueFormValues {
  if (copy === null) {
    return {
      handler: '',
      method: '',
      params: '[]',
      queue: '',
      priority: '0',
      delay: '0',
      retries: '',
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
  };
}

function readCopy(state: unknown): EnqueueCopy | null {
  if (typeof state !== 'object' || state === null || !('copy' in state)) return null;
  return (state as { copy: EnqueueCopy }).copy;
}

/** The New job page: loads the registry, then shows the form. */
export function NewJobPage() {
  const { client } = useSession();
  const handlers = useQuery(
    (signal) => read(client.api.handlers.$get({}, { init: { signal } })),
    [client],
  );
  return (
    <>
      <div className="page-head">
        <h1 tabIndex={-1}>New job</h1>
      </div>
      {handlers.data === undefined ? (
        handlers.error !== undefined ? (
          <ErrorState error={handlers.error} onRetry={handlers.reload} />
        ) : (
          <Loading />
        )
      ) : handlers.data.handlers.length === 0 ? (
        <EmptyState title="No handlers registered">
          <p>
            Register handlers with defineHandlers() in jobs.config.ts; only they can be enqueued.
          </p>
        </EmptyState>
      ) : (
        <EnqueueForm handlers={handlers.data.handlers} />
      )}
    </>
  );
}

/** The form: handler and method from the registry, params as JSON, priority, delay, retries. */
export function EnqueueForm({ handlers }: { readonly handlers: readonly HandlerInfo[] }) {
  const { client } = useSession();
  const { state } = useLocation();
  const id = useId();
  const [values, setValues] = useState<EnqueueFormValues>(() => {
    const start = initialValues(readCopy(state));
    if (start.handler !== '' || handlers.length !== 1) return start;
    const only = handlers[0];
    return {
      ...start,
      handler: only?.name ?? '',
      method: only?.methods.length === 1 ? (only.methods[0]?.name ?? '') : '',
    };
  });
  const [errors, setErrors] = useState<FormErrors>({});
  const [sending, setSending] = useState(false);
  const refs = useRef<Partial<Record<FormField, HTMLElement | null>>>({});
  const [focusField, setFocusField] = useState<FormField | null>(null);

  useEffect(() => {
    if (focusField === null) return;
    refs.current[focusField]?.focus();
    setFocusField(null);
  }, [focusField]);

  const handler = handlers.find((h) => h.name === values.handler);
  const method = handler?.methods.find((m) => m.name === values.method);

  const set = (field: FormField, value: string) => {
    setValues((v) => ({ ...v, [field]: value, ...(field === 'handler' ? { method: '' } : {}) }));
    setErrors((e) => {
      const { [field]: _field, form: _form, ...rest } = e;
      return rest;
    });
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const checked = validateEnqueueForm(values, handlers);
    if (!checked.ok) {
      setErrors(checked.errors);
      const first = (
        ['handler', 'method', 'params', 'queue', 'priority', 'delay', 'retries'] as const
      ).find((f) => checked.errors[f] !== undefined);
      if (first !== undefined) setFocusField(first);
      return;
    }
    setSending(true);
    try {
      const job = await read(client.api.jobs.$post({ json: checked.request }));
      navigate(`/jobs/${job.id}`, { state: { notice: `Enqueued job #${job.id}.` } });
    } catch (error) {
      const field = error instanceof ApiError ? fieldOfServerError(error.field) : 'form';
      setErrors({ [field]: describeError(error) });
      if (field !== 'form') setFocusField(field);
    } finally {
      setSending(false);
    }
  };

  const describedBy = (field: FormField, hint = false) =>
    [
      errors[field] === undefined ? null : `${id}-${field}-error`,
      hint ? `${id}-${field}-hint` : null,
    ]
      .filter((x) => x !== null)
      .join(' ') || undefined;

  const errorOf = (field: FormField) =>
    errors[field] === undefined ? null : (
      <p id={`${id}-${field}-error`} className="field-error" data-testid={`error-${field}`}>
        {errors[field]}
      </p>
    );

  return (
    <form
      className="form panel"
      onSubmit={(e) => void submit(e)}
      noValidate
      aria-label="Enqueue a job"
    >
      {errors.form === undefined ? null : (
        <div className="banner banner-error" role="alert">
          {errors.form}
        </div>
      )}
      <div className="form-row">
        <div className="field">
          <label htmlFor={`${id}-handler`}>Handler</label>
          <select
            id={`${id}-handler`}
            ref={(el) => {
              refs.current.handler = el;
            }}
            value={values.handler}
            aria-invalid={errors.handler !== undefined}
            aria-describedby={describedBy('handler')}
            onChange={(e) => set('handler', e.target.value)}
          >
            <option value="">Choose a handler…</option>
            {handlers.map((h) => (
              <option key={h.name} value={h.name}>
                {h.name}
                {h.isolated ? ' (isolated)' : ''}
              </option>
            ))}
          </select>
          {errorOf('handler')}
        </div>
        <div className="field">
          <label htmlFor={`${id}-method`}>Method</label>
          <select
            id={`${id}-method`}
            ref={(el) => {
              refs.current.method = el;
            }}
            value={values.method}
            disabled={handler === undefined}
            aria-invalid={errors.method !== undefined}
            aria-describedby={describedBy('method')}
            onChange={(e) => set('method', e.target.value)}
          >
            <option value="">Choose a method…</option>
            {handler?.methods.map((m) => (
              <option key={m.name} value={m.name}>
                {m.name}
              </option>
            ))}
          </select>
          {errorOf('method')}
        </div>
      </div>
      <div className="field">
        <label htmlFor={`${id}-params`}>Params (a JSON array of the arguments)</label>
        <textarea
          id={`${id}-params`}
          ref={(el) => {
            refs.current.params = el;
          }}
          className="mono"
          rows={6}
          spellCheck={false}
          value={values.params}
          aria-invalid={errors.params !== undefined}
          aria-describedby={describedBy('params', true)}
          onChange={(e) => set('params', e.target.value)}
        />
        <div id={`${id}-params-hint`} className="field-hint">
          {method?.paramsSchema == null ? (
            'For example ["someone@example.com", "Hello"]. The server checks them against the method.'
          ) : (
            <details>
              <summary>
                Expects <code>{describeParams(method.paramsSchema) ?? 'params'}</code>; show the
                JSON Schema
              </summary>
              <pre className="code">{jsonPretty(method.paramsSchema)}</pre>
            </details>
          )}
        </div>
        {errorOf('params')}
      </div>
      <div className="form-row">
        <div className="field">
          <label htmlFor={`${id}-queue`}>Queue</label>
          <input
            id={`${id}-queue`}
            ref={(el) => {
              refs.current.queue = el;
            }}
            value={values.queue}
            placeholder="default"
            aria-invalid={errors.queue !== undefined}
            aria-describedby={describedBy('queue')}
            onChange={(e) => set('queue', e.target.value)}
          />
          {errorOf('queue')}
        </div>
        <div className="field">
          <label htmlFor={`${id}-priority`}>Priority (higher runs first)</label>
          <input
            id={`${id}-priority`}
            ref={(el) => {
              refs.current.priority = el;
            }}
            type="number"
            step={1}
            inputMode="numeric"
            value={values.priority}
            aria-invalid={errors.priority !== undefined}
            aria-describedby={describedBy('priority')}
            onChange={(e) => set('priority', e.target.value)}
          />
          {errorOf('priority')}
        </div>
        <div className="field">
          <label htmlFor={`${id}-delay`}>Delay (seconds)</label>
          <input
            id={`${id}-delay`}
            ref={(el) => {
              refs.current.delay = el;
            }}
            type="number"
            min={0}
            step="any"
            inputMode="decimal"
            value={values.delay}
            aria-invalid={errors.delay !== undefined}
            aria-describedby={describedBy('delay')}
            onChange={(e) => set('delay', e.target.value)}
          />
          {errorOf('delay')}
        </div>
        <div className="field">
          <label htmlFor={`${id}-retries`}>Retries</label>
          <input
            id={`${id}-retries`}
            ref={(el) => {
              refs.current.retries = el;
            }}
            type="number"
            min={0}
            step={1}
            inputMode="numeric"
            placeholder="default"
            value={values.retries}
            aria-invalid={errors.retries !== undefined}
            aria-describedby={describedBy('retries')}
            onChange={(e) => set('retries', e.target.value)}
          />
          {errorOf('retries')}
        </div>
      </div>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={sending}>
          {sending ? 'Enqueuing…' : 'Enqueue job'}
        </button>
      </div>
    </form>
  );
}
