// SPEC §13 tamper evidence: every way the table owner can rewrite history (issue 10 item 6) is
// caught by the verifier (src/audit/verify.ts, what `mintid audit verify` runs), which recomputes
// the chain in Node and reconciles it with the rows. Each case tampers in its own fresh database.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { CHAIN_RECORD_COLUMNS, recordDigest, type ChainRecord } from '../../src/audit/chain.js';
import { verifyAuditTrail, type AuditBreak, type ChainHead } from '../../src/audit/verify.js';
import { createTestDatabase, type TestDatabase, type Tx } from '../support/database.js';
import { CATEGORY, expectPgError } from '../support/errors.js';
import { createArgs, phc, seedBrands, serviceCaller, userCaller, type BrandFixture } from '../support/fixtures.js';

interface Scenario {
  db: TestDatabase;
  f: BrandFixture;
  /** active, rotated once, revoked */
  active: string;
  rotated: string;
  revoked: string;
  /** an active credential of the other brand */
  foreign: string;
  /** seq of a record by credential and action */
  seqOf(credentialId: string, action: string): Promise<string>;
}

let open: TestDatabase[] = [];
afterEach(async () => {
  await Promise.all(open.map((db) => db.close()));
  open = [];
});

async function scenario(): Promise<Scenario> {
  const db = await createTestDatabase();
  open.push(db);
  const f = await seedBrands(db);
  const create = async (brandId = f.brandId) =>
    (await db.rpc<{ credential_id: string }>(userCaller(f.users.admin), 'create_api_credential_record', createArgs(brandId))).credential_id;
  const active = await create();
  const rotated = await create();
  const revoked = await create();
  await db.rpc(userCaller(f.users.admin), 'rotate_api_credential_secret_record', { _brand_id: f.brandId, _credential_id: rotated, _new_secret_hash: phc(), _reason: 'routine' });
  await db.rpc(userCaller(f.users.admin), 'revoke_api_credential_record', { _brand_id: f.brandId, _credential_id: revoked, _reason: 'key leaked' });
  await db.rpc(userCaller(f.users.owner), 'add_brand_member', { _brand_id: f.brandId, _email: 'otherAdmin@example.test', _role: 'member' });
  const foreign = (await db.rpc<{ credential_id: string }>(serviceCaller, 'create_api_credential_record', createArgs(f.otherBrandId))).credential_id;
  const seqOf = async (credentialId: string, action: string) =>
    (await db.admin`select seq::text from mintid.audit_records where credential_id = ${credentialId} and action = ${action}`)[0]!.seq as string;
  return { db, f, active, rotated, revoked, foreign, seqOf };
}

const verify = (s: Scenario, brandId?: string) => verifyAuditTrail(s.db.admin, brandId ? { brandId } : {});
/** The first break of the brand. */
async function firstBreak(s: Scenario, brandId = s.f.brandId): Promise<AuditBreak | undefined> {
  return (await verify(s)).breaks.find((b) => b.brandId === brandId);
}
const owner = (s: Scenario, statements: (tx: Tx) => Promise<unknown>) => s.db.asOwner(statements);
const functionDef = async (s: Scenario, signature: string) =>
  (await s.db.admin`select pg_get_functiondef(${signature}::regprocedure) as def`)[0]!.def as string;

describe('an untouched trail', () => {
  it('verifies with no break, for every brand and for one', async () => {
    const s = await scenario();
    const all = await verify(s);
    expect(all.breaks).toEqual([]);
    expect(all.brands).toBe(2);
    expect(all.credentials).toBe(4);
    expect(all.records).toBeGreaterThanOrEqual(7);
    const one = await verify(s, s.f.otherBrandId);
    expect([one.brands, one.credentials, one.breaks]).toEqual([1, 1, []]);
  });

  it('verifies after expiry, brand creation and member changes too', async () => {
    const s = await scenario();
    await owner(s, (tx) => tx`update mintid.api_credentials set expires_at = now() - interval '1 second' where id = ${s.active}`);
    await s.db.rpc(serviceCaller, 'create_brand', { _name: 'Second', _owner_user_id: s.f.users.member });
    await s.db.rpc(userCaller(s.f.users.owner), 'set_brand_member_role', { _brand_id: s.f.brandId, _user_id: s.f.users.member, _role: 'admin' });
    expect((await verify(s)).breaks).toEqual([]);
  });
});

describe('un-revoking', () => {
  it('is caught after disabling the guard trigger, un-revoking and enabling it again', async () => {
    const s = await scenario();
    await owner(s, async (tx) => {
      await tx`alter table mintid.api_credentials disable trigger guard_api_credential`;
      await tx`update mintid.api_credentials set revoked_at = null, revoked_by = null, revocation_reason = null, revocation_reason_code = null where id = ${s.revoked}`;
      await tx`alter table mintid.api_credentials enable always trigger guard_api_credential`;
    });
    expect(await firstBreak(s)).toEqual({
      brandId: s.f.brandId, seq: await s.seqOf(s.revoked, 'revoked'),
      what: `credential ${s.revoked}: has a revoked record but is not revoked (un-revoked)`,
    });
  });

  it('is caught after replacing the guard with one that lets it through, and putting the guard back', async () => {
    const s = await scenario();
    const original = await functionDef(s, 'mintid.guard_api_credential()');
    await owner(s, async (tx) => {
      await tx.unsafe(`create or replace function mintid.guard_api_credential() returns trigger language plpgsql set search_path = '' as $$ begin return new; end $$`);
      await tx`update mintid.api_credentials set revoked_at = null, revoked_by = null, revocation_reason = null, revocation_reason_code = null where id = ${s.revoked}`;
      await tx.unsafe(original);
    });
    expect((await firstBreak(s))?.what).toMatch(/un-revoked/);
  });

  it('is caught when the status function is replaced to call a revoked credential active (the row untouched)', async () => {
    const s = await scenario();
    await owner(s, (tx) => tx.unsafe(`create or replace function mintid.credential_status(_revoked_at timestamptz, _expires_at timestamptz)
      returns text language sql stable set search_path = '' as $$ select 'active'::text $$`));
    const found = await firstBreak(s);
    expect(found).toEqual({
      brandId: s.f.brandId, seq: await s.seqOf(s.revoked, 'revoked'),
      what: `credential ${s.revoked}: mintid.credential_status says active, the row says revoked`,
    });
    // The token endpoint's own lookup goes through it, and the verifier says so as well.
    expect((await verify(s)).breaks.map((b) => b.what)).toContain(`credential ${s.revoked}: the token lookup says active, the row says revoked`);
  });

  it('is caught after ALTER COLUMN … TYPE … USING, which rewrites the table with every trigger still on', async () => {
    const s = await scenario();
    await owner(s, (tx) => tx.unsafe(`alter table mintid.api_credentials alter column revoked_at type timestamptz
      using (case when id = '${s.revoked}' then null else revoked_at end)`));
    const [row] = await s.db.admin`select revoked_at from mintid.api_credentials where id = ${s.revoked}`;
    expect(row!.revoked_at).toBeNull(); // the rewrite really un-revoked it
    const report = await verify(s);
    expect(report.breaks.filter((b) => b.brandId === null)).toEqual([]); // every trigger still on
    expect(report.breaks[0]?.what).toMatch(/un-revoked/);
  });
});

describe('rewriting a revocation reason', () => {
  it('is caught when the owner rewrites the row\'s reason with the guard disabled', async () => {
    const s = await scenario();
    await owner(s, async (tx) => {
      await tx`alter table mintid.api_credentials disable trigger guard_api_credential`;
      await tx`update mintid.api_credentials set revocation_reason = 'routine clean-up' where id = ${s.revoked}`;
      await tx`alter table mintid.api_credentials enable always trigger guard_api_credential`;
    });
    expect(await firstBreak(s)).toEqual({
      brandId: s.f.brandId, seq: await s.seqOf(s.revoked, 'revoked'),
      what: `credential ${s.revoked}: its revocation reason differs from the one its revoked record holds`,
    });
  });
});

describe('rewriting records', () => {
  it('catches a reason edited with the append-only trigger disabled (digest mismatch at that seq)', async () => {
    const s = await scenario();
    await owner(s, async (tx) => {
      await tx`alter table mintid.audit_records disable trigger refuse_audit_record_update_delete`;
      await tx`update mintid.audit_records set reason = 'routine maintenance' where credential_id = ${s.revoked} and action = 'revoked'`;
      await tx`alter table mintid.audit_records enable always trigger refuse_audit_record_update_delete`;
    });
    const found = await firstBreak(s);
    expect(found?.seq).toBe(await s.seqOf(s.revoked, 'revoked'));
    expect(found?.what).toMatch(/^digest does not match the record's content/);
  });

  it('catches a reason edited by ALTER COLUMN … TYPE … USING with the triggers on', async () => {
    const s = await scenario();
    const seq = await s.seqOf(s.rotated, 'rotated');
    await owner(s, (tx) => tx.unsafe(`alter table mintid.audit_records alter column reason type text
      using (case when credential_id = '${s.rotated}' and action = 'rotated' then 'nothing happened' else reason end)`));
    expect(await firstBreak(s)).toMatchObject({ seq, what: expect.stringMatching(/^digest does not match/) });
  });

  it('catches a record deleted from the middle of the chain with the trigger disabled', async () => {
    const s = await scenario();
    const seq = await s.seqOf(s.rotated, 'rotated');
    await owner(s, async (tx) => {
      await tx`alter table mintid.audit_records disable trigger refuse_audit_record_update_delete`;
      await tx`delete from mintid.audit_records where credential_id = ${s.rotated} and action = 'rotated'`;
      await tx`alter table mintid.audit_records enable always trigger refuse_audit_record_update_delete`;
    });
    const found = await firstBreak(s);
    expect(found).toMatchObject({ seq: String(Number(seq) + 1), what: expect.stringMatching(/follows seq .*1 record\(s\) missing/) });
  });

  it('catches the last record deleted (no gap left) by reconciling it with the row', async () => {
    const s = await scenario();
    await s.db.rpc(userCaller(s.f.users.admin), 'revoke_api_credential_record', { _brand_id: s.f.brandId, _credential_id: s.active, _reason: 'tail' });
    await owner(s, async (tx) => {
      await tx`alter table mintid.audit_records disable trigger refuse_audit_record_update_delete`;
      await tx`delete from mintid.audit_records where credential_id = ${s.active} and action = 'revoked'`;
      await tx`alter table mintid.audit_records enable always trigger refuse_audit_record_update_delete`;
    });
    const breaks = (await verify(s)).breaks;
    expect(breaks[0]).toEqual({ brandId: s.f.brandId, seq: null, what: `credential ${s.active}: is revoked but has no revoked record` });
  });

  it('catches a forged record inserted with the insert guard disabled', async () => {
    const s = await scenario();
    await owner(s, async (tx) => {
      await tx`alter table mintid.audit_records disable trigger guard_audit_record_insert`;
      await tx`insert into mintid.audit_records (id, brand_id, seq, subject_type, subject_id, credential_id, action, actor, reason, occurred_at, prev_digest, digest)
        select gen_random_uuid(), ${s.f.brandId}, max(seq) + 1, 'credential', ${s.active}, ${s.active}, 'rotated', 'postgres', 'forged', now(),
               (array_agg(digest order by seq desc))[1], sha256('forged')
        from mintid.audit_records where brand_id = ${s.f.brandId}`;
      await tx`alter table mintid.audit_records enable always trigger guard_audit_record_insert`;
    });
    const found = await firstBreak(s);
    expect(found?.what).toMatch(/^digest does not match the record's content \(credential .* rotated/);
  });

  it('catches a forged record written through the writer itself (a valid chain) by reconciliation', async () => {
    const s = await scenario();
    await owner(s, (tx) => tx`select mintid.record_audit(${s.f.brandId}, 'credential', ${s.active}, 'revoked', 'postgres', 'forged')`);
    const found = await firstBreak(s);
    expect(found?.what).toBe(`credential ${s.active}: has a revoked record but is not revoked (un-revoked)`);
  });

  it('catches a cross-brand record once the composite foreign key is dropped', async () => {
    const s = await scenario();
    await owner(s, async (tx) => {
      await tx`alter table mintid.audit_records drop constraint audit_records_credential_brand_fkey`;
      await tx`select mintid.record_audit(${s.f.brandId}, 'credential', ${s.foreign}, 'revoked', 'postgres', 'forged')`;
    });
    const report = await verify(s);
    expect(report.breaks[0]).toEqual({ brandId: null, seq: null, what: 'foreign key audit_records (credential_id, brand_id) → api_credentials is missing' });
    expect(report.breaks.find((b) => b.brandId === s.f.brandId)?.what)
      .toBe(`record names credential ${s.foreign} of another brand (${s.f.otherBrandId})`);
  });

  it('catches a cross-brand record even after the key is put back NOT VALID', async () => {
    const s = await scenario();
    await owner(s, async (tx) => {
      await tx`alter table mintid.audit_records drop constraint audit_records_credential_brand_fkey`;
      await tx`select mintid.record_audit(${s.f.brandId}, 'credential', ${s.foreign}, 'revoked', 'postgres', 'forged')`;
      await tx`alter table mintid.audit_records add constraint audit_records_credential_brand_fkey
        foreign key (credential_id, brand_id) references mintid.api_credentials (id, brand_id) not valid`;
    });
    const report = await verify(s);
    expect(report.breaks.map((b) => b.what)).toContain('foreign key audit_records (credential_id, brand_id) → api_credentials is NOT VALID');
    expect(report.breaks.some((b) => b.brandId === s.f.brandId && /of another brand/.test(b.what))).toBe(true);
  });
});

describe('swapping a secret hash', () => {
  it('is refused without the rotation columns, for the owner too', async () => {
    const s = await scenario();
    await expectPgError(owner(s, (tx) => tx`update mintid.api_credentials set client_secret_hash = ${phc()} where id = ${s.active}`), {
      ...CATEGORY.invalid, reason: 'rotation_columns_required',
    });
    await expectPgError(owner(s, (tx) => tx`update mintid.api_credentials set client_secret_hash = ${phc()} where id = ${s.rotated}`), {
      ...CATEGORY.invalid, reason: 'rotation_columns_required',
    });
  });

  it('is refused under session_replication_role = replica too', async () => {
    const s = await scenario();
    await expectPgError(s.db.admin.begin(async (tx) => {
      await tx`set local session_replication_role = replica`;
      return tx`update mintid.api_credentials set client_secret_hash = ${phc()}, secret_rotated_by = 'x' where id = ${s.rotated}`;
    }), { ...CATEGORY.invalid, reason: 'rotation_columns_required' });
  });

  it('is caught when the owner also forges the rotation columns (no rotated record for the new hash)', async () => {
    const s = await scenario();
    await owner(s, (tx) => tx`update mintid.api_credentials set client_secret_hash = ${phc()}, secret_rotated_at = now(), secret_rotated_by = 'postgres'
      where id = ${s.rotated}`);
    expect(await firstBreak(s)).toEqual({
      brandId: s.f.brandId, seq: await s.seqOf(s.rotated, 'rotated'),
      what: `credential ${s.rotated}: the stored secret hash is not the one its latest secret change recorded (swapped without a rotated record)`,
    });
  });

  it('is caught after disabling both guards, swapping the hash alone and enabling them again', async () => {
    const s = await scenario();
    await owner(s, async (tx) => {
      await tx`alter table mintid.api_credentials disable trigger guard_secret_change`;
      await tx`update mintid.api_credentials set client_secret_hash = ${phc()} where id = ${s.active}`;
      await tx`alter table mintid.api_credentials enable always trigger guard_secret_change`;
    });
    expect((await firstBreak(s))?.what).toMatch(new RegExp(`^credential ${s.active}: the stored secret hash is not the one`));
  });

  it('never names the hash or its fingerprint in a break', async () => {
    const s = await scenario();
    const swapped = phc();
    await owner(s, (tx) => tx`update mintid.api_credentials set client_secret_hash = ${swapped}, secret_rotated_at = now(), secret_rotated_by = 'x' where id = ${s.active}`);
    const text = JSON.stringify(await verify(s));
    expect(text).not.toContain('$argon2id$');
    const [fp] = await s.db.admin`select encode(secret_fingerprint, 'hex') as fp from mintid.audit_records where credential_id = ${s.active}`;
    expect(text).not.toContain(fp!.fp as string);
  });
});

describe('other owner moves', () => {
  it('names a table rule that is switched off right now', async () => {
    const s = await scenario();
    await owner(s, (tx) => tx`alter table mintid.audit_records disable trigger refuse_audit_record_update_delete`);
    expect((await verify(s)).breaks[0]).toEqual({
      brandId: null, seq: null, what: 'table rule refuse_audit_record_update_delete on mintid.audit_records is not ENABLE ALWAYS (state D)',
    });
  });

  it('names a table rule demoted from ALWAYS to ordinary (silenced under replica mode)', async () => {
    const s = await scenario();
    await owner(s, (tx) => tx`alter table mintid.api_credentials enable trigger guard_api_credential`);
    expect((await verify(s)).breaks[0]?.what).toBe('table rule guard_api_credential on mintid.api_credentials is not ENABLE ALWAYS (state O)');
  });

  it('catches a credential inserted by the owner without a created record', async () => {
    const s = await scenario();
    const id = randomUUID();
    await owner(s, (tx) => tx`insert into mintid.api_credentials (id, brand_id, name, client_id, client_secret_hash, scopes, created_by)
      values (${id}, ${s.f.brandId}, 'backdoor', ${`backdoor-${id.slice(0, 8)}`}, ${phc()}, ${['products:read']}, 'postgres')`);
    expect((await verify(s)).breaks.map((b) => b.what)).toContain(`credential ${id}: has no created record`);
  });

  it('catches a record with an action no migration registered', async () => {
    const s = await scenario();
    await owner(s, async (tx) => {
      await tx`insert into mintid.audit_actions (subject_type, action) values ('brand', 'brand_renamed')`;
      await tx`select mintid.record_audit(${s.f.brandId}, 'brand', ${s.f.brandId}, 'brand_renamed', 'postgres')`;
      await tx`delete from mintid.audit_actions where action = 'brand_renamed'`;
    });
    expect((await firstBreak(s))?.what).toBe('action brand.brand_renamed is not a registered audit action');
  });
});

describe('anchors: chain heads kept outside the database', () => {
  /** The owner rewrites a record's reason and recomputes every digest after it: a perfect forgery. */
  async function rewriteChainFrom(s: Scenario, seq: string, reason: string): Promise<void> {
    await owner(s, async (tx) => {
      await tx`alter table mintid.audit_records disable trigger refuse_audit_record_update_delete`;
      const records = await tx.unsafe<ChainRecord[]>(`select ${CHAIN_RECORD_COLUMNS} from mintid.audit_records r
        where r.brand_id = $1 order by r.seq`, [s.f.brandId]);
      let prev: Buffer | null = null;
      for (const record of records) {
        if (BigInt(record.seq) >= BigInt(seq)) {
          const changed: ChainRecord = { ...record, reason: record.seq === seq ? reason : record.reason, prev_digest: prev };
          const digest = recordDigest(changed);
          await tx`update mintid.audit_records set reason = ${changed.reason}, prev_digest = ${prev}, digest = ${digest} where id = ${record.id}`;
          prev = digest;
        } else {
          prev = record.digest;
        }
      }
      await tx`alter table mintid.audit_records enable always trigger refuse_audit_record_update_delete`;
    });
  }
  const headsOf = async (s: Scenario): Promise<ChainHead[]> => (await verify(s)).heads;

  it('reports each brand\'s head (last seq and digest) on a clean run', async () => {
    const s = await scenario();
    const heads = await headsOf(s);
    const [last] = await s.db.admin`select seq::text, encode(digest, 'hex') as digest from mintid.audit_records
      where brand_id = ${s.f.brandId} order by seq desc limit 1`;
    expect(heads).toContainEqual({ brandId: s.f.brandId, seq: last!.seq, digest: last!.digest });
    expect(heads).toHaveLength(2);
  });

  it('still verifies while new records are appended after the anchor', async () => {
    const s = await scenario();
    const anchors = await headsOf(s);
    await s.db.rpc(userCaller(s.f.users.admin), 'revoke_api_credential_record', { _brand_id: s.f.brandId, _credential_id: s.active, _reason: 'later' });
    expect((await verifyAuditTrail(s.db.admin, { anchors })).breaks).toEqual([]);
  });

  it('catches a chain rewritten with recomputed digests, which only an anchor can show', async () => {
    const s = await scenario();
    const anchors = await headsOf(s);
    const seq = await s.seqOf(s.rotated, 'rotated');
    await rewriteChainFrom(s, seq, 'nothing happened');
    expect((await verify(s)).breaks).toEqual([]); // a perfect forgery without an anchor
    const found = (await verifyAuditTrail(s.db.admin, { anchors })).breaks.find((b) => b.brandId === s.f.brandId);
    expect(found?.what).toBe('digest differs from the anchor saved earlier: the chain was rewritten up to here');
  });

  it('catches records removed from the end of the chain', async () => {
    const s = await scenario();
    const anchors = await headsOf(s);
    const anchor = anchors.find((a) => a.brandId === s.f.brandId)!;
    await owner(s, async (tx) => {
      await tx`alter table mintid.audit_records disable trigger refuse_audit_record_update_delete`;
      await tx`delete from mintid.audit_records where brand_id = ${s.f.brandId} and seq = ${anchor.seq}`; // the member_added record
      await tx`alter table mintid.audit_records enable always trigger refuse_audit_record_update_delete`;
    });
    expect((await verify(s)).breaks).toEqual([]); // nothing in the rows contradicts it
    expect((await verifyAuditTrail(s.db.admin, { anchors })).breaks).toEqual([{
      brandId: s.f.brandId, seq: anchor.seq,
      what: `the chain ends at seq ${BigInt(anchor.seq) - 1n} but the anchor saved earlier has seq ${anchor.seq}: records were removed from its end`,
    }]);
  });
});
