// `mintid env`: the local stack's URL and keys as shell `export` lines, for
// `eval "$(npx mintid env)"` in a second terminal. The keys are derived from the JWT secret of
// this environment, as `npm start` derives them; a demo user's token (the admin, or `--as owner`
// / `--as member`) only where the demo data is.
import { choiceFlag, type Command } from './args.js';
import { LOCAL_ENV_TEXT } from './start.js';

/** Single-quotes a value for POSIX shells. */
const shellQuote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

/** Whether the API at `url` knows the demo brand (asked with the service key; false if unreachable). */
async function demoBrandExists(url: string, serviceKey: string, brandId: string): Promise<boolean | null> {
  try {
    const res = await fetch(`${url}/rest/v1/rpc/list_api_credential_records`, {
      method: 'POST',
      headers: { apikey: serviceKey, Authorization: `Bearer ${serviceKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ _brand_id: brandId, _limit: 1 }),
      signal: AbortSignal.timeout(3_000),
    });
    await res.body?.cancel();
    return res.status === 200;
  } catch {
    return null;
  }
}

/** The demo users `--as` chooses from (src/local/keys.ts DEMO_USERS; repeated so `--help` loads nothing). */
const DEMO_ROLES = ['owner', 'admin', 'member'] as const;

export const envCommand: Command = {
  summary: 'print export lines (MINTID_URL, MINTID_KEY, MINTID_SERVICE_KEY, MINTID_TOKEN, MINTID_BRAND_ID) for the local stack',
  description: `Use it in a second terminal while \`npm start\` runs, with the same environment:

  eval "$(npx mintid env)"              # MINTID_TOKEN: the demo admin (manages credentials and secrets)
  eval "$(npx mintid env --as owner)"   # the demo owner: also manages members (mintid members add …)
  eval "$(npx mintid env --as member)"  # the demo member: sees what a member may not do

MINTID_URL is the stack running on the state directory (MINTID_STATE_DIR, default .mintid), as it
recorded itself in stack.pid there; an explicit MINTID_PORT wins; with neither, port 54321.
MINTID_KEY is the anon key, MINTID_SERVICE_KEY the service_role key (it bypasses every brand
check: keep it out of frontends), MINTID_TOKEN the access token of the demo user --as names and
MINTID_BRAND_ID the demo brand — those two only when the running stack has the demo data.`,
  options: {
    as: {
      type: 'string', value: 'role', default: 'admin',
      description: `whose access token becomes MINTID_TOKEN: the demo ${DEMO_ROLES.join(', ')}`,
    },
  },
  epilogue: LOCAL_ENV_TEXT,
  async run({ values }) {
    const as = choiceFlag(values, 'as', DEMO_ROLES)!;
    const [{ parseLocalEnv, assertJwtSecretFor }, { localKeys, DEMO_BRAND_ID, DEMO_USERS }] = await Promise.all([
      import('../local/config.js'), import('../local/keys.js'),
    ]);
    const env = parseLocalEnv();
    // The same rule as the stack's (npm start): with DATABASE_URL the secret must be set explicitly.
    try {
      assertJwtSecretFor(env);
    } catch {
      console.error('mintid: with DATABASE_URL set, the stack needs MINTID_JWT_SECRET set explicitly; set it as you did for `npm start`.');
      return 2;
    }
    const { localStackUrl } = await import('./local-url.js');
    const { url } = localStackUrl();
    const keys = await localKeys(env.MINTID_JWT_SECRET);
    const lines = [
      `export MINTID_URL=${shellQuote(url)}`,
      `export MINTID_KEY=${shellQuote(keys.anonKey)}`,
      `export MINTID_SERVICE_KEY=${shellQuote(keys.serviceRoleKey)}`,
    ];
    const demo = await demoBrandExists(url, keys.serviceRoleKey, DEMO_BRAND_ID);
    if (demo) {
      lines.push(`# MINTID_TOKEN: the demo ${as}, ${DEMO_USERS[as].email}`,
        `export MINTID_TOKEN=${shellQuote(keys.userTokens[as])}`, `export MINTID_BRAND_ID=${shellQuote(DEMO_BRAND_ID)}`);
    } else if (demo === null) {
      lines.push(`# nothing answers at ${url}: start the stack (npm start) for MINTID_TOKEN and MINTID_BRAND_ID`);
    } else {
      lines.push('# no demo brand in this database: sign in as a user of your own for MINTID_TOKEN');
    }
    console.log(lines.join('\n'));
    return 0;
  },
};
