import type { ReactNode } from 'react';
import type { FormField } from '../../lib/enqueue-form.js';

/** The attributes that tie a control to its label, hint and error. */
export interface ControlProps {
  readonly id: string;
  readonly 'aria-invalid': boolean;
  readonly 'aria-describedby': string | undefined;
}

/**
 * One labelled field of the form: renders the control `children` builds from `ControlProps`,
 * then the hint (when given) and the error (when there is one), both announced with it.
 */
export function Field({
  idBase,
  field,
  label,
  error,
  hint,
  children,
}: {
  /** The form's `useId()`; the control's id is `${idBase}-${field}`. */
  readonly idBase: string;
  readonly field: FormField;
  readonly label: string;
  readonly error: string | undefined;
  readonly hint?: ReactNode;
  readonly children: (control: ControlProps) => ReactNode;
}) {
  const id = `${idBase}-${field}`;
  const describedBy =
    [error === undefined ? null : `${id}-error`, hint === undefined ? null : `${id}-hint`]
      .filter((x) => x !== null)
      .join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-invalid': error !== undefined, 'aria-describedby': describedBy })}
      {hint === undefined ? null : (
        <div id={`${id}-hint`} className="field-hint">
          {hint}
        </div>
      )}
      {error === undefined ? null : (
        <p id={`${id}-error`} className="field-error" data-testid={`error-${field}`}>
          {error}
        </p>
      )}
    </div>
  );
}
