import { type FormEvent, useId, useState } from 'react';
import { useSession } from '../api/session.js';
import './sign-in.css';

/** Asks for the API token; it is kept in this tab's session storage, never in a URL. */
export function SignInPage() {
  const { signIn } = useSession();
  const id = useId();
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    const problem = await signIn(token);
    setBusy(false);
    setError(problem);
  };

  return (
    <main id="main" className="sign-in">
      <form
        className="panel sign-in-form"
        onSubmit={(e) => void submit(e)}
        aria-labelledby={`${id}-title`}
      >
        <h1 id={`${id}-title`}>Sign in to Jobs</h1>
        <p className="muted">This server needs its API token (JOBS_API_TOKEN).</p>
        <div className="field">
          <label htmlFor={`${id}-token`}>API token</label>
          <input
            id={`${id}-token`}
            type="password"
            autoComplete="current-password"
            // biome-ignore lint/a11y/noAutofocus: the only thing to do on this screen
            autoFocus
            value={token}
            aria-invalid={error !== null}
            aria-describedby={error === null ? `${id}-hint` : `${id}-error ${id}-hint`}
            onChange={(e) => setToken(e.target.value)}
          />
          {error === null ? null : (
            <p id={`${id}-error`} className="field-error" role="alert">
              {error}
            </p>
          )}
          <p id={`${id}-hint`} className="field-hint">
            Kept in this browser tab only and sent in the Authorization header, never in a URL.
          </p>
        </div>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
