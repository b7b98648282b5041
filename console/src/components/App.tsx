// The console: loads config.json, follows the supabase.auth session, and shows the sign-in page
// or the signed-in shell.
import type { Session } from '@supabase/supabase-js';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { createApi, type Api } from '../api.js';
import { loadConfig, type ConsoleConfig } from '../config.js';
import { Shell } from './Shell.js';
import { SignInPage } from './SignInPage.js';

function ConfiguredApp(props: { config: ConsoleConfig }) {
  const api: Api = useMemo(() => createApi(props.config), [props.config]);
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  useEffect(() => {
    api.supabase.auth.getSession().then(({ data }) => setSession(data.session));
    const { data } = api.supabase.auth.onAuthStateChange((_event, next) => setSession(next));
    return () => data.subscription.unsubscribe();
  }, [api]);
  if (session === undefined) return <p class="loading-screen" role="status">Loading…</p>;
  if (!session) return <SignInPage supabase={api.supabase} config={props.config} />;
  return <Shell api={api} config={props.config} session={session} />;
}

export function App() {
  const [config, setConfig] = useState<ConsoleConfig | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    loadConfig().then(setConfig, (failure: Error) => setError(failure.message));
  }, []);
  if (error) {
    return (
      <main class="auth-page" id="main">
        <div class="auth-card">
          <h1>The console is not configured</h1>
          <p class="notice notice-error" role="alert">{error}</p>
          <p>Put a <code>config.json</code> next to <code>index.html</code>:</p>
          <pre class="code-block"><code>{'{ "supabaseUrl": "https://<project>.supabase.co", "anonKey": "<anon key>" }'}</code></pre>
        </div>
      </main>
    );
  }
  if (!config) return <p class="loading-screen" role="status">Loading…</p>;
  return <ConfiguredApp config={config} />;
}
