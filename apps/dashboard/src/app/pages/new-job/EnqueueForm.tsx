import type { HandlerInfo } from '../../api/types.js';
import { Field } from './Field.js';
import { ParamsHint } from './ParamsHint.js';
import { useEnqueueForm } from './useEnqueueForm.js';

/**
 * The form: handler and method from the registry, params as JSON, priority, delay, retries,
 * and an optional unique key with its window and states.
 */
export function EnqueueForm({ handlers }: { readonly handlers: readonly HandlerInfo[] }) {
  const { id, errors, sending, handler, method, submit, bind } = useEnqueueForm(handlers);
  const common = { idBase: id } as const;

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
        <Field {...common} field="handler" label="Handler" error={errors.handler}>
          {(control) => (
            <select {...control} {...bind('handler')}>
              <option value="">Choose a handler…</option>
              {handlers.map((h) => (
                <option key={h.name} value={h.name}>
                  {h.name}
                  {h.isolated ? ' (isolated)' : ''}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field {...common} field="method" label="Method" error={errors.method}>
          {(control) => (
            <select {...control} {...bind('method')} disabled={handler === undefined}>
              <option value="">Choose a method…</option>
              {handler?.methods.map((m) => (
                <option key={m.name} value={m.name}>
                  {m.name}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <Field
        {...common}
        field="params"
        label="Params (a JSON array of the arguments)"
        error={errors.params}
        hint={<ParamsHint method={method} />}
      >
        {(control) => (
          <textarea {...control} {...bind('params')} className="mono" rows={6} spellCheck={false} />
        )}
      </Field>
      <div className="form-row">
        <Field {...common} field="queue" label="Queue" error={errors.queue}>
          {(control) => <input {...control} {...bind('queue')} placeholder="default" />}
        </Field>
        <Field
          {...common}
          field="priority"
          label="Priority (higher runs first)"
          error={errors.priority}
        >
          {(control) => (
            <input {...control} {...bind('priority')} type="number" step={1} inputMode="numeric" />
          )}
        </Field>
        <Field {...common} field="delay" label="Delay (seconds)" error={errors.delay}>
          {(control) => (
            <input
              {...control}
              {...bind('delay')}
              type="number"
              min={0}
              step="any"
              inputMode="decimal"
            />
          )}
        </Field>
        <Field {...common} field="retries" label="Retries" error={errors.retries}>
          {(control) => (
            <input
              {...control}
              {...bind('retries')}
              type="number"
              min={0}
              step={1}
              inputMode="numeric"
              placeholder="default"
            />
          )}
        </Field>
      </div>
      <fieldset className="form-group">
        <legend>Unique job (optional)</legend>
        <div className="form-row">
          <Field
            {...common}
            field="uniqueKey"
            label="Unique key"
            error={errors.uniqueKey}
            hint="While a job with this key is unfinished, that job is shown instead of a new one."
          >
            {(control) => <input {...control} {...bind('uniqueKey')} placeholder="none" />}
          </Field>
          <Field
            {...common}
            field="uniqueFor"
            label="Unique for (seconds)"
            error={errors.uniqueFor}
            hint="Also while a finished one is younger than this (completed, unless states say)."
          >
            {(control) => (
              <input
                {...control}
                {...bind('uniqueFor')}
                type="number"
                min={0}
                step="any"
                inputMode="decimal"
                placeholder="none"
              />
            )}
          </Field>
          <Field
            {...common}
            field="uniqueStates"
            label="Finished states that hold the key"
            error={errors.uniqueStates}
            hint="Comma-separated: completed, failed, cancelled."
          >
            {(control) => <input {...control} {...bind('uniqueStates')} placeholder="default" />}
          </Field>
        </div>
      </fieldset>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={sending}>
          {sending ? 'Enqueuing…' : 'Enqueue job'}
        </button>
      </div>
    </form>
  );
}
