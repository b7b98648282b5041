// The shared audit trail (SPEC §9, §13): one writer, a gapless hash chain per brand, append-only,
// a record's brand is its credential's brand, and round 1's events moved in unchanged.
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres, { type Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CHAIN_RECORD_COLUMNS, recordDigest, secretFingerprint, type ChainRecord } from '../../src/audit/chain.js';
import { migrate, migrationsDir } from '../../src/local/migrate.js';
import type { TestDatabase } from '../support/database.js';
import { CATEGORY, expectPgError } from '../support/errors.js';
import { createArgs, openSeededDatabase, phc, serviceCaller, userCaller, type BrandFixture } from '../support/fixtures.js';
import { databaseUrl } from '../support/urls.js';

let db: TestDatabase;
let f: BrandFixture;
beforeAll(async () => ({ db, f } = await openSeededDatabase()));
afterAll(() => db.close());

const chain = (sql: Sql, brandId: string) =>
  sql.unsafe<ChainRecord[]>(`select ${CHAIN_RECORD_COLUMNS} from mintid.audit_records r where r.brand_id = $1 order by r.seq`, [brandId]);

/** Checks seq 1..n, prev_digest links and every digest, recomputed in Node. */
function expectValidChain(records: ChainRecord[]): void {
  records.forEach((record, i) => {
    expect(record.seq).toBe(String(i + 1));
    expect(record.prev_digest?.toString('hex') ?? null).toBe(i === 0 ? null : records[i - 1]!.digest.toString('hex'));
    expect(recordDigest(record).toString('hex'), `digest of seq ${record.seq}`).toBe(record.digest.toString('hex'));
  });
}

async function credential(brandId = f.brandId): Promise<string> {
  return (await db.rpc<{ credential_id: string }>(serviceCaller, 'create_api_credential_record', createArgs(brandId))).credential_id;
}

describe('the hash chain', () => {
  it('numbers each brand\'s records 1, 2, 3 … and links every digest to the previous one', async () => {
    const a = await credential();
    await credential(f.otherBrandId);
    await db.rpc(serviceCaller, 'rotate_api_credential_secret_record', { _brand_id: f.brandId, _credential_id: a, _new_secret_hash: phc(), _reason: 'r' });
    await db.rpc(serviceCaller, 'revoke_api_credential_record', { _brand_id: f.brandId, _credential_id: a, _reason: 'gone' });
    const records = await chain(db.admin, f.brandId);
    expect(records.length).toBeGreaterThanOrEqual(3);
    expectValidChain(records);
    expectValidChain(await chain(db.admin, f.otherBrandId));
  });

  it('stays gapless under 12 concurrent writers in one brand', async () => {
    await Promise.all(Array.from({ length: 12 }, () => credential()));
    expectValidChain(await chain(db.admin, f.brandId));
  });

  it('hashes the same bytes whatever the session\'s TimeZone, DateStyle and extra_float_digits', async () => {
    const id = await db.operator.begin(async (tx) => {
      await tx`set local timezone = 'Pacific/Chatham'`;
      await tx`set local datestyle = 'SQL, DMY'`;
      await tx`set local intervalstyle = 'sql_standard'`;
      await tx`set local extra_float_digits = -10`;
      const [row] = await tx.unsafe(`select public.create_api_credential_record("_brand_id" => $1, "_name" => 'tz', "_client_id" => $2,
        "_client_secret_hash" => $3, "_scopes" => array['products:read']) as r`, [f.brandId, `tz.${Date.now()}`, phc()]);
      return (row!.r as { credential_id: string }).credential_id;
    });
    const records = await chain(db.admin, f.brandId);
    expect(records.some((r) => r.subject_id === id)).toBe(true);
    expectValidChain(records);
  });

  it('hashes reasons with quotes, control characters and non-ASCII text exactly', async () => {
    const id = await credential();
    await db.rpc(serviceCaller, 'revoke_api_credential_record', {
      _brand_id: f.brandId, _credential_id: id, _reason: 'a "quoted"\\ reason\twith\u0001 ctrl, é, 🔑 and \u2028',
    });
    expectValidChain(await chain(db.admin, f.brandId));
  });

  it('records the fingerprint of the new hash on created and rotated records, and none on revoked', async () => {
    const first = phc();
    const { credential_id: id } = await db.rpc<{ credential_id: string }>(serviceCaller, 'create_api_credential_record',
      createArgs(f.brandId, { _client_secret_hash: first }));
    const next = phc();
    await db.rpc(serviceCaller, 'rotate_api_credential_secret_record', { _brand_id: f.brandId, _credential_id: id, _new_secret_hash: next, _reason: 'r' });
    await db.rpc(serviceCaller, 'revoke_api_credential_record', { _brand_id: f.brandId, _credential_id: id, _reason: 'gone' });
    const rows = await db.admin`select action, secret_fingerprint from mintid.audit_records where credential_id = ${id} order by seq`;
    expect(rows.map((r) => [r.action, r.secret_fingerprint?.toString('hex') ?? null])).toEqual([
      ['created', secretFingerprint(first).toString('hex')],
      ['rotated', secretFingerprint(next).toString('hex')],
      ['revoked', null],
    ]);
  });

  it('never returns a fingerprint or digest from the event list', async () => {
    const id = await credential();
    const page = await db.rpc<{ items: Record<string, unknown>[] }>(userCaller(f.users.admin), 'list_api_credential_events',
      { _brand_id: f.brandId, _credential_id: id });
    const text = JSON.stringify(page);
    const [row] = await db.admin`select encode(secret_fingerprint, 'hex') as fp, encode(digest, 'hex') as digest
      from mintid.audit_records where credential_id = ${id}`;
    expect(text.includes(row!.fp as string)).toBe(false);
    expect(text.includes(row!.digest as string)).toBe(false);
  });
});

describe('the one writer', () => {
  it('refuses an action that no migration registered', async () => {
    await expect(db.asOwner((tx) => tx`select mintid.record_audit(${f.brandId}, 'brand', ${f.brandId}, 'brand_deleted', 'postgres')`))
      .rejects.toMatchObject({ code: 'XX000', message: expect.stringContaining('unregistered audit action') });
  });

  it('refuses a subject type outside brand, member, credential and secret when registering', async () => {
    await expect(db.asOwner((tx) => tx`insert into mintid.audit_actions (subject_type, action) values ('user', 'x')`))
      .rejects.toMatchObject({ code: '23514' });
  });

  it('refuses a credential record whose brand is not the credential\'s brand (composite foreign key)', async () => {
    const foreign = await credential(f.otherBrandId);
    await expect(db.asOwner((tx) => tx`select mintid.record_audit(${f.brandId}, 'credential', ${foreign}, 'revoked', 'postgres', 'forged')`))
      .rejects.toMatchObject({ code: '23503' });
  });

  it('refuses a record for a credential that does not exist', async () => {
    await expect(db.asOwner((tx) => tx`select mintid.record_audit(${f.brandId}, 'credential', gen_random_uuid(), 'revoked', 'postgres', 'forged')`))
      .rejects.toMatchObject({ code: '23503' });
  });

  it('clears the writer\'s one-insert marker, so a plain INSERT after it in the same transaction is refused', async () => {
    await expectPgError(db.asOwner(async (tx) => {
      await tx`select mintid.record_audit(${f.brandId}, 'brand', ${f.brandId}, 'brand_created', 'postgres')`;
      const [marker] = await tx`select current_setting('mintid.audit_insert', true) as m`;
      expect(marker!.m).toBe('');
      return tx`insert into mintid.audit_records (id, brand_id, seq, subject_type, subject_id, action, actor, occurred_at, digest)
        values (gen_random_uuid(), ${f.brandId}, 99999, 'brand', ${f.brandId}, 'brand_created', 'x', now(), '\\x00')`;
    }), { ...CATEGORY.conflict, reason: 'audit_insert_forbidden' });
  });

  it('lets the owner UPDATE no record, not even its details', async () => {
    await credential();
    await expectPgError(db.asOwner((tx) => tx`update mintid.audit_records set details = '{"x":1}' where brand_id = ${f.brandId}`), {
      ...CATEGORY.conflict, reason: 'event_immutable',
    });
  });
});

describe('round 1\'s events move into the trail', () => {
  const config = inject('database');
  const name = `mintid_m_${config.runId}_${process.pid}`;
  let admin: Sql;
  let dir: string;
  beforeAll(async () => {
    admin = postgres(config.adminUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name}`);
    dir = await mkdtemp(path.join(tmpdir(), 'mintid-round1-'));
    for (const file of await readdir(migrationsDir)) {
      if (file.startsWith('20261123')) await cp(path.join(migrationsDir, file), path.join(dir, file));
    }
  });
  afterAll(async () => {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps their ids, order, actors, reasons and times, chains them, and lists them as before', async () => {
    const url = databaseUrl(config.adminUrl, name);
    await migrate({ databaseUrl: url, dir });
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      const brand = '0c0c0c0c-0000-4000-8000-000000000001';
      const hashes = { a1: phc(), a2: phc(), b1: phc() };
      await sql`insert into mintid.brands (id, name) values (${brand}, 'Legacy')`;
      const call = async (fn: string, args: Record<string, unknown>) => {
        const keys = Object.keys(args);
        const [row] = await sql.unsafe(`select public.${fn}(${keys.map((k, i) => `"${k}" => $${i + 1}`).join(', ')}) as r`,
          keys.map((k) => args[k]) as never[]);
        return row!.r as Record<string, string>;
      };
      const a = (await call('create_api_credential_record', createArgs(brand, { _client_secret_hash: hashes.a1 }))).credential_id!;
      const b = (await call('create_api_credential_record', createArgs(brand, { _client_secret_hash: hashes.b1 }))).credential_id!;
      await call('rotate_api_credential_secret_record', { _brand_id: brand, _credential_id: a, _new_secret_hash: hashes.a2, _reason: 'routine' });
      await call('revoke_api_credential_record', { _brand_id: brand, _credential_id: b, _reason: 'retired' });
      const before = await sql`select id::text, credential_id::text, action::text, actor, reason, occurred_at
        from mintid.api_credential_events order by occurred_at, id`;
      const listedBefore = await call('list_api_credential_events', { _brand_id: brand });

      await migrate({ databaseUrl: url });
      const after = await sql`select id::text, credential_id::text, action, actor, reason, occurred_at
        from mintid.audit_records order by seq`;
      expect(after).toEqual(before);
      const records = await chain(sql, brand);
      expectValidChain(records);
      const fingerprints = Object.fromEntries(records.map((r) => [`${r.action}:${r.subject_id}`, r.secret_fingerprint?.toString('hex') ?? null]));
      expect(fingerprints).toEqual({
        [`created:${a}`]: null, // superseded by the rotation: only the latest secret change is known
        [`rotated:${a}`]: secretFingerprint(hashes.a2).toString('hex'),
        [`created:${b}`]: secretFingerprint(hashes.b1).toString('hex'),
        [`revoked:${b}`]: null,
      });
      const [gone] = await sql`select to_regclass('mintid.api_credential_events') as t`;
      expect(gone!.t).toBeNull();
      const listedAfter = await call('list_api_credential_events', { _brand_id: brand }) as unknown as { items: Record<string, unknown>[] };
      expect(listedAfter.items).toEqual((listedBefore as unknown as { items: Record<string, unknown>[] }).items
        .map((item) => ({ ...item, reason_code: null })));
      // The round-1 RPCs write through the new writer after the migration.
      await call('revoke_api_credential_record', { _brand_id: brand, _credential_id: a, _reason: 'after' });
      expectValidChain(await chain(sql, brand));
    } finally {
      await sql.end();
    }
  });
});
