// Migration 20261201000950 (issue 9 item 3): credentials stored with expires_at = 'infinity'
// before 20261201000700_expiry_bounds.sql are rewritten to null (no expiry), each with an
// `expiry_rewritten` audit record; revoked ones stay as stored (a revoked credential never changes
// again), and nothing else is touched. The old state is built the way it was built then: a
// database migrated only up to the migration before expiry bounds, credentials created through
// that state's RPCs; then the remaining migrations run.
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres, { type Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CHAIN_RECORD_COLUMNS, recordDigest, type ChainRecord } from '../../src/audit/chain.js';
import { verifyAuditTrail } from '../../src/audit/verify.js';
import { migrate, migrationsDir } from '../../src/local/migrate.js';
import { createArgs, phc } from '../support/fixtures.js';
import { databaseUrl } from '../support/urls.js';

const BRAND = '0c0c0c0c-0000-4000-8000-000000000950';
const OTHER_BRAND = '0c0c0c0c-0000-4000-8000-000000000951';

describe('expires_at infinity stored before the expiry bounds', () => {
  const config = inject('database');
  const name = `mintid_inf_${config.runId}_${process.pid}`;
  let admin: Sql;
  let sql: Sql;
  let dir: string;
  const ids: Record<'active' | 'rotated' | 'revoked' | 'finite' | 'none' | 'other' | 'minusInfinity', string> = {} as never;
  let finiteExpiry: string;
  let recordsBefore: { id: string; digest: string }[];

  /** An RPC as the SQL-console operator of the database under test (timestamps sent as text: 'infinity' is no JavaScript Date). */
  const call = async (fn: string, args: Record<string, unknown>) => {
    const keys = Object.keys(args);
    const param = (k: string, i: number) => (k === '_expires_at' ? `$${i + 1}::text::timestamptz` : `$${i + 1}`);
    const [row] = await sql.unsafe(`select public.${fn}(${keys.map((k, i) => `"${k}" => ${param(k, i)}`).join(', ')}) as r`,
      keys.map((k) => args[k]) as never[]);
    return row!.r as Record<string, unknown>;
  };
  const expiry = async (id: string) =>
    (await sql`select expires_at::text as e from mintid.api_credentials where id = ${id}`)[0]!.e as string | null;
  const recordsOf = (id: string) =>
    sql`select action, actor, reason, details from mintid.audit_records where credential_id = ${id} order by seq`;

  beforeAll(async () => {
    admin = postgres(config.adminUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name}`);
    dir = await mkdtemp(path.join(tmpdir(), 'mintid-before-expiry-bounds-'));
    for (const file of await readdir(migrationsDir)) {
      if (file < '20261201000700') await cp(path.join(migrationsDir, file), path.join(dir, file));
    }
    const url = databaseUrl(config.adminUrl, name);
    await migrate({ databaseUrl: url, dir });
    sql = postgres(url, { max: 1, onnotice: () => {} });
    await sql`insert into mintid.brands (id, name) values (${BRAND}, 'Legacy'), (${OTHER_BRAND}, 'Legacy two')`;
    const create = async (brand: string, expiresAt: string | null) =>
      (await call('create_api_credential_record', createArgs(brand, { _client_secret_hash: phc(), _expires_at: expiresAt }))).credential_id as string;
    finiteExpiry = new Date(Date.now() + 86_400_000).toISOString();
    ids.active = await create(BRAND, 'infinity');
    ids.rotated = await create(BRAND, 'infinity');
    ids.revoked = await create(BRAND, 'infinity');
    ids.finite = await create(BRAND, finiteExpiry);
    ids.none = await create(BRAND, null);
    ids.other = await create(OTHER_BRAND, 'infinity');
    ids.minusInfinity = await create(BRAND, null);
    // Only a direct SQL write could store '-infinity' (the RPC always refused the past).
    await sql`update mintid.api_credentials set expires_at = '-infinity' where id = ${ids.minusInfinity}`;
    await call('rotate_api_credential_secret_record', {
      _brand_id: BRAND, _credential_id: ids.rotated, _new_secret_hash: phc(), _reason: 'routine', _grace_seconds: 3600,
    });
    await call('revoke_api_credential_record', { _brand_id: BRAND, _credential_id: ids.revoked, _reason: 'retired' });
    expect(await expiry(ids.active)).toBe('infinity'); // the old state really holds it
    recordsBefore = await sql`select id::text, encode(digest, 'hex') as digest from mintid.audit_records order by brand_id, seq`;
    await migrate({ databaseUrl: url });
  }, 120_000);

  afterAll(async () => {
    await sql?.end();
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
    await rm(dir, { recursive: true, force: true });
  });

  it('rewrites an active credential\'s infinity to null and records it in its events', async () => {
    expect(await expiry(ids.active)).toBeNull();
    const records = await recordsOf(ids.active);
    expect(records.map((r) => r.action)).toEqual(['created', 'expiry_rewritten']);
    expect(records[1]).toMatchObject({
      actor: expect.any(String),
      reason: expect.stringContaining('infinity'),
      details: { previous_expires_at: 'infinity', expires_at: null, migration: '20261201000950' },
    });
    const [login] = await sql`select session_user::text as u`;
    expect(records[1]!.actor).toBe(login!.u);
    const events = await call('list_api_credential_events', { _brand_id: BRAND, _credential_id: ids.active }) as { items: { action: string }[] };
    expect(events.items.map((e) => e.action)).toEqual(['expiry_rewritten', 'created']);
  });

  it('keeps a rewritten credential active for the token endpoint, with no expiry', async () => {
    const found = await call('lookup_api_credential_for_token', { _client_id: (await sql`select client_id from mintid.api_credentials where id = ${ids.active}`)[0]!.client_id });
    expect(found).toMatchObject({ ok: true, credential: { status: 'active', expires_at: null } });
  });

  it('rewrites a credential inside a rotation grace without touching its previous secret', async () => {
    expect(await expiry(ids.rotated)).toBeNull();
    const [row] = await sql`select previous_secret_hash is not null as has_previous, previous_secret_expires_at > now() as grace_open
      from mintid.api_credentials where id = ${ids.rotated}`;
    expect(row).toEqual({ has_previous: true, grace_open: true });
    expect((await recordsOf(ids.rotated)).map((r) => r.action)).toEqual(['created', 'rotated', 'expiry_rewritten']);
  });

  it('rewrites them in every brand, each record in its own brand\'s chain', async () => {
    expect(await expiry(ids.other)).toBeNull();
    const [row] = await sql`select brand_id::text from mintid.audit_records where credential_id = ${ids.other} and action = 'expiry_rewritten'`;
    expect(row!.brand_id).toBe(OTHER_BRAND);
  });

  it('leaves a revoked credential as stored: it never changes again, and records nothing', async () => {
    expect(await expiry(ids.revoked)).toBe('infinity');
    expect((await recordsOf(ids.revoked)).map((r) => r.action)).toEqual(['created', 'revoked']);
    const [status] = await sql`select mintid.credential_status(revoked_at, expires_at)::text as s from mintid.api_credentials where id = ${ids.revoked}`;
    expect(status!.s).toBe('revoked');
  });

  it('leaves finite expiries and credentials without expiry alone', async () => {
    expect(Date.parse((await expiry(ids.finite))!)).toBe(Date.parse(finiteExpiry));
    expect(await expiry(ids.none)).toBeNull();
    expect((await recordsOf(ids.finite)).map((r) => r.action)).toEqual(['created']);
    expect((await recordsOf(ids.none)).map((r) => r.action)).toEqual(['created']);
  });

  it('appends to the chains without changing a record that was there, and the trail still verifies', async () => {
    const kept = await sql`select id::text, encode(digest, 'hex') as digest from mintid.audit_records
      where id = any(${recordsBefore.map((r) => r.id)}::uuid[]) order by brand_id, seq`;
    expect(kept).toEqual(recordsBefore);
    const chain = await sql.unsafe<ChainRecord[]>(`select ${CHAIN_RECORD_COLUMNS} from mintid.audit_records r where r.brand_id = $1 order by r.seq`, [BRAND]);
    chain.forEach((record, i) => {
      expect(record.seq).toBe(String(i + 1));
      expect(recordDigest(record).toString('hex')).toBe(record.digest.toString('hex'));
    });
    const report = await verifyAuditTrail(sql);
    expect(report.breaks).toEqual([]);
  });

  it('still refuses infinity afterwards, through the RPC and for the operator\'s own UPDATE', async () => {
    await expect(call('create_api_credential_record', createArgs(BRAND, { _client_secret_hash: phc(), _expires_at: 'infinity' })))
      .rejects.toMatchObject({ code: '22023' });
    await expect(sql`update mintid.api_credentials set expires_at = 'infinity' where id = ${ids.none}`).rejects.toMatchObject({ code: '22023' });
    expect(await expiry(ids.none)).toBeNull();
  });

  it('leaves -infinity as stored: it reads as expired, and null would bring the credential back', async () => {
    expect(await expiry(ids.minusInfinity)).toBe('-infinity');
    const [status] = await sql`select mintid.credential_status(revoked_at, expires_at)::text as s from mintid.api_credentials where id = ${ids.minusInfinity}`;
    expect(status!.s).toBe('expired');
    expect((await recordsOf(ids.minusInfinity)).map((r) => r.action)).toEqual(['created']);
  });

  it('could not have rewritten the revoked one either way: the table rule refuses any change to it', async () => {
    await expect(sql`update mintid.api_credentials set expires_at = null where id = ${ids.revoked}`).rejects.toMatchObject({ code: 'PT409', detail: 'credential_revoked' });
    expect(await expiry(ids.revoked)).toBe('infinity');
  });

  it('records exactly one expiry_rewritten per rewritten credential, none for the others', async () => {
    const rows = await sql`select credential_id::text as id, count(*)::int as n from mintid.audit_records
      where action = 'expiry_rewritten' group by credential_id order by credential_id`;
    expect(rows).toEqual([ids.active, ids.rotated, ids.other].sort().map((id) => ({ id, n: 1 })));
  });

  it('registers its action once, as not a secret change', async () => {
    const rows = await sql`select secret_change from mintid.audit_actions where subject_type = 'credential' and action = 'expiry_rewritten'`;
    expect(rows).toEqual([{ secret_change: false }]);
  });
});
