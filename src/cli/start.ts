import path from 'node:path';
import type { Command } from './args.js';
import type { Stack } from '../local/stack.js';
import type { DEMO_PASSWORDS } from '../local/auth/demo-users.js';
import type { DEMO_USERS } from '../local/keys.js';

type DemoUsers = typeof DEMO_USERS;
type DemoPasswords = typeof DEMO_PASSWORDS;

/** The environment of the local stack, listed in `mintid start --help` and `mintid env --help`. */
export const LOCAL_ENV_TEXT = `Environment:
  DATABASE_URL        a PostgreSQL of your own (a privileged login); default: the embedded server
  MINTID_PORT         API port (default 54321)
  MINTID_DB_PORT      embedded PostgreSQL port (default 54322)
  MINTID_JWT_SECRET   HS256 secret of the local keys and tokens (default: the documented demo secret)
  MINTID_STATE_DIR    local state: data, signing keys (default .mintid)
  MINTID_SIGNING_KEYS token signing keys (default: created in the state directory)`;

/** What `npm start` prints: everything needed to make the first call. */
export function banner(stack: Stack, demo: { brandId: string; users: DemoUsers; passwords: DemoPasswords }): string {
  const { url, keys } = stack;
  const { brandId: demoBrandId, users: DEMO_USERS, passwords: DEMO_PASSWORDS } = demo;
  return `
MintID Credentials — local stack is up${stack.seeded ? ' (demo data added)' : ''}

  API URL        ${url}
  REST (RPC)     ${url}/rest/v1/rpc/<function>
  OpenAPI        ${url}/rest/v1/
  Token endpoint ${url}/functions/v1/token
  JWKS           ${url}/functions/v1/jwks
  Auth           ${url}/auth/v1 ${stack.signInUnavailable ? '(UNAVAILABLE: answers 503, see below)' : '(e-mail + password sign-in, sign-up)'}
  Console        ${url}/console/ ${stack.signInUnavailable ? '(needs local sign-in, unavailable)' : '(sign in with a demo account below)'}
  Database       ${stack.databaseUrl}

  anon key         ${keys.anonKey}
  service_role key ${stack.demoJwtSecret ? keys.serviceRoleKey : '(not printed: it derives from your MINTID_JWT_SECRET; `npx mintid env` prints it on request)'}

  Demo brand ${demoBrandId}; access tokens of its users (local demo only):
  owner  ${keys.userTokens.owner}
  admin  ${keys.userTokens.admin}
  member ${keys.userTokens.member}

${stack.signInUnavailable ? `  Local sign-in is unavailable: ${stack.signInUnavailable}
  The access tokens above still work with the API and the CLI.
` : `  Demo sign-in (supabase.auth.signInWithPassword; local demo passwords):
  owner  ${DEMO_USERS.owner.email.padEnd(20)} ${DEMO_PASSWORDS.owner}
  admin  ${DEMO_USERS.admin.email.padEnd(20)} ${DEMO_PASSWORDS.admin}
  member ${DEMO_USERS.member.email.padEnd(20)} ${DEMO_PASSWORDS.member}
`}${stack.signingKeyCreated ? `\n  A new token signing key was written to ${path.join(stack.stateDir, 'signing-keys.json')}.\n` : ''}
Try it (curl, as the demo admin):

  curl -s ${url}/rest/v1/rpc/list_api_credential_records \\
    -H "apikey: ${keys.anonKey}" \\
    -H "Authorization: Bearer ${keys.userTokens.admin}" \\
    -H "Content-Type: application/json" \\
    -d '{"_brand_id": "${demoBrandId}"}'

Or with supabase-js (Node 20 has no WebSocket of its own: pass ws, installed here, as the realtime transport):

  import { createClient } from '@supabase/supabase-js';
  import WebSocket from 'ws';
  const supabase = createClient('${url}', '${keys.anonKey}', {
    global: { headers: { Authorization: 'Bearer ${keys.userTokens.admin}' } },
    realtime: { transport: WebSocket },
  });
  const { data, error } = await supabase.rpc('list_api_credential_records', { _brand_id: '${demoBrandId}' });

Or with the CLI, in a second terminal (the secret is generated and hashed locally, printed once):

  eval "$(npx mintid env)"
  npx mintid credentials create --name "ERP sync" --scopes products:read,orders:write

Members are managed by the owner: eval "$(npx mintid env --as owner)", then npx mintid members --help.

Press Ctrl-C to stop.
`;
}

/** `mintid start` (npm start): runs the local stack until SIGINT or SIGTERM. */
export const startCommand: Command = {
  summary: 'run the local stack (PostgreSQL, migrations, demo data, API on :54321 by default) until Ctrl-C',
  description: 'Configured by environment only; a second start in the same state directory says it is already running.',
  epilogue: LOCAL_ENV_TEXT,
  async run() {
    await import('../node-websocket.js'); // the token function's supabase-js, on Node 20
    const [{ parseLocalEnv }, { startStack }, { DEMO_BRAND_ID, DEMO_USERS }, { DEMO_PASSWORDS }] = await Promise.all([
      import('../local/config.js'), import('../local/stack.js'), import('../local/keys.js'), import('../local/auth/demo-users.js'),
    ]);
    const env = parseLocalEnv();
    console.log('Starting MintID Credentials…');
    const stack = await startStack(env, (line) => console.log(`  ${line}`));
    console.log(banner(stack, { brandId: DEMO_BRAND_ID, users: DEMO_USERS, passwords: DEMO_PASSWORDS }));
    return new Promise<number>((resolve) => {
      let stopping = false;
      const onSignal = (signal: NodeJS.Signals) => {
        if (stopping) return;
        stopping = true;
        console.log(`\n${signal}: stopping…`);
        const force = setTimeout(() => {
          console.error('Did not stop within 10 s; exiting.');
          resolve(1);
        }, 9_000);
        void stack.stop().then(() => {
          clearTimeout(force);
          console.log('Stopped.');
          resolve(0);
        });
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    });
  },
};
