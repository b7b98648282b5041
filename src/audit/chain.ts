import { createHash } from 'node:crypto';

/**
 * One audit record as the verifier reads it: raw columns, with the values whose text form could
 * depend on session settings already reduced to setting-free text (epoch microseconds, integers,
 * PostgreSQL's canonical jsonb text of `details`).
 */
export interface ChainRecord {
  id: string;
  brand_id: string;
  /** bigint as decimal text */
  seq: string;
  subject_type: string;
  subject_id: string;
  credential_id: string | null;
  action: string;
  actor: string;
  reason: string | null;
  /** `details::text`: PostgreSQL's canonical jsonb output */
  details: string;
  /** occurred_at as epoch microseconds, decimal text */
  occurred_at_us: string;
  secret_fingerprint: Buffer | null;
  prev_digest: Buffer | null;
  digest: Buffer;
}

/** The SELECT list that reads a ChainRecord from mintid.audit_records (alias `r`), built-ins only. */
export const CHAIN_RECORD_COLUMNS = `r.id::text as id, r.brand_id::text as brand_id, r.seq::text as seq,
  r.subject_type, r.subject_id::text as subject_id, r.credential_id::text as credential_id, r.action, r.actor,
  r.reason, r.details::text as details,
  (extract(epoch from r.occurred_at) * 1000000)::bigint::text as occurred_at_us,
  r.secret_fingerprint, r.prev_digest, r.digest`;

const integer = /^-?(0|[1-9][0-9]*)$/;

/** A JSON string as PostgreSQL's jsonb output writes it (same escapes as JSON.stringify). */
const jsonString = (value: string): string => JSON.stringify(value);

const hex = (bytes: Buffer | null): string => (bytes === null ? 'null' : jsonString(bytes.toString('hex')));

/** jsonb's key order: shorter keys first, then by bytes. */
function jsonbKeyOrder(a: string, b: string): number {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return ab.length - bb.length || Buffer.compare(ab, bb);
}

/**
 * The exact text the database hashes for a record (see the audit-trail migration): the jsonb text
 * of {v, id, brand_id, seq, subject_type, subject_id, credential_id, action, actor, reason,
 * details, occurred_at, secret_fingerprint, prev_digest}. Recomputed here, independently of any
 * SQL function, so a replaced function in the database cannot make a tampered record look right.
 */
export function canonicalRecordText(record: ChainRecord): string {
  if (!integer.test(record.seq) || !integer.test(record.occurred_at_us)) throw new Error('malformed seq or occurred_at');
  const fields: Record<string, string> = {
    v: '1',
    id: jsonString(record.id),
    brand_id: jsonString(record.brand_id),
    seq: record.seq,
    subject_type: jsonString(record.subject_type),
    subject_id: jsonString(record.subject_id),
    credential_id: record.credential_id === null ? 'null' : jsonString(record.credential_id),
    action: jsonString(record.action),
    actor: jsonString(record.actor),
    reason: record.reason === null ? 'null' : jsonString(record.reason),
    details: record.details,
    occurred_at: record.occurred_at_us,
    secret_fingerprint: hex(record.secret_fingerprint),
    prev_digest: hex(record.prev_digest),
  };
  const keys = Object.keys(fields).sort(jsonbKeyOrder);
  return `{${keys.map((key) => `${jsonString(key)}: ${fields[key]}`).join(', ')}}`;
}

/** SHA-256 of the record's canonical text: what its `digest` must be. */
export function recordDigest(record: ChainRecord): Buffer {
  return createHash('sha256').update(canonicalRecordText(record), 'utf8').digest();
}

/** SHA-256 of a PHC string: what a secret change's `secret_fingerprint` must be. */
export function secretFingerprint(phc: string): Buffer {
  return createHash('sha256').update(phc, 'utf8').digest();
}
