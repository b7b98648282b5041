import type { Sql, TransactionSql } from 'postgres';
import { CHAIN_RECORD_COLUMNS, recordDigest, secretFingerprint, type ChainRecord } from './chain.js';

/** One break of the trail: where (brand and seq, when it has them) and what. Never a hash or secret. */
export interface AuditBreak {
  brandId: string | null;
  seq: string | null;
  what: string;
}

/** A brand's chain head: the last record's seq and digest (hex). Not secret; keep copies outside the database. */
export interface ChainHead {
  brandId: string;
  seq: string;
  digest: string;
}

export interface VerifyOptions {
  brandId?: string;
  /** Heads saved by an earlier run: each brand's chain must still hold that record with that digest. */
  anchors?: ChainHead[];
}

export interface VerifyReport {
  brands: number;
  records: number;
  credentials: number;
  /** Every verified brand's head now (brands with records only). */
  heads: ChainHead[];
  /** Every break found, schema breaks first, then brand by brand in seq order. */
  breaks: AuditBreak[];
}

/**
 * The table rules that must be in place, ENABLE ALWAYS. A trigger that is off now is a break; one
 * that was switched off and on again leaves no trace here, only in what it let through.
 */
const REQUIRED_TRIGGERS: [table: string, trigger: string][] = [
  ['api_credentials', 'guard_api_credential'],
  ['api_credentials', 'guard_secret_change'],
  ['api_credentials', 'refuse_api_credential_delete'],
  ['api_credentials', 'refuse_api_credential_truncate'],
  ['audit_records', 'guard_audit_record_insert'],
  ['audit_records', 'refuse_audit_record_update_delete'],
  ['audit_records', 'refuse_audit_record_truncate'],
];
/** Actions that set a credential's secret hash, whatever the database's registry now says. */
const SECRET_CHANGES = new Set(['created', 'rotated']);

interface CredentialFacts {
  created: string | null;
  revoked: string | null;
  revokedReason: string | null;
  rotated: string | null;
  /** seq and fingerprint of the latest secret change */
  secret: { seq: string; fingerprint: Buffer | null } | null;
}

interface CredentialRow {
  id: string;
  brand_id: string;
  client_secret_hash: string;
  revocation_reason: string | null;
  revoked: boolean;
  rotated: boolean;
  expired: boolean;
  status_function: string | null;
  status_token_lookup: string | null;
}

type Tx = TransactionSql<Record<string, never>>;

/**
 * Verifies the audit trail of every brand (or one): recomputes each record's digest in Node
 * (independently of any SQL function, which the owner could replace), checks seq 1, 2, 3 … and
 * the prev_digest links, and reconciles the trail with the rows: every credential has a created
 * record and belongs to the brand its records name; a credential is revoked exactly when it has a
 * revoked record, and the database says so too (the status function and the token endpoint's
 * lookup); the stored secret hash is the one the latest secret change recorded; a rotated row has
 * a rotated record. Reads one consistent snapshot. Reports every break; prints nothing.
 */
export async function verifyAuditTrail(sql: Sql, options: VerifyOptions = {}): Promise<VerifyReport> {
  return sql.begin('isolation level repeatable read read only', async (tx) => verifyInSnapshot(tx as Tx, options)) as Promise<VerifyReport>;
}

async function verifyInSnapshot(tx: Tx, options: VerifyOptions): Promise<VerifyReport> {
  const breaks: AuditBreak[] = [];
  const heads: ChainHead[] = [];
  const anchors = new Map((options.anchors ?? []).map((a) => [a.brandId, a]));
  await tx`set local search_path = pg_catalog`;
  breaks.push(...(await schemaBreaks(tx)));

  const brandIds = (await tx.unsafe<{ id: string }[]>(`
    select id::text as id from (select b.id from mintid.brands b union select r.brand_id from mintid.audit_records r) x
    where $1::uuid is null or id = $1::uuid order by 1`, [options.brandId ?? null])).map((r) => r.id);
  const actions = new Set((await tx`select subject_type || '.' || action as key from mintid.audit_actions`).map((r) => r.key as string));
  const credentialBrand = new Map((await tx`select id::text as id, brand_id::text as brand_id from mintid.api_credentials`)
    .map((r) => [r.id as string, r.brand_id as string]));

  let records = 0;
  let credentials = 0;
  for (const brandId of brandIds) {
    const facts = new Map<string, CredentialFacts>();
    const factsOf = (id: string) => facts.get(id) ?? facts.set(id, { created: null, revoked: null, revokedReason: null, rotated: null, secret: null }).get(id)!;
    let expectedSeq = 1n;
    let prev: Buffer | null = null;
    const chainBreak = (seq: string, what: string) => breaks.push({ brandId, seq, what });
    const anchor = anchors.get(brandId);
    let lastSeq: string | null = null;

    const cursor = tx.unsafe<ChainRecord[]>(
      `select ${CHAIN_RECORD_COLUMNS} from mintid.audit_records r where r.brand_id = $1 order by r.seq`, [brandId],
    ).cursor(500);
    for await (const batch of cursor) {
      for (const record of batch) {
        records += 1;
        const seq = BigInt(record.seq);
        if (seq !== expectedSeq) {
          chainBreak(record.seq, seq > expectedSeq
            ? `seq ${record.seq} follows seq ${expectedSeq - 1n}: ${seq - expectedSeq} record(s) missing`
            : `seq ${record.seq} repeats or goes back (expected ${expectedSeq})`);
        }
        if (!sameBytes(record.prev_digest, prev)) {
          chainBreak(record.seq, 'prev_digest is not the digest of the record before it (a record was removed, inserted or replaced)');
        }
        if (!sameBytes(recordDigest(record), record.digest)) {
          chainBreak(record.seq, `digest does not match the record's content (${record.subject_type} ${record.subject_id} ${record.action} was changed after it was written, or forged)`);
        }
        if (!actions.has(`${record.subject_type}.${record.action}`)) {
          chainBreak(record.seq, `action ${record.subject_type}.${record.action} is not a registered audit action`);
        }
        if (record.subject_type === 'credential') {
          const owner = credentialBrand.get(record.subject_id);
          if (record.credential_id !== record.subject_id) {
            chainBreak(record.seq, `credential record's credential_id is not its subject ${record.subject_id}`);
          } else if (owner === undefined) {
            chainBreak(record.seq, `record names credential ${record.subject_id}, which does not exist`);
          } else if (owner !== brandId) {
            chainBreak(record.seq, `record names credential ${record.subject_id} of another brand (${owner})`);
          } else {
            const f = factsOf(record.subject_id);
            if (record.action === 'created') f.created ??= record.seq;
            if (record.action === 'revoked' && f.revoked === null) {
              f.revoked = record.seq;
              f.revokedReason = record.reason;
            }
            if (record.action === 'rotated') f.rotated = record.seq;
            if (SECRET_CHANGES.has(record.action) || record.secret_fingerprint !== null) {
              f.secret = { seq: record.seq, fingerprint: record.secret_fingerprint };
            }
          }
        } else if (record.credential_id !== null) {
          chainBreak(record.seq, `${record.subject_type} record carries a credential_id`);
        }
        if (anchor && anchor.seq === record.seq && anchor.digest !== record.digest.toString('hex')) {
          chainBreak(record.seq, `digest differs from the anchor saved earlier: the chain was rewritten up to here`);
        }
        expectedSeq = seq + 1n;
        prev = record.digest;
        lastSeq = record.seq;
      }
    }

    if (lastSeq !== null && prev !== null) heads.push({ brandId, seq: lastSeq, digest: prev.toString('hex') });
    if (anchor && (lastSeq === null || BigInt(lastSeq) < BigInt(anchor.seq))) {
      breaks.push({ brandId, seq: anchor.seq, what: `the chain ends at seq ${lastSeq ?? 0} but the anchor saved earlier has seq ${anchor.seq}: records were removed from its end` });
    }

    const rows = await tx.unsafe<CredentialRow[]>(`
      select c.id::text as id, c.brand_id::text as brand_id, c.client_secret_hash, c.revocation_reason,
             c.revoked_at is not null as revoked, c.secret_rotated_at is not null as rotated,
             coalesce(c.expires_at <= now(), false) as expired,
             mintid.credential_status(c.revoked_at, c.expires_at) as status_function,
             public.lookup_api_credential_for_token(c.client_id) -> 'credential' ->> 'status' as status_token_lookup
      from mintid.api_credentials c where c.brand_id = $1 order by c.created_at, c.id`, [brandId]);
    for (const row of rows) {
      credentials += 1;
      const f = facts.get(row.id) ?? { created: null, revoked: null, revokedReason: null, rotated: null, secret: null };
      const at = (seq: string | null, what: string) => breaks.push({ brandId, seq, what: `credential ${row.id}: ${what}` });
      if (f.created === null) at(null, 'has no created record');
      if (row.revoked && f.revoked === null) at(null, 'is revoked but has no revoked record');
      if (!row.revoked && f.revoked !== null) at(f.revoked, 'has a revoked record but is not revoked (un-revoked)');
      if (row.revoked && f.revoked !== null && row.revocation_reason !== f.revokedReason) {
        at(f.revoked, 'its revocation reason differs from the one its revoked record holds');
      }
      if (row.rotated && f.rotated === null) at(null, 'has secret_rotated_at set but no rotated record');
      if (!row.rotated && f.rotated !== null) at(f.rotated, 'has a rotated record but no secret_rotated_at');
      if (f.secret === null || f.secret.fingerprint === null) {
        if (f.secret !== null) at(f.secret.seq, 'its latest secret change carries no fingerprint of the hash');
      } else if (!sameBytes(f.secret.fingerprint, secretFingerprint(row.client_secret_hash))) {
        at(f.secret.seq, 'the stored secret hash is not the one its latest secret change recorded (swapped without a rotated record)');
      }
      // The status as the row's columns give it, computed here: a replaced status function shows.
      const status = row.revoked ? 'revoked' : row.expired ? 'expired' : 'active';
      for (const [source, reported] of [['mintid.credential_status', row.status_function], ['the token lookup', row.status_token_lookup]] as const) {
        if (reported !== status) at(f.revoked, `${source} says ${reported ?? 'nothing'}, the row says ${status}`);
      }
    }
  }
  for (const anchor of anchors.values()) {
    if (!brandIds.includes(anchor.brandId) && (!options.brandId || options.brandId === anchor.brandId)) {
      breaks.push({ brandId: anchor.brandId, seq: anchor.seq, what: 'the brand has no audit records any more, but the anchor saved earlier has some' });
    }
  }
  return { brands: brandIds.length, records, credentials, heads, breaks };
}

async function schemaBreaks(tx: Tx): Promise<AuditBreak[]> {
  const breaks: AuditBreak[] = [];
  const triggers = await tx`
    select c.relname::text as table, t.tgname::text as trigger, t.tgenabled::text as enabled
    from pg_trigger t join pg_class c on c.oid = t.tgrelid
    where c.relnamespace = 'mintid'::regnamespace and not t.tgisinternal`;
  for (const [table, trigger] of REQUIRED_TRIGGERS) {
    const found = triggers.find((t) => t.table === table && t.trigger === trigger);
    if (!found) breaks.push({ brandId: null, seq: null, what: `table rule ${trigger} on mintid.${table} is missing` });
    else if (found.enabled !== 'A') {
      breaks.push({ brandId: null, seq: null, what: `table rule ${trigger} on mintid.${table} is not ENABLE ALWAYS (state ${found.enabled})` });
    }
  }
  const [fk] = await tx`
    select convalidated from pg_constraint
    where conrelid = 'mintid.audit_records'::regclass and conname = 'audit_records_credential_brand_fkey' and contype = 'f'`;
  if (!fk) breaks.push({ brandId: null, seq: null, what: 'foreign key audit_records (credential_id, brand_id) → api_credentials is missing' });
  else if (!fk.convalidated) breaks.push({ brandId: null, seq: null, what: 'foreign key audit_records (credential_id, brand_id) → api_credentials is NOT VALID' });
  return breaks;
}

function sameBytes(a: Buffer | null, b: Buffer | null): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && a.equals(b);
}

/** One line naming a break, for people: "brand <id>, seq <n>: <what>". */
export function describeBreak(b: AuditBreak): string {
  if (b.brandId === null) return `schema: ${b.what}`;
  return `brand ${b.brandId}${b.seq === null ? '' : `, seq ${b.seq}`}: ${b.what}`;
}
