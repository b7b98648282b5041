import { parseArgs } from 'node:util';
import { createClient } from '@supabase/supabase-js';
import { z } from 'zod';
import { createCredentialsClient, type CredentialsClient } from '../client/credentials-client.js';
import { MintIdError } from '../client/errors.js';
import { endGraceCommand, lifecycleSummary, lifecycleUsage, LifecycleUsageError, revokeCommand, rotateCommand } from './credentials-lifecycle.js';
import { EXIT } from './exit-codes.js';

export const credentialsUsage = `Usage: mintid credentials <create|list|rotate|revoke|end-grace|events> [options]

  create  --name <text> --scopes <a:b,c:d> [--client-id <id>] [--metadata <json>] [--expires-at <iso>]
          generates the client secret here, sends only its argon2id hash, prints the secret once
  list    [--status active|expired|revoked] [--limit <1-200>] [--cursor <c>] [--all]
${lifecycleUsage}
  events  [--credential <uuid>] [--limit <1-200>] [--cursor <c>] [--all]

Every command:
  --brand <uuid>   the brand (env MINTID_BRAND_ID)
  --url <url>      the API URL (env MINTID_URL, default http://127.0.0.1:54321)
  --key <key>      the anon or service_role key (env MINTID_KEY)
  --token <jwt>    a signed-in user's access token (env MINTID_TOKEN); without it the key is the bearer
  --json           machine-readable output on stdout (errors as JSON on stderr)

Exit codes: 0 ok, 1 unexpected, 2 usage, 3 not authenticated, 4 forbidden, 5 invalid input,
6 conflict, 7 transport.`;

const connectionSchema = z.object({
  url: z.string().url('--url / MINTID_URL must be a URL'),
  key: z.string({ error: '--key or MINTID_KEY is required (the anon or service_role key)' }).min(1),
  token: z.string().min(1).optional(),
});

class UsageError extends Error {}

function connect(values: Record<string, unknown>): CredentialsClient {
  const parsed = connectionSchema.safeParse({
    url: values.url || process.env.MINTID_URL || 'http://127.0.0.1:54321',
    key: values.key || process.env.MINTID_KEY || undefined,
    token: values.token || process.env.MINTID_TOKEN || undefined,
  });
  if (!parsed.success) throw new UsageError(parsed.error.issues[0]!.message);
  const { url, key, token } = parsed.data;
  const supabase = createClient(url, key, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    ...(token ? { global: { headers: { Authorization: `Bearer ${token}` } } } : {}),
  });
  return createCredentialsClient(supabase);
}

function required(values: Record<string, unknown>, name: string, fallback?: string): string {
  const value = (values[name] as string | undefined) ?? fallback;
  if (!value) throw new UsageError(`--${name} is required`);
  return value;
}

function optionalInt(values: Record<string, unknown>, name: string): number | undefined {
  const value = values[name] as string | undefined;
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} must be a whole number`);
  return Number(value);
}

function parseMetadata(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new UsageError('--metadata must be JSON, e.g. \'{"team":"erp"}\'');
  }
}

const options = {
  brand: { type: 'string' }, url: { type: 'string' }, key: { type: 'string' }, token: { type: 'string' },
  json: { type: 'boolean', default: false }, name: { type: 'string' }, scopes: { type: 'string' },
  'client-id': { type: 'string' }, metadata: { type: 'string' }, 'expires-at': { type: 'string' },
  credential: { type: 'string' }, reason: { type: 'string' }, status: { type: 'string' },
  limit: { type: 'string' }, cursor: { type: 'string' }, all: { type: 'boolean', default: false },
  grace: { type: 'string' }, 'reason-code': { type: 'string' }, credentials: { type: 'string' },
} as const;

type Printer = (human: string, json: unknown) => void;

/** Follows next_cursor when --all is given; else one page. */
async function pages<T>(all: boolean, fetchPage: (cursor?: string) => Promise<{ items: T[]; nextCursor: string | null }>,
  first?: string): Promise<{ items: T[]; nextCursor: string | null }> {
  let page = await fetchPage(first);
  const items = [...page.items];
  while (all && page.nextCursor) {
    page = await fetchPage(page.nextCursor);
    items.push(...page.items);
  }
  return { items, nextCursor: page.nextCursor };
}

const subcommands: Record<string, (client: CredentialsClient, v: Record<string, unknown>, brandId: string, print: Printer) => Promise<void>> = {
  async create(client, v, brandId, print) {
    const scopes = required(v, 'scopes').split(',').map((s) => s.trim()).filter(Boolean);
    const issued = await client.createCredential({
      brandId, name: required(v, 'name'), scopes,
      ...(v['client-id'] ? { clientId: v['client-id'] as string } : {}),
      ...(v.metadata !== undefined ? { metadata: parseMetadata(v.metadata as string) } : {}),
      ...(v['expires-at'] ? { expiresAt: v['expires-at'] as string } : {}),
    });
    print(
      `Created credential ${issued.credentialId}\n  client_id:     ${issued.clientId}\n  client_secret: ${issued.clientSecret}\n` +
        'The secret is shown only now and is stored nowhere but its argon2id hash. Keep it in your secret store.',
      { credential_id: issued.credentialId, client_id: issued.clientId, client_secret: issued.clientSecret },
    );
  },
  async list(client, v, brandId, print) {
    const status = v.status as 'active' | 'expired' | 'revoked' | undefined;
    const limit = optionalInt(v, 'limit');
    const result = await pages(v.all as boolean, (cursor) => client.listCredentials({
      brandId, ...(status ? { status } : {}), ...(limit !== undefined ? { limit } : {}), ...(cursor ? { cursor } : {}),
    }), v.cursor as string | undefined);
    const lines = result.items.map((c) => `${c.id}  ${c.status.padEnd(7)}  ${c.clientId}  ${c.name}  [${c.scopes.join(' ')}]${lifecycleSummary(c)}`);
    print([...lines, ...(result.nextCursor ? [`next cursor: ${result.nextCursor}`] : []), `${result.items.length} credential(s)`].join('\n'),
      { items: result.items, next_cursor: result.nextCursor });
  },
  rotate: rotateCommand,
  revoke: revokeCommand,
  'end-grace': endGraceCommand,
  async events(client, v, brandId, print) {
    const limit = optionalInt(v, 'limit');
    const credentialId = v.credential as string | undefined;
    const result = await pages(v.all as boolean, (cursor) => client.listEvents({
      brandId, ...(credentialId ? { credentialId } : {}), ...(limit !== undefined ? { limit } : {}), ...(cursor ? { cursor } : {}),
    }), v.cursor as string | undefined);
    const lines = result.items.map((e) => `${e.occurredAt}  ${e.action.padEnd(7)}  ${e.credentialId}  ${e.actor}${e.reason ? `  "${e.reason}"` : ''}`);
    print([...lines, ...(result.nextCursor ? [`next cursor: ${result.nextCursor}`] : []), `${result.items.length} event(s)`].join('\n'),
      { items: result.items, next_cursor: result.nextCursor });
  },
};

/** `mintid credentials <sub> …`: the credential RPCs through the typed client. Returns the exit code. */
export async function credentialsCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const json = rest.includes('--json');
  const fail = (code: number, error: { code: string; message: string; reason?: string | null; hint?: string | null }) => {
    if (json) console.error(JSON.stringify({ error: { code: error.code, message: error.message, reason: error.reason ?? null, hint: error.hint ?? null } }));
    else console.error(`mintid: ${error.message}${error.reason ? ` (${error.reason})` : ''}${error.hint ? `\n  hint: ${error.hint}` : ''}`);
    return code;
  };
  const run = sub ? subcommands[sub] : undefined;
  if (!run) return fail(EXIT.usage, { code: 'usage', message: sub ? `unknown subcommand ${sub}\n\n${credentialsUsage}` : credentialsUsage });
  try {
    const { values } = parseArgs({ args: rest, options, allowPositionals: false, strict: true });
    const print: Printer = (human, data) => console.log(json ? JSON.stringify(data) : human);
    await run(connect(values), values, required(values, 'brand', process.env.MINTID_BRAND_ID), print);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof MintIdError) return fail(EXIT[error.code], error);
    if (error instanceof UsageError || error instanceof LifecycleUsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      return fail(EXIT.usage, { code: 'usage', message: (error as Error).message });
    }
    return fail(EXIT.unexpected, { code: 'unexpected', message: (error as Error).message });
  }
}
