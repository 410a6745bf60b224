import type { ReactNode } from 'react';
import { ApiError, describeError } from '../api/errors.js';
import './states.css';

/** What to show when a read failed: the reason, and a way to try again. */
export function ErrorState({
  error,
  onRetry,
}: {
  readonly error: unknown;
  readonly onRetry?: () => void;
}) {
  const down = error instanceof ApiError && error.isNetwork;
  return (
    <div className="state-box state-error" role="alert">
      <h2>{down ? 'The API is not answering' : 'Something went wrong'}</h2>
      <p>{describeError(error)}</p>
      {down ? (
        <p className="muted">
          The dashboard keeps trying; this page updates once the server is back.
        </p>
      ) : null}
      {onRetry === undefined ? null : (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** A banner over data that could not be refreshed. */
export function StaleBanner({
  error,
  onRetry,
}: {
  readonly error: unknown;
  readonly onRetry: () => void;
}) {
  return (
    <div className="banner banner-warn" role="status">
      <span>Could not refresh: {describeError(error)} Showing the last data read.</span>
      <button type="button" className="link-button" onClick={onRetry}>
        Try again
      </button>
    </div>
  );
}

/** What to show when there is nothing to list. */
export function EmptyState({
  title,
  children,
}: {
  readonly title: string;
  readonly children?: ReactNode;
}) {
  return (
    <div className="state-box state-empty">
      <h2>{title}</h2>
      {children}
    </div>
  );
}

/** A placeholder while the first read runs. */
export function Loading({ label = 'Loading…' }: { readonly label?: string }) {
  return (
    <p className="loading" role="status" aria-live="polite">
      {label}
    </p>
  );
}
