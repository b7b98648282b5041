// `mintid credentials …`: the credential RPCs through the typed client.
import { choiceFlag, intFlag, timestampFlag, UsageError, uuidFlag, type Command, type OptionSpec, type ParsedArgs } from './args.js';
import { brandOption, connectionOptions, connectSupabase, EXIT_CODES_TEXT, reportError, snakeCase } from './connection.js';
import { endGraceCommand, graceOption, lifecycleSummary, revokeCommand, revokeOptions, rotateCommand } from './credentials-lifecycle.js';
import { EXIT } from './exit-codes.js';
import type { CredentialsClient } from '../client/credentials-client.js';

type Values = ParsedArgs['values'];

const pageOptions = {
  limit: { type: 'string', value: '1-200', description: 'items per page (default 50)' },
  cursor: { type: 'string', value: 'cursor', description: 'the next_cursor of a previous page' },
  all: { type: 'boolean', description: 'follow next_cursor to the last page' },
} as const satisfies Record<string, OptionSpec>;

const credentialOption = { credential: { type: 'string', value: 'uuid', required: true, description: 'the credential id' } } as const;
const reasonOption = { reason: { type: 'string', value: 'text', required: true, description: 'why (1-500 characters; kept in the audit trail)' } } as const;

function parseScopes(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter(Boolean);
}

function parseMetadata(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new UsageError('--metadata must be JSON, e.g. \'{"team":"erp"}\'');
  }
}

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

type Print = (human: string, json: unknown) => void;

/** A credentials subcommand: validates its flags first (usage errors), then calls the API. */
function subcommand(spec: Omit<Command, 'run' | 'options'> & { options: Record<string, OptionSpec> },
  action: (client: CredentialsClient, v: Values, brandId: string, print: Print) => Promise<void>): Command {
  return {
    ...spec,
    options: { ...brandOption, ...spec.options, ...connectionOptions },
    epilogue: EXIT_CODES_TEXT,
    async run({ values, json }) {
      const brandId = uuidFlag(values, 'brand')!;
      const print: Print = (human, data) => console.log(json ? JSON.stringify(snakeCase(data)) : human);
      try {
        const supabase = await connectSupabase(values);
        const { createCredentialsClient } = await import('../client/credentials-client.js');
        await action(createCredentialsClient(supabase), values, brandId, print);
        return EXIT.ok;
      } catch (error) {
        return reportError(json, error);
      }
    },
  };
}

const create = subcommand({
  summary: 'create a credential: the secret is generated and argon2id-hashed here, printed once',
  options: {
    name: { type: 'string', value: 'text', required: true, description: 'a name people recognise (1-120 characters)' },
    scopes: { type: 'string', value: 'a:b,c:d', required: true, description: 'comma-separated scopes, e.g. products:read,orders:write' },
    'client-id': { type: 'string', value: 'id', description: 'the client id (default: a generated mintid_ci_… id)' },
    metadata: { type: 'string', value: 'json', description: 'a JSON object kept with the credential' },
    'expires-at': { type: 'string', value: 'iso', description: 'expiry, ISO 8601 with offset, e.g. 2027-01-31T00:00:00Z' },
  },
}, async (client, v, brandId, print) => {
  const expiresAt = timestampFlag(v, 'expires-at');
  const metadata = parseMetadata(v.metadata as string | undefined);
  const issued = await client.createCredential({
    brandId, name: v.name as string, scopes: parseScopes(v.scopes as string),
    ...(v['client-id'] ? { clientId: v['client-id'] as string } : {}),
    ...(metadata !== undefined ? { metadata } : {}),
    ...(expiresAt ? { expiresAt } : {}),
  });
  print(
    `Created credential ${issued.credentialId}\n  client_id:     ${issued.clientId}\n  client_secret: ${issued.clientSecret}\n` +
      'The secret is shown only now and is stored nowhere but its argon2id hash. Keep it in your secret store.',
    issued,
  );
});

const list = subcommand({
  summary: "list the brand's credentials, newest first",
  options: {
    status: { type: 'string', value: 'status', description: 'active, expired or revoked' },
    ...pageOptions,
  },
}, async (client, v, brandId, print) => {
  const status = choiceFlag(v, 'status', ['active', 'expired', 'revoked'] as const);
  const limit = intFlag(v, 'limit');
  const result = await pages(v.all as boolean, (cursor) => client.listCredentials({
    brandId, ...(status ? { status } : {}), ...(limit !== undefined ? { limit } : {}), ...(cursor ? { cursor } : {}),
  }), v.cursor as string | undefined);
  const lines = result.items.map((c) => `${c.id}  ${c.status.padEnd(7)}  ${c.clientId}  ${c.name}  [${c.scopes.join(' ')}]${lifecycleSummary(c)}`);
  print([...lines, ...(result.nextCursor ? [`next cursor: ${result.nextCursor}`] : []), `${result.items.length} credential(s)`].join('\n'),
    result);
});

const rotate = subcommand({
  summary: 'give a credential a new secret (generated here, printed once); with --grace the old one keeps working that long',
  options: { ...credentialOption, ...reasonOption, ...graceOption },
}, rotateCommand);

const revoke = subcommand({
  summary: 'revoke a credential for good, or many at once (--credentials, --metadata): all or nothing',
  options: { ...revokeOptions, ...reasonOption },
}, revokeCommand);

const endGrace = subcommand({
  summary: 'end a rotation grace now: only the current secret works from here on',
  options: { ...credentialOption, ...reasonOption },
}, endGraceCommand);

const events = subcommand({
  summary: "the audit trail of the brand's credentials (or of one), newest first",
  options: {
    credential: { type: 'string', value: 'uuid', description: 'only the events of this credential' },
    ...pageOptions,
  },
}, async (client, v, brandId, print) => {
  const limit = intFlag(v, 'limit');
  const credentialId = uuidFlag(v, 'credential');
  const result = await pages(v.all as boolean, (cursor) => client.listEvents({
    brandId, ...(credentialId ? { credentialId } : {}), ...(limit !== undefined ? { limit } : {}), ...(cursor ? { cursor } : {}),
  }), v.cursor as string | undefined);
  const lines = result.items.map((e) => `${e.occurredAt}  ${e.action.padEnd(7)}  ${e.credentialId}  ${e.actor}${e.reason ? `  "${e.reason}"` : ''}`);
  print([...lines, ...(result.nextCursor ? [`next cursor: ${result.nextCursor}`] : []), `${result.items.length} event(s)`].join('\n'),
    result);
});

/** `mintid credentials <create|list|rotate|revoke|end-grace|events>`. */
export const credentialsCommand: Command = {
  summary: "manage a brand's API credentials",
  subcommands: { create, list, rotate, revoke, 'end-grace': endGrace, events },
  epilogue: EXIT_CODES_TEXT,
};
