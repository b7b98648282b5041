import { z } from 'zod';
import { argon2idPhcSchema } from '../secrets/phc.js';
import {
  CLIENT_ID_PATTERN, CREDENTIAL_NAME_MAX, MAX_CREDENTIAL_IDS, MAX_GRACE_SECONDS, MAX_SCOPES, PAGE_LIMIT_MAX, REASON_MAX,
  REVOCATION_REASON_CODES, SCOPE_LENGTH, SCOPE_PATTERN,
} from './limits.js';

export {
  CLIENT_ID_LENGTH, CLIENT_ID_PATTERN, CREDENTIAL_NAME_MAX, MAX_CREDENTIAL_IDS, MAX_GRACE_SECONDS, MAX_SCOPES, PAGE_LIMIT_MAX,
  REASON_MAX, REVOCATION_REASON_CODES, SCOPE_LENGTH, SCOPE_PATTERN,
} from './limits.js';

/** zod schemas: the single source of the client's parameter and result types. */

// Any 8-4-4-4-12 hex id, as PostgreSQL accepts (zod's uuid() is strict RFC 9562 and refuses e.g. the demo brand id).
const uuid = z.guid();
const timestamp = z.string().min(1);
const status = z.enum(['active', 'expired', 'revoked']);
const scope = z.string().min(SCOPE_LENGTH.min).max(SCOPE_LENGTH.max).regex(SCOPE_PATTERN, 'a scope is resource:action in lower case');
const metadata = z.record(z.string(), z.unknown());
const limit = z.number().int().min(1).max(PAGE_LIMIT_MAX);
const reasonCode = z.enum(REVOCATION_REASON_CODES);
const graceSeconds = z.number().int().min(0).max(MAX_GRACE_SECONDS);
/** Text as the database measures it: code points after trimming spaces, tabs, CR and LF at both ends. */
const trimmedText = (max: number) => z.string().refine((text) => {
  const length = [...text.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '')].length;
  return length >= 1 && length <= max;
}, `must be 1 to ${max} characters after trimming`);

export const createCredentialRecordParams = z.object({
  brandId: uuid,
  name: trimmedText(CREDENTIAL_NAME_MAX),
  clientId: z.string().regex(CLIENT_ID_PATTERN, 'client ids are 3–128 characters of A-Z a-z 0-9 . _ -'),
  clientSecretHash: argon2idPhcSchema,
  scopes: z.array(scope).min(1).max(MAX_SCOPES).refine((s) => new Set(s).size === s.length, 'scopes must be distinct'),
  metadata: metadata.optional(),
  expiresAt: z.union([z.string(), z.date()]).transform((v) => (v instanceof Date ? v.toISOString() : v)).nullable().optional(),
});
export const createCredentialParams = createCredentialRecordParams
  .omit({ clientSecretHash: true, clientId: true })
  .extend({ clientId: createCredentialRecordParams.shape.clientId.optional() });
const credentialReasonParams = z.object({ brandId: uuid, credentialId: uuid, reason: trimmedText(REASON_MAX) });
export const revokeCredentialParams = credentialReasonParams.extend({ reasonCode: reasonCode.optional() });
export const rotateSecretRecordParams = credentialReasonParams.extend({ newSecretHash: argon2idPhcSchema, graceSeconds: graceSeconds.optional() });
export const rotateSecretParams = credentialReasonParams.extend({ graceSeconds: graceSeconds.optional() });
export const endRotationGraceParams = credentialReasonParams;
/** Exactly one selector: ids (1–1000) or a non-empty metadata object the credentials contain. */
export const revokeCredentialsParams = z.object({
  brandId: uuid,
  reason: trimmedText(REASON_MAX),
  credentialIds: z.array(uuid).min(1).max(MAX_CREDENTIAL_IDS).optional(),
  metadataContains: metadata.refine((m) => Object.keys(m).length > 0, 'name at least one metadata key').optional(),
  reasonCode: reasonCode.optional(),
}).refine((p) => (p.credentialIds === undefined) !== (p.metadataContains === undefined), {
  message: 'pass exactly one of credentialIds and metadataContains',
});
export const listCredentialsParams = z.object({
  brandId: uuid, status: status.optional(), limit: limit.optional(), cursor: z.string().min(1).optional(),
});
export const listEventsParams = z.object({
  brandId: uuid, credentialId: uuid.optional(), limit: limit.optional(), cursor: z.string().min(1).optional(),
});

export const createResult = z.object({ ok: z.literal(true), credential_id: uuid })
  .transform((r) => ({ credentialId: r.credential_id }));
export const revokeResult = z.object({ ok: z.literal(true), credential_id: uuid, revoked_at: timestamp })
  .transform((r) => ({ credentialId: r.credential_id, revokedAt: r.revoked_at }));
export const rotateResult = z.object({
  ok: z.literal(true), credential_id: uuid, rotated_at: timestamp, previous_secret_expires_at: timestamp.nullable(),
}).transform((r) => ({ credentialId: r.credential_id, rotatedAt: r.rotated_at, previousSecretExpiresAt: r.previous_secret_expires_at }));
export const endRotationGraceResult = z.object({ ok: z.literal(true), credential_id: uuid, previous_secret_expires_at: timestamp })
  .transform((r) => ({ credentialId: r.credential_id, previousSecretExpiresAt: r.previous_secret_expires_at }));
export const revokeCredentialsResult = z.object({
  ok: z.literal(true), revoked: z.number().int().min(0), credential_ids: z.array(uuid), revoked_at: timestamp, reason_code: reasonCode,
}).transform((r) => ({ revoked: r.revoked, credentialIds: r.credential_ids, revokedAt: r.revoked_at, reasonCode: r.reason_code }));

const credentialItem = z.object({
  id: uuid, name: z.string(), client_id: z.string(), scopes: z.array(z.string()), metadata, status,
  created_at: timestamp, expires_at: timestamp.nullable(), secret_rotated_at: timestamp.nullable(),
  revoked_at: timestamp.nullable(), revocation_reason: z.string().nullable(), last_used_at: timestamp.nullable(),
  revocation_reason_code: reasonCode.nullable(), previous_secret_expires_at: timestamp.nullable(),
  previous_secret_last_used_at: timestamp.nullable(), last_rejected_use_at: timestamp.nullable(),
  rejected_use_count: z.number().int().min(0),
}).strict().transform((i) => ({
  id: i.id, name: i.name, clientId: i.client_id, scopes: i.scopes, metadata: i.metadata, status: i.status,
  createdAt: i.created_at, expiresAt: i.expires_at, secretRotatedAt: i.secret_rotated_at, revokedAt: i.revoked_at,
  revocationReason: i.revocation_reason, lastUsedAt: i.last_used_at,
  /** Set on revoked credentials (round-1 revocations read as `unspecified`). */
  revocationReasonCode: i.revocation_reason_code,
  /** End of the last rotation's grace (in the past once it ended); null when that rotation had none. */
  previousSecretExpiresAt: i.previous_secret_expires_at,
  /** Last exchange with the previous secret during its grace: when it went quiet, cut over. */
  previousSecretLastUsedAt: i.previous_secret_last_used_at,
  /** Correct secrets presented while refused (revoked, expired, previous secret after its grace). */
  lastRejectedUseAt: i.last_rejected_use_at,
  rejectedUseCount: i.rejected_use_count,
}));
const eventItem = z.object({
  id: uuid, credential_id: uuid, action: z.enum(['created', 'rotated', 'revoked', 'rotation_grace_ended', 'expiry_rewritten']), actor: z.string(),
  reason: z.string().nullable(), reason_code: z.string().nullable().optional(), occurred_at: timestamp,
}).strict().transform((e) => ({
  id: e.id, credentialId: e.credential_id, action: e.action, actor: e.actor, reason: e.reason,
  reasonCode: e.reason_code ?? null, occurredAt: e.occurred_at,
}));
const page = <T extends z.ZodTypeAny>(item: T) =>
  z.object({ ok: z.literal(true), items: z.array(item), next_cursor: z.string().nullable() })
    .transform((p) => ({ items: p.items as z.output<T>[], nextCursor: p.next_cursor }));
export const listCredentialsResult = page(credentialItem);
export const listEventsResult = page(eventItem);

export type CreateCredentialRecordParams = z.input<typeof createCredentialRecordParams>;
export type CreateCredentialParams = z.input<typeof createCredentialParams>;
export type RevokeCredentialParams = z.input<typeof revokeCredentialParams>;
export type RotateSecretRecordParams = z.input<typeof rotateSecretRecordParams>;
export type RotateSecretParams = z.input<typeof rotateSecretParams>;
export type EndRotationGraceParams = z.input<typeof endRotationGraceParams>;
export type RevokeCredentialsParams = z.input<typeof revokeCredentialsParams>;
export type RevocationReasonCode = z.infer<typeof reasonCode>;
export type ListCredentialsParams = z.input<typeof listCredentialsParams>;
export type ListEventsParams = z.input<typeof listEventsParams>;
export type CredentialStatus = z.infer<typeof status>;
export type CredentialSummary = z.output<typeof credentialItem>;
export type CredentialEvent = z.output<typeof eventItem>;
export type Page<T> = { items: T[]; nextCursor: string | null };
