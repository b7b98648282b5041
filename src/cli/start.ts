import path from 'node:path';
import { parseLocalEnv } from '../local/config.js';
import { DEMO_BRAND_ID } from '../local/keys.js';
import { startStack, type Stack } from '../local/stack.js';

/** What `npm start` prints: everything needed to make the first call. */
function banner(stack: Stack): string {
  const { url, keys } = stack;
  return `
MintID Credentials — local stack is up${stack.seeded ? ' (demo data added)' : ''}

  API URL        ${url}
  REST (RPC)     ${url}/rest/v1/rpc/<function>
  Token endpoint ${url}/functions/v1/token
  JWKS           ${url}/functions/v1/jwks
  Console        ${url}/console/
  Database       ${stack.databaseUrl}

  anon key         ${keys.anonKey}
  service_role key ${keys.serviceRoleKey}

  Demo brand ${DEMO_BRAND_ID}; access tokens of its users (local demo only):
  owner  ${keys.userTokens.owner}
  admin  ${keys.userTokens.admin}
  member ${keys.userTokens.member}
${stack.signingKeyCreated ? `\n  A new token signing key was written to ${path.join(stack.stateDir, 'signing-keys.json')}.\n` : ''}
Try it (curl, as the demo admin):

  curl -s ${url}/rest/v1/rpc/list_api_credential_records \\
    -H "apikey: ${keys.anonKey}" \\
    -H "Authorization: Bearer ${keys.userTokens.admin}" \\
    -H "Content-Type: application/json" \\
    -d '{"_brand_id": "${DEMO_BRAND_ID}"}'

Or with supabase-js:

  import { createClient } from '@supabase/supabase-js';
  const supabase = createClient('${url}', '<anon key>', {
    global: { headers: { Authorization: 'Bearer <admin token>' } },
  });
  const { data, error } = await supabase.rpc('list_api_credential_records', { _brand_id: '${DEMO_BRAND_ID}' });

Or with the CLI (the secret is generated and hashed locally, printed once):

  export MINTID_URL=${url} MINTID_KEY=<anon key> MINTID_TOKEN=<admin token>
  npx mintid credentials create --brand ${DEMO_BRAND_ID} --name "ERP sync" --scopes products:read,orders:write

Press Ctrl-C to stop.
`;
}

/** `mintid start` (npm start): runs the local stack until SIGINT or SIGTERM. */
export async function startCommand(): Promise<number> {
  const env = parseLocalEnv();
  console.log('Starting MintID Credentials…');
  const stack = await startStack(env, (line) => console.log(`  ${line}`));
  console.log(banner(stack));
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
      stack.stop().then(() => {
        clearTimeout(force);
        console.log('Stopped.');
        resolve(0);
      });
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
}
