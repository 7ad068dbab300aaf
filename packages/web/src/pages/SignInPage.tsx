import { useEffect, useState, type FormEvent } from 'react';
import { describeError } from '../api/client.ts';
import { useSession } from '../session/session.tsx';

export const SignInPage = () => {
  const { signIn } = useSession();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => void (document.title = 'Sign in · NationPulse'), []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(username.trim(), password);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <main id="main" className="signin">
      <div className="signin-card">
        <div className="signin-brand">
          <svg viewBox="0 0 32 32" width="40" height="40" aria-hidden="true">
            <circle cx="16" cy="16" r="14" fill="currentColor" />
            <path d="M4 17h6l3-7 5 13 3-6h7" stroke="#fff" strokeWidth="2.5" fill="none" strokeLinejoin="round" />
          </svg>
          <span>NationPulse</span>
        </div>
        <h1>Sign in</h1>
        <p className="muted">Demographics, health and economy of the world's countries, with the history of every number.</p>
        <form onSubmit={(e) => void submit(e)} noValidate>
          <label htmlFor="username">Username</label>
          <input id="username" name="username" autoComplete="username" required value={username} onChange={(e) => setUsername(e.target.value)} autoFocus />
          <label htmlFor="password">Password</label>
          <input id="password" name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
          {error !== null && (
            <p className="callout callout-error" role="alert">
              {describeError(error)}
            </p>
          )}
          <button className="btn btn-primary btn-block" type="submit" disabled={busy || !username || !password}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
      </div>
    </main>
  );
};
