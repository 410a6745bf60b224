import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { read } from '../../api/client.js';
import { ApiError, describeError } from '../../api/errors.js';
import { useSession } from '../../api/session.js';
import type { HandlerInfo } from '../../api/types.js';
import {
  type EnqueueFormValues,
  FORM_FIELDS,
  type FormErrors,
  type FormField,
  fieldOfServerError,
  validateEnqueueForm,
} from '../../lib/enqueue-form.js';
import { navigate, useLocation } from '../../router.js';
import { initialValues, readCopy } from './copy.js';

/**
 * The New job form's state: its values (blank, a copy's, or the only handler's), the errors by
 * field, and `submit`, which checks, sends, and on a refusal shows the server's message on its
 * field and focuses it; `bind(field)` gives a control its ref, value and change handler.
 */
export function useEnqueueForm(handlers: readonly HandlerInfo[]) {
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
      const first = FORM_FIELDS.find((f) => checked.errors[f] !== undefined);
      if (first !== undefined) setFocusField(first);
      return;
    }
    setSending(true);
    try {
      const job = await read(client.api.jobs.$post({ json: checked.request }));
      const notice = job.created
        ? `Enqueued job #${job.id}.`
        : `Already queued as job #${job.id}: its unique key is held, so no new job was made.`;
      navigate(`/jobs/${job.id}`, { state: { notice } });
    } catch (error) {
      // The server's message is shown as it is: one rule, one message.
      const field = error instanceof ApiError ? fieldOfServerError(error.field) : 'form';
      setErrors({ [field]: describeError(error) });
      if (field !== 'form') setFocusField(field);
    } finally {
      setSending(false);
    }
  };

  const bind = (field: FormField) => ({
    ref: (el: HTMLElement | null) => {
      refs.current[field] = el;
    },
    value: values[field],
    onChange: (e: { target: { value: string } }) => set(field, e.target.value),
  });

  const handler = handlers.find((h) => h.name === values.handler);
  const method = handler?.methods.find((m) => m.name === values.method);
  return { id, errors, sending, handler, method, submit, bind };
}
