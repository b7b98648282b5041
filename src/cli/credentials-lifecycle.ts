// The lifecycle parts of `mintid credentials` (SPEC §13): `rotate --grace <duration>`,
// `revoke --reason-code <code>`, revoking many (`--credentials <id,id>` or `--metadata k=v`),
// and `end-grace`. Kept apart from credentials.ts so the shared command file stays small.
import { choiceFlag, commaList, UsageError, uuidFlag, type OptionSpec } from './args.js';
import { listRule, quoted } from './client-refusals.js';
import type { Print as Printer } from './connection.js';
import { counted } from './list-output.js';
import type { CredentialsClient } from '../client/credentials-client.js';
// The client's limits without its zod schemas, so `mintid … --help` loads nothing heavy.
import { MAX_CREDENTIAL_IDS, MAX_GRACE_SECONDS, REVOCATION_REASON_CODES } from '../client/limits.js';

/** Why a credential was revoked (SPEC §13). */
export const REASON_CODES = REVOCATION_REASON_CODES;
type Values = Record<string, string | boolean | string[] | undefined>;

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** `90`, `90s`, `30m`, `24h`, `7d` → seconds (0–604800); anything else is a usage error. */
export function parseGrace(text: string): number {
  const match = /^([0-9]{1,7})([smhd]?)$/.exec(text.trim());
  const seconds = match ? Number(match[1]) * UNITS[match[2] || 's']! : NaN;
  if (!(seconds >= 0 && seconds <= MAX_GRACE_SECONDS)) {
    throw new UsageError('--grace must be a duration from 0 to 7d, e.g. 3600, 90m, 24h or 7d');
  }
  return seconds;
}

/** `integration=erp,region=eu` or a JSON object → the metadata the credentials must contain. */
export function parseMetadataSelector(text: string): Record<string, unknown> {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try {
      const value = JSON.parse(trimmed) as unknown;
      if (value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0) return value as Record<string, unknown>;
    } catch {
      // fall through to the usage error
    }
    throw new UsageError('--metadata must be key=value[,key=value] or a non-empty JSON object');
  }
  const pairs = trimmed.split(',').map((pair) => pair.trim()).filter(Boolean).map((pair) => {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError('--metadata must be key=value[,key=value] or a non-empty JSON object');
    return [pair.slice(0, eq).trim(), pair.slice(eq + 1).trim()] as const;
  });
  if (pairs.length === 0) throw new UsageError('--metadata must name at least one key=value');
  return Object.fromEntries(pairs);
}

function required(values: Values, name: string): string {
  const value = values[name] as string | undefined;
  if (!value) throw new UsageError(`--${name} is required`);
  return value;
}

/** `rotate --credential <id> --reason <text> [--grace <duration>]`. */
export async function rotateCommand(client: CredentialsClient, v: Values, brandId: string, print: Printer): Promise<void> {
  const graceSeconds = v.grace === undefined ? 0 : parseGrace(v.grace as string);
  const rotated = await client.rotateSecret({ brandId, credentialId: uuidFlag(v, 'credential')!, reason: required(v, 'reason'), graceSeconds });
  const after = rotated.previousSecretExpiresAt
    ? `The previous secret keeps working until ${rotated.previousSecretExpiresAt}; end it early with \`mintid credentials end-grace\`.`
    : 'The old secret no longer works.';
  print(`Rotated credential ${rotated.credentialId} at ${rotated.rotatedAt}\n  client_secret: ${rotated.clientSecret}\n` +
    `The new secret is shown only now. ${after}`,
  { credential_id: rotated.credentialId, rotated_at: rotated.rotatedAt, previous_secret_expires_at: rotated.previousSecretExpiresAt,
    client_secret: rotated.clientSecret });
}

/**
 * `revoke --reason <text> [--reason-code <code>]` with exactly one of `--credential <id>`,
 * `--credentials <id,id,…>` or `--metadata <k=v,…|json>`.
 */
export async function revokeCommand(client: CredentialsClient, v: Values, brandId: string, print: Printer): Promise<void> {
  const selectors = ['credential', 'credentials', 'metadata'].filter((name) => v[name] !== undefined);
  if (selectors.length !== 1) {
    throw new UsageError('revoke needs exactly one of --credential <id>, --credentials <id,id,…> or --metadata <key=value,…>');
  }
  const reason = required(v, 'reason');
  const reasonCode = choiceFlag(v, 'reason-code', REASON_CODES);
  if (v.credential !== undefined) {
    const revoked = await client.revokeCredential({ brandId, credentialId: uuidFlag(v, 'credential')!, reason, ...(reasonCode ? { reasonCode } : {}) });
    print(`Revoked credential ${revoked.credentialId} at ${revoked.revokedAt} (${reasonCode ?? 'unspecified'})`,
      { credential_id: revoked.credentialId, revoked_at: revoked.revokedAt, reason_code: reasonCode ?? 'unspecified' });
    return;
  }
  const selector = v.credentials !== undefined
    ? { credentialIds: commaList(v.credentials as string) }
    : { metadataContains: parseMetadataSelector(v.metadata as string) };
  const result = await client.revokeCredentials({ brandId, reason, ...selector, ...(reasonCode ? { reasonCode } : {}) });
  print([...result.credentialIds.map((id) => `Revoked credential ${id}`), `${counted(result.revoked, 'credential')} revoked at ${result.revokedAt} (${result.reasonCode})`].join('\n'),
    { revoked: result.revoked, credential_ids: result.credentialIds, revoked_at: result.revokedAt, reason_code: result.reasonCode });
}

/** `end-grace --credential <id> --reason <text>`. */
export async function endGraceCommand(client: CredentialsClient, v: Values, brandId: string, print: Printer): Promise<void> {
  const ended = await client.endRotationGrace({ brandId, credentialId: uuidFlag(v, 'credential')!, reason: required(v, 'reason') });
  print(`Ended the rotation grace of credential ${ended.credentialId} at ${ended.previousSecretExpiresAt}; only the current secret works now.`,
    { credential_id: ended.credentialId, previous_secret_expires_at: ended.previousSecretExpiresAt });
}

/** The lifecycle columns of a `list` line: grace, previous-secret use, rejected uses. */
export function lifecycleSummary(c: {
  previousSecretExpiresAt: string | null; previousSecretLastUsedAt: string | null; rejectedUseCount: number;
  lastRejectedUseAt: string | null; revocationReasonCode: string | null;
}): string {
  const parts: string[] = [];
  if (c.previousSecretExpiresAt && Date.parse(c.previousSecretExpiresAt) > Date.now()) {
    parts.push(`grace until ${c.previousSecretExpiresAt}${c.previousSecretLastUsedAt ? `, old secret last used ${c.previousSecretLastUsedAt}` : ', old secret unused'}`);
  }
  if (c.revocationReasonCode) parts.push(c.revocationReasonCode);
  if (c.rejectedUseCount > 0) parts.push(`rejected ${c.rejectedUseCount}× (last ${c.lastRejectedUseAt})`);
  return parts.length > 0 ? `  (${parts.join('; ')})` : '';
}

/** The options of the lifecycle subcommands, for the shared parser. */
export const graceOption = {
  grace: {
    type: 'string', value: 'duration', param: 'graceSeconds', rule: 'must be a duration from 0 to 7d, e.g. 3600, 90m, 24h or 7d',
    description: 'keep the old secret working this long: 3600, 90m, 24h, up to 7d (default 0)',
  },
} as const satisfies Record<string, OptionSpec>;
export const revokeOptions = {
  credential: { type: 'string', value: 'uuid', param: 'credentialId', rule: 'must be a UUID', description: 'the credential to revoke' },
  credentials: {
    type: 'string', value: 'uuid,uuid,…', param: 'credentialIds',
    rule: listRule('--credentials', { noun: 'credential id', max: MAX_CREDENTIAL_IDS, item: (text, position) => `id ${position} (${quoted(text)}) is not a UUID` }),
    description: `revoke these (at most ${MAX_CREDENTIAL_IDS}, all or nothing)`,
  },
  metadata: {
    type: 'string', value: 'key=value,…', param: 'metadataContains', rule: 'must name at least one key=value (or be a non-empty JSON object)',
    description: 'revoke every credential whose metadata contains these (or a JSON object)',
  },
  'reason-code': {
    type: 'string', value: 'code', rule: `must be one of ${REASON_CODES.join(', ')}`,
    description: `why, as a code: ${REASON_CODES.join(', ')} (default unspecified)`,
  },
} as const satisfies Record<string, OptionSpec>;
