import './states.css';
/** A short message about what an action did, announced to screen readers. */
export function Notice({
  message,
  tone = 'ok',
  onDismiss,
}: {
  readonly message: string | null;
  readonly tone?: 'ok' | 'error';
  readonly onDismiss?: () => void;
}) {
  return (
    <div className="notice-region" role={tone === 'error' ? 'alert' : 'status'} aria-live="polite">
      {message === null ? null : (
        <div className={`banner ${tone === 'error' ? 'banner-error' : 'banner-ok'}`}>
          <span>{message}</span>
          {onDismiss === undefined ? null : (
            <button type="button" className="link-button" onClick={onDismiss} aria-label="Dismiss">
              ×
            </button>
          )}
        </div>
      )}
    </div>
  );
}
