// `mintid credentials …`: the credential RPCs through the typed client.
import { choiceFlag, commaList, intFlag, timestampFlag, UsageError, uuidFlag, type Command, type OptionSpec, type ParsedArgs } from './args.js';
import { listRule, quoted, textRule } from './client-refusals.js';
import {
  allPagesOption, brandOption, connectionOptions, connectSupabase, EXIT_CODES_TEXT, pageOptions as limitAndCursor, printer, reportError,
  type ActionContext, type Print,
} from './connection.js';
import { endGraceCommand, graceOption, lifecycleSummary, revokeCommand, revokeOptions, rotateCommand } from './credentials-lifecycle.js';
import { EXIT } from './exit-codes.js';
import { actorLabel, followPages as pages, memberEmails, pageSummary } from './list-output.js';
import { CLIENT_ID_LENGTH, CREDENTIAL_NAME_MAX, MAX_SCOPES, REASON_MAX, SCOPE_LENGTH, SCOPE_PATTERN } from '../client/limits.js';
import type { CredentialsClient } from '../client/credentials-client.js';

type Values = ParsedArgs['values'];

const pageOptions = { ...limitAndCursor, ...allPagesOption } as const satisfies Record<string, OptionSpec>;

const credentialOption = {
  credential: { type: 'string', value: 'uuid', required: true, param: 'credentialId', rule: 'must be a UUID', description: 'the credential id' },
} as const satisfies Record<string, OptionSpec>;
const reasonOption = {
  reason: { type: 'string', value: 'text', required: true, rule: textRule(REASON_MAX), description: `why (1-${REASON_MAX} characters; kept in the audit trail)` },
} as const satisfies Record<string, OptionSpec>;

/** `--scopes`: 1-50 distinct scopes, each resource:action in lower case, 3-64 characters. */
const scopesRule = listRule('--scopes', {
  noun: 'scope', max: MAX_SCOPES, distinct: true,
  item: (text, position) => (SCOPE_PATTERN.test(text) && text.length > SCOPE_LENGTH.max
    ? `scope ${position} is longer than ${SCOPE_LENGTH.max} characters`
    : `${quoted(text)} is not a scope (resource:action in lower case, e.g. products:read)`),
});

function parseMetadata(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new UsageError('--metadata must be JSON, e.g. \'{"team":"erp"}\'');
  }
}


/** A credentials subcommand: validates its flags first (usage errors), then calls the API. */
function subcommand(spec: Omit<Command, 'run' | 'options'> & { options: Record<string, OptionSpec> },
  action: (client: CredentialsClient, v: Values, brandId: string, print: Print, context: ActionContext) => Promise<void>): Command {
  const options = { ...brandOption, ...spec.options, ...connectionOptions };
  return {
    ...spec,
    options,
    epilogue: EXIT_CODES_TEXT,
    async run({ values, json }) {
      const brandId = uuidFlag(values, 'brand')!;
      const print = printer(json);
      try {
        const supabase = await connectSupabase(values);
        const { createCredentialsClient } = await import('../client/credentials-client.js');
        await action(createCredentialsClient(supabase), values, brandId, print, { supabase, json });
        return EXIT.ok;
      } catch (error) {
        return reportError(json, error, { options, values });
      }
    },
  };
}

const create = subcommand({
  summary: 'create a credential: the secret is generated and argon2id-hashed here, printed once',
  options: {
    name: {
      type: 'string', value: 'text', required: true, rule: textRule(CREDENTIAL_NAME_MAX),
      description: `a name people recognise (1-${CREDENTIAL_NAME_MAX} characters)`,
    },
    scopes: { type: 'string', value: 'a:b,c:d', required: true, rule: scopesRule, description: 'comma-separated scopes, e.g. products:read,orders:write' },
    'client-id': {
      type: 'string', value: 'id', rule: `must be ${CLIENT_ID_LENGTH.min} to ${CLIENT_ID_LENGTH.max} characters of A-Z a-z 0-9 . _ -`,
      description: 'the client id (default: a generated mintid_ci_… id)',
    },
    metadata: { type: 'string', value: 'json', rule: 'must be a JSON object, e.g. \'{"team":"erp"}\'', description: 'a JSON object kept with the credential' },
    'expires-at': {
      type: 'string', value: 'iso', rule: 'must be an ISO 8601 time with an offset, e.g. 2027-01-31T00:00:00Z',
      description: 'expiry, ISO 8601 with offset, e.g. 2027-01-31T00:00:00Z',
    },
  },
}, async (client, v, brandId, print) => {
  const expiresAt = timestampFlag(v, 'expires-at');
  const metadata = parseMetadata(v.metadata as string | undefined);
  const issued = await client.createCredential({
    brandId, name: v.name as string, scopes: commaList(v.scopes as string),
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
    status: { type: 'string', value: 'status', rule: 'must be one of active, expired, revoked', description: 'active, expired or revoked' },
    ...pageOptions,
  },
}, async (client, v, brandId, print) => {
  const status = choiceFlag(v, 'status', ['active', 'expired', 'revoked'] as const);
  const limit = intFlag(v, 'limit');
  const result = await pages(v.all as boolean, (cursor) => client.listCredentials({
    brandId, ...(status ? { status } : {}), ...(limit !== undefined ? { limit } : {}), ...(cursor ? { cursor } : {}),
  }), v.cursor as string | undefined);
  const lines = result.items.map((c) => `${c.id}  ${c.status.padEnd(7)}  ${c.clientId}  ${c.name}  [${c.scopes.join(' ')}]${lifecycleSummary(c)}`);
  print([...lines, pageSummary({ count: result.items.length, noun: 'credential', nextCursor: result.nextCursor,
    cursor: v.cursor as string | undefined, all: v.all as boolean, hasAll: true })].join('\n'), result);
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
    credential: { type: 'string', value: 'uuid', param: 'credentialId', rule: 'must be a UUID', description: 'only the events of this credential' },
    ...pageOptions,
  },
}, async (client, v, brandId, print, { supabase, json }) => {
  const limit = intFlag(v, 'limit');
  const credentialId = uuidFlag(v, 'credential');
  // The member list turns actors' user ids into e-mails (asked alongside the trail); --json keeps
  // the trail as recorded (and asks nothing more).
  const [result, emails] = await Promise.all([
    pages(v.all as boolean, (cursor) => client.listEvents({
      brandId, ...(credentialId ? { credentialId } : {}), ...(limit !== undefined ? { limit } : {}), ...(cursor ? { cursor } : {}),
    }), v.cursor as string | undefined),
    json ? new Map<string, string>() : memberEmails(supabase, brandId),
  ]);
  const lines = result.items.map((e) =>
    `${e.occurredAt}  ${e.action.padEnd(7)}  ${e.credentialId}  by ${actorLabel(e.actor, emails)}${e.reason ? `  "${e.reason}"` : ''}`);
  print([...lines, pageSummary({ count: result.items.length, noun: 'event', nextCursor: result.nextCursor,
    cursor: v.cursor as string | undefined, all: v.all as boolean, hasAll: true })].join('\n'), result);
});

/** `mintid credentials <create|list|rotate|revoke|end-grace|events>`. */
export const credentialsCommand: Command = {
  summary: "manage a brand's API credentials",
  subcommands: { create, list, rotate, revoke, 'end-grace': endGrace, events },
  epilogue: EXIT_CODES_TEXT,
};
