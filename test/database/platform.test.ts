// The local Supabase platform (src/local/platform.sql) and the migrator (src/local/migrate.ts).
import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { migrate, migrationsDir } from '../../src/local/migrate.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { databaseUrl } from '../support/urls.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.close());

const sub = '7d3c1f6e-5f0b-4c1e-9a47-2b3f1e0d9c88';

describe('auth helpers behave as Supabase\'s', () => {
  it('read the request.jwt.claims JSON first', async () => {
    const row = await db.as({ role: 'authenticated', claims: { sub, email: 'a@example.test' } }, async (tx) =>
      (await tx`select auth.uid() as uid, auth.role() as role, auth.email() as email, auth.jwt() ->> 'sub' as jwt_sub`)[0]);
    expect(row).toEqual({ uid: sub, role: 'authenticated', email: 'a@example.test', jwt_sub: sub });
  });

  it('fall back to the legacy per-claim settings', async () => {
    const row = await db.as('operator', async (tx) => {
      await tx`select set_config('request.jwt.claim.sub', ${sub}, true), set_config('request.jwt.claim.role', 'authenticated', true),
                      set_config('request.jwt.claim.email', 'legacy@example.test', true)`;
      return (await tx`select auth.uid() as uid, auth.role() as role, auth.email() as email`)[0];
    });
    expect(row).toEqual({ uid: sub, role: 'authenticated', email: 'legacy@example.test' });
  });

  it('answer null without claims', async () => {
    const row = await db.as('operator', async (tx) => (await tx`select auth.uid() as uid, auth.role() as role, auth.jwt() as jwt`)[0]);
    expect(row).toEqual({ uid: null, role: null, jwt: null });
  });
});

describe('roles as hosted Supabase has them', () => {
  it('has anon, authenticated and service_role (BYPASSRLS), and authenticator as a NOINHERIT login member of all three', async () => {
    const roles = await db.admin`select rolname, rolcanlogin, rolinherit, rolbypassrls, rolsuper from pg_roles
      where rolname in ('anon', 'authenticated', 'service_role', 'authenticator') order by rolname`;
    expect(roles).toEqual([
      { rolname: 'anon', rolcanlogin: false, rolinherit: false, rolbypassrls: false, rolsuper: false },
      { rolname: 'authenticated', rolcanlogin: false, rolinherit: false, rolbypassrls: false, rolsuper: false },
      { rolname: 'authenticator', rolcanlogin: true, rolinherit: false, rolbypassrls: false, rolsuper: false },
      { rolname: 'service_role', rolcanlogin: false, rolinherit: false, rolbypassrls: true, rolsuper: false },
    ]);
    const [member] = await db.admin`select pg_has_role('authenticator', 'anon', 'member') and pg_has_role('authenticator', 'authenticated', 'member')
      and pg_has_role('authenticator', 'service_role', 'member') as all_three`;
    expect(member!.all_three).toBe(true);
  });

  it('owns everything with a role that is not a superuser', async () => {
    const owners = await db.admin`select distinct r.rolsuper from pg_class c join pg_roles r on r.oid = c.relowner
      where c.relnamespace = 'mintid'::regnamespace
      union select distinct r.rolsuper from pg_proc p join pg_roles r on r.oid = p.proowner where p.pronamespace in ('mintid'::regnamespace, 'public'::regnamespace)`;
    expect(owners).toEqual([{ rolsuper: false }]);
  });

  it('keeps hosted Supabase\'s default grants in public, which the migrations override per function', async () => {
    const [row] = await db.admin`select count(*)::int as n from pg_default_acl where defaclnamespace = 'public'::regnamespace`;
    expect(row!.n).toBeGreaterThan(0);
  });
});

describe('the migrator', () => {
  const config = inject('database');

  it('applies nothing on a second run', async () => {
    const result = await migrate({ databaseUrl: db.urls.admin });
    expect(result.applied).toEqual([]);
  });

  it('records every migration file, in name order', async () => {
    const files = (await readdir(migrationsDir)).filter((f) => f.endsWith('.sql')).map((f) => f.replace(/\.sql$/, '')).sort();
    const rows = await db.admin<{ name: string }[]>`select name from supabase_migrations.mintid_migrations order by id`;
    expect(rows.map((r) => r.name)).toEqual(files);
  });

  it('prepares an empty database from nothing', async () => {
    const name = `mintid_e_${config.runId}`;
    const admin = postgres(config.adminUrl, { max: 1, onnotice: () => {} });
    try {
      await admin.unsafe(`create database ${name}`);
      const result = await migrate({ databaseUrl: databaseUrl(config.adminUrl, name) });
      expect(result.applied.length).toBeGreaterThanOrEqual(9);
      const check = postgres(databaseUrl(config.adminUrl, name), { max: 1, onnotice: () => {} });
      const [row] = await check`select to_regprocedure('public.create_api_credential_record(uuid, text, text, text, text[], jsonb, timestamptz)') is not null as ok`;
      await check.end();
      expect(row!.ok).toBe(true);
    } finally {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  });

  it('leaves the database as it was when a migration fails', async () => {
    const name = `mintid_f_${config.runId}`;
    const admin = postgres(config.adminUrl, { max: 1, onnotice: () => {} });
    const dir = await mkdtemp(path.join(tmpdir(), 'mintid-migrations-'));
    try {
      await admin.unsafe(`create database ${name}`);
      await cp(migrationsDir, dir, { recursive: true });
      await writeFile(path.join(dir, '29991231235959_broken.sql'), 'create table mintid.half_done (id int);\nselect 1/0;\n');
      await expect(migrate({ databaseUrl: databaseUrl(config.adminUrl, name), dir })).rejects.toThrow(/division by zero/);
      const check = postgres(databaseUrl(config.adminUrl, name), { max: 1, onnotice: () => {} });
      const [row] = await check`select to_regnamespace('mintid') as schema, to_regclass('mintid.half_done') as half`;
      await check.end();
      expect(row).toEqual({ schema: null, half: null });
    } finally {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

