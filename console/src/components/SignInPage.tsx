// Sign in (and, where the project allows it, sign up) with supabase.auth, exactly as a frontend
// against hosted Supabase does. The local stack's demo accounts are listed to pick from.
import type { SupabaseClient } from '@supabase/supabase-js';
import { useState } from 'preact/hooks';
import type { ConsoleConfig } from '../config.js';
import { ErrorNotice } from './ErrorNotice.js';

export function SignInPage(props: { supabase: SupabaseClient; config: ConsoleConfig }) {
  const [mode, setMode] = useState<'sign-in' | 'sign-up'>('sign-in');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [info, setInfo] = useState<string | null>(null);

  async function submit(event: Event) {
    event.preventDefault();
    setPending(true);
    setError(null);
    setInfo(null);
    try {
      if (mode === 'sign-in') {
        const { error: failure } = await props.supabase.auth.signInWithPassword({ email, password });
        if (failure) setError(failure);
      } else {
        const { data, error: failure } = await props.supabase.auth.signUp({ email, password });
        if (failure) setError(failure);
        else if (!data.session) setInfo('Account created. Confirm your e-mail address, then sign in.');
      }
    } catch (failure) {
      setError(failure);
    } finally {
      setPending(false);
    }
  }

  const signingUp = mode === 'sign-up';
  return (
    <main class="auth-page" id="main">
      <div class="auth-card">
        <p class="brand-mark" aria-hidden="true">MintID</p>
        <h1>{signingUp ? 'Create your account' : 'Sign in to MintID Credentials'}</h1>
        <p class="muted">{signingUp ? 'Then create a brand and its API credentials.' : 'Manage the API credentials of your brands.'}</p>
        <form onSubmit={submit} class="stack">
          <label class="field">
            <span>Email</span>
            <input type="email" name="email" autoComplete="username" required value={email}
              onInput={(e) => setEmail(e.currentTarget.value)} />
          </label>
          <label class="field">
            <span>Password</span>
            <input type="password" name="password" autoComplete={signingUp ? 'new-password' : 'current-password'} required
              minLength={signingUp ? 8 : undefined} value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
            {signingUp ? <small class="muted">At least 8 characters.</small> : null}
          </label>
          <ErrorNotice error={error} />
          {info ? <p class="notice notice-info" role="status">{info}</p> : null}
          <button type="submit" class="button primary" disabled={pending}>
            {pending ? (signingUp ? 'Signing up…' : 'Signing in…') : (signingUp ? 'Sign up' : 'Sign in')}
          </button>
        </form>
        {props.config.signUp ? (
          <p class="switch-mode">
            {signingUp ? 'Already have an account? ' : 'New here? '}
            <button type="button" class="link-button" onClick={() => { setMode(signingUp ? 'sign-in' : 'sign-up'); setError(null); setInfo(null); }}>
              {signingUp ? 'Sign in instead' : 'Create an account'}
            </button>
          </p>
        ) : null}
        {!signingUp && props.config.demoAccounts.length > 0 ? (
          <section class="demo-accounts" aria-labelledby="demo-accounts-title">
            <h2 id="demo-accounts-title">Local demo accounts</h2>
            <p class="muted">The local stack's demo brand has one user of each role (local only, never for production).</p>
            <ul class="demo-list">
              {props.config.demoAccounts.map((account) => (
                <li key={account.email} class="demo-account">
                  <span class="demo-role">{account.role}</span>
                  <span class="demo-credentials">
                    <code class="demo-value">{account.email}</code>
                    {account.password ? <span>password <code class="demo-value">{account.password}</code></span> : <span class="muted">password printed by npm start</span>}
                  </span>
                  <button type="button" class="button small" aria-label={`Use the demo ${account.role} account`}
                    onClick={() => { setEmail(account.email); setPassword(account.password ?? ''); }}>Use</button>
                </li>
              ))}
            </ul>
          </section>
        ) : null}
      </div>
    </main>
  );
}
