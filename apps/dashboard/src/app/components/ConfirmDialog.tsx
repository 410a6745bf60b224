import { type ReactNode, useEffect, useRef } from 'react';
import './dialog.css';

/** Settings of `ConfirmDialog`. */
export interface ConfirmDialogProps {
  readonly open: boolean;
  readonly title: string;
  readonly children: ReactNode;
  /** The confirm button's label, worded for what it acts on (`Cancel job`, `Cancel 3 jobs`). */
  readonly confirmLabel: string;
  /** The label of the button that closes it and changes nothing (`Keep it`, `Keep them`). */
  readonly keepLabel: string;
  /** Styles the confirm button as dangerous. */
  readonly danger?: boolean;
  /** Holds the confirm button (e.g. while counting). */
  readonly busy?: boolean;
  readonly onConfirm: () => void;
  readonly onClose: () => void;
}

/**
 * A modal confirmation on the native <dialog>: focus moves into it and stays there, Escape
 * closes it, and focus returns where it was.
 */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  keepLabel,
  danger = false,
  busy = false,
  onConfirm,
  onClose,
}: ConfirmDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog === null) return;
    if (open && !dialog.open) {
      if (typeof dialog.showModal === 'function') dialog.showModal();
      else dialog.setAttribute('open', '');
      dialog.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    } else if (!open && dialog.open) {
      if (typeof dialog.close === 'function') dialog.close();
      else dialog.removeAttribute('open');
    }
  }, [open]);

  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby="confirm-title"
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      {open ? (
        <form
          method="dialog"
          onSubmit={(event) => {
            event.preventDefault();
            if (!busy) onConfirm();
          }}
        >
          <h2 id="confirm-title">{title}</h2>
          <div className="dialog-body">{children}</div>
          <div className="dialog-actions">
            <button type="button" onClick={onClose}>
              {keepLabel}
            </button>
            <button
              type="submit"
              className={danger ? 'danger' : 'primary'}
              disabled={busy}
              data-autofocus
            >
              {confirmLabel}
            </button>
          </div>
        </form>
      ) : null}
    </dialog>
  );
}
