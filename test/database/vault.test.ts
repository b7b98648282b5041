// The local stand-in for Supabase Vault (src/local/vault.sql): the interface the migrations use on
// hosted Supabase (signatures, view, update semantics, unique names, delete, grants), and the
// cipher under it (authenticated, keyed outside anything the API roles or the owner can read).
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { migrate } from '../../src/local/migrate.js';
import { createTestDatabase, type Caller, type TestDatabase } from '../support/database.js';
import { expectPgError } from '../support/errors.js';
import { anonCaller, serviceCaller, userCaller } from '../support/fixtures.js';
import { databaseUrl } from '../support/urls.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.close());

/** Creates a secret as the migration owner (hosted's `postgres`) and returns its id. */
async function create(value: string, name: string | null = null, description?: string): Promise<string> {
  return db.asOwner(async (tx) => {
    const [row] = description === undefined
      ? await tx`select vault.create_secret(${value}, ${name}) as id`
      : await tx`select vault.create_secret(${value}, ${name}, ${description}) as id`;
    return row!.id as string;
  });
}

async function decrypted(id: string) {
  return db.asOwner(async (tx) => (await tx`
    select name, description, decrypted_secret, secret, created_at, updated_at from vault.decrypted_secrets where id = ${id}`)[0]);
}

describe('the interface hosted Supabase Vault has', () => {
  it('has create_secret and update_secret with hosted Vault\'s parameters, defaults and results', async () => {
    const rows = await db.admin`
      select p.proname, pg_get_function_arguments(p.oid) as args, pg_get_function_result(p.oid) as result
      from pg_proc p where p.pronamespace = 'vault'::regnamespace and p.proname in ('create_secret', 'update_secret')
      order by p.proname`;
    expect(rows).toEqual([
      {
        proname: 'create_secret', result: 'uuid',
        args: "new_secret text, new_name text DEFAULT NULL::text, new_description text DEFAULT ''::text, new_key_id uuid DEFAULT NULL::uuid",
      },
      {
        proname: 'update_secret', result: 'void',
        args: 'secret_id uuid, new_secret text DEFAULT NULL::text, new_name text DEFAULT NULL::text, '
          + 'new_description text DEFAULT NULL::text, new_key_id uuid DEFAULT NULL::uuid',
      },
    ]);
  });

  it('has the vault.secrets table and the vault.decrypted_secrets view with hosted Vault\'s columns', async () => {
    const columns = async (relation: string) => (await db.admin`
      select attname, format_type(atttypid, atttypmod) as type from pg_attribute
      where attrelid = ${relation}::regclass and attnum > 0 and not attisdropped order by attnum`)
      .map((c) => `${c.attname} ${c.type}`);
    const base = ['id uuid', 'name text', 'description text', 'secret text'];
    const tail = ['key_id uuid', 'nonce bytea', 'created_at timestamp with time zone', 'updated_at timestamp with time zone'];
    expect(await columns('vault.secrets')).toEqual([...base, ...tail]);
    expect(await columns('vault.decrypted_secrets')).toEqual([...base, 'decrypted_secret text', ...tail]);
  });

  it('lets the migration owner create, read decrypted and delete, as hosted lets postgres', async () => {
    const id = await create('s3kr3t value', null, 'for the tests');
    expect(await decrypted(id)).toMatchObject({ name: null, description: 'for the tests', decrypted_secret: 's3kr3t value' });
    await db.asOwner((tx) => tx`delete from vault.secrets where id = ${id}`);
    expect(await decrypted(id)).toBeUndefined();
    const [row] = await db.admin`select count(*)::int as n from vault.secrets where id = ${id}`;
    expect(row!.n).toBe(0);
  });

  it('defaults the description to the empty string and the name to null', async () => {
    const id = await db.asOwner(async (tx) => (await tx`select vault.create_secret('v') as id`)[0]!.id as string);
    expect(await decrypted(id)).toMatchObject({ name: null, description: '', decrypted_secret: 'v' });
  });

  it('keeps every UTF-8 value as it was given, up to 16 KiB', async () => {
    for (const value of ['ä€𝄞 ünïcødé 🔑', 'x'.repeat(16384), ' leading and trailing spaces ', 'line\nbreaks\ttabs']) {
      const id = await create(value);
      expect((await decrypted(id))!.decrypted_secret).toBe(value);
    }
  });

  it('update_secret changes only what is given and stamps updated_at', async () => {
    const id = await create('first', `upd-${Date.now()}`, 'desc one');
    const before = await decrypted(id);
    await db.asOwner((tx) => tx`select vault.update_secret(${id}, new_description => 'desc two')`);
    const described = await decrypted(id);
    expect(described).toMatchObject({ name: before!.name, description: 'desc two', decrypted_secret: 'first' });
    expect(described!.secret).toBe(before!.secret);
    expect((described!.updated_at as Date).getTime()).toBeGreaterThanOrEqual((before!.updated_at as Date).getTime());
    await db.asOwner((tx) => tx`select vault.update_secret(${id}, 'second')`);
    const replaced = await decrypted(id);
    expect(replaced).toMatchObject({ name: before!.name, description: 'desc two', decrypted_secret: 'second' });
    expect(replaced!.secret).not.toBe(before!.secret);
    expect(replaced!.created_at).toEqual(before!.created_at);
    await db.asOwner((tx) => tx`select vault.update_secret(${id}, null, 'renamed-' || ${id})`);
    expect((await decrypted(id))!.name).toBe(`renamed-${id}`);
  });

  it('update_secret of an unknown id changes nothing and raises nothing, as hosted', async () => {
    const [{ n: before }] = await db.admin`select count(*)::int as n from vault.secrets` as unknown as [{ n: number }];
    await db.asOwner((tx) => tx`select vault.update_secret('00000000-0000-4000-8000-000000000000', 'x', 'y', 'z')`);
    const [{ n: after }] = await db.admin`select count(*)::int as n from vault.secrets` as unknown as [{ n: number }];
    expect(after).toBe(before);
  });

  it('keeps a name unique across the whole vault (23505), while unnamed secrets are many', async () => {
    const name = `unique-${Date.now()}`;
    await create('a', name);
    await expectPgError(create('b', name), { code: '23505' });
    const other = await create('c', `${name}-2`);
    await expectPgError(db.asOwner((tx) => tx`select vault.update_secret(${other}, null, ${name})`), { code: '23505' });
    await create('d');
    await create('e');
  });

  it('refuses a null secret or description with the NOT NULL constraint (23502), as hosted', async () => {
    await expectPgError(db.asOwner((tx) => tx`select vault.create_secret(null)`), { code: '23502' });
    await expectPgError(db.asOwner((tx) => tx`select vault.create_secret('v', null, null)`), { code: '23502' });
  });

  it('gives the owner and service_role what hosted gives postgres and service_role, and nothing to anon or authenticated', async () => {
    const privileges = async (role: string) => (await db.admin`
      select has_schema_privilege(${role}, 'vault', 'usage') as usage,
             has_table_privilege(${role}, 'vault.secrets', 'select') as select_secrets,
             has_table_privilege(${role}, 'vault.secrets', 'delete') as delete_secrets,
             has_table_privilege(${role}, 'vault.secrets', 'insert') or has_table_privilege(${role}, 'vault.secrets', 'update') as write_secrets,
             has_table_privilege(${role}, 'vault.decrypted_secrets', 'select') as select_decrypted,
             has_function_privilege(${role}, 'vault.create_secret(text, text, text, uuid)', 'execute') as create_secret,
             has_function_privilege(${role}, 'vault.update_secret(uuid, text, text, text, uuid)', 'execute') as update_secret,
             has_function_privilege(${role}, 'vault._crypto_aead_det_encrypt(bytea, bytea, bigint, bytea, bytea)', 'execute') as encrypt`)[0];
    const hosted = {
      usage: true, select_secrets: true, delete_secrets: true, write_secrets: false, select_decrypted: true,
      create_secret: true, update_secret: true, encrypt: false,
    };
    expect(await privileges(db.ownerRole)).toEqual(hosted);
    expect(await privileges('service_role')).toEqual(hosted);
    const none = {
      usage: false, select_secrets: false, delete_secrets: false, write_secrets: false, select_decrypted: false,
      create_secret: false, update_secret: false, encrypt: false,
    };
    expect(await privileges('anon')).toEqual(none);
    expect(await privileges('authenticated')).toEqual(none);
  });

  it.each([['anon', anonCaller], ['authenticated', userCaller('00000000-0000-4000-8000-0000000000aa')]] as [string, Caller][])(
    '%s cannot reach the vault at all', async (_name, caller) => {
      await expectPgError(db.as(caller, (tx) => tx`select decrypted_secret from vault.decrypted_secrets`), { code: '42501' });
      await expectPgError(db.as(caller, (tx) => tx`select vault.create_secret('x')`), { code: '42501' });
    });
});

describe('the cipher', () => {
  it('stores ciphertext that is not the value and does not contain it', async () => {
    const value = 'plain-text-value-0123456789-abcdef';
    const id = await create(value);
    const [row] = await db.admin`select secret, nonce from vault.secrets where id = ${id}`;
    const stored = row!.secret as string;
    expect(stored).not.toContain(value);
    expect(Buffer.from(stored, 'base64').includes(Buffer.from(value))).toBe(false);
    expect(Buffer.from(stored, 'base64').length).toBeGreaterThanOrEqual(1 + 16 + 32 + 32);
  });

  it('encrypts the same value differently every time (fresh IV), also on update', async () => {
    const a = await create('same value');
    const b = await create('same value');
    const secrets = async (id: string) => (await db.admin`select secret from vault.secrets where id = ${id}`)[0]!.secret as string;
    const first = await secrets(a);
    expect(first).not.toBe(await secrets(b));
    await db.asOwner((tx) => tx`select vault.update_secret(${a}, 'same value')`);
    expect(await secrets(a)).not.toBe(first);
    expect((await decrypted(a))!.decrypted_secret).toBe('same value');
  });

  const tampered: [string, (bytes: Buffer) => Buffer][] = [
    ['a flipped bit in the ciphertext', (b) => { const c = Buffer.from(b); c[20] = c[20]! ^ 1; return c; }],
    ['a flipped bit in the IV', (b) => { const c = Buffer.from(b); c[3] = c[3]! ^ 0x80; return c; }],
    ['a flipped bit in the tag', (b) => { const c = Buffer.from(b); c[c.length - 1] = c[c.length - 1]! ^ 1; return c; }],
    ['a truncated ciphertext', (b) => b.subarray(0, b.length - 16)],
    ['a ciphertext with a block appended', (b) => Buffer.concat([b, Buffer.alloc(16)])],
    ['an unknown version byte', (b) => { const c = Buffer.from(b); c[0] = 2; return c; }],
    ['an empty ciphertext', () => Buffer.alloc(0)],
  ];
  it.each(tampered)('refuses %s with XX001 and names nothing of the value', async (_name, change) => {
    const value = 'tamper-target-value';
    const id = await create(value);
    const [row] = await db.admin`select secret from vault.secrets where id = ${id}`;
    const altered = change(Buffer.from(row!.secret as string, 'base64')).toString('base64');
    await db.admin`update vault.secrets set secret = ${altered} where id = ${id}`;
    const error = await expectPgError(decrypted(id), { code: 'XX001', message: 'vault: ciphertext failed authentication' });
    expect(JSON.stringify(error)).not.toContain(value);
  });

  it('refuses a ciphertext moved to another row (the id is authenticated)', async () => {
    const a = await create('value of a');
    const b = await create('value of b');
    await db.admin`update vault.secrets set secret = (select secret from vault.secrets where id = ${a}) where id = ${b}`;
    await expectPgError(decrypted(b), { code: 'XX001' });
    expect((await decrypted(a))!.decrypted_secret).toBe('value of a');
  });

  it('refuses a changed nonce (the nonce is authenticated)', async () => {
    const id = await create('nonce bound');
    await db.admin`update vault.secrets set nonce = extensions.gen_random_bytes(16) where id = ${id}`;
    await expectPgError(decrypted(id), { code: 'XX001' });
  });
});

describe('the key', () => {
  const readers: [string, () => Caller | 'owner'][] = [
    ['the migration owner', () => 'owner'],
    ['the SQL-console operator login', () => 'operator'],
    ['service_role', () => serviceCaller],
    ['authenticated', () => userCaller('00000000-0000-4000-8000-0000000000bb')],
    ['anon', () => anonCaller],
  ];
  it.each(readers)('is not readable by %s', async (name, who) => {
    const caller = who();
    const run = <T>(fn: Parameters<TestDatabase['asOwner']>[0]) =>
      (caller === 'owner' ? db.asOwner(fn) : db.as(caller, fn)) as Promise<T>;
    // The embedded server's operator login is the (non-superuser) owner; on a DATABASE_URL
    // server whose postgres is the superuser, that login reads everything by definition.
    const [who_] = await db.as('operator', async (tx) => tx`select rolsuper from pg_roles where rolname = current_user`);
    if (caller === 'operator' && who_!.rolsuper) {
      console.warn(`skipped for ${name}: the operator login of this server is a superuser`);
      return;
    }
    await expectPgError(run((tx) => tx`select key from vault_local_key.root_key`), { code: '42501' });
    await expectPgError(run((tx) => tx`select vault_local_key.subkey('enc', 0, 'pgsodium')`), { code: '42501' });
    await expectPgError(
      run((tx) => tx`select vault._crypto_aead_det_encrypt('\\x00'::bytea, '\\x00'::bytea, 0)`), { code: '42501' });
  });

  it('is held by the superuser in a schema where no other role has any privilege', async () => {
    const [row] = await db.admin`
      select r.rolsuper as owner_is_superuser, n.nspacl::text as schema_acl, c.relacl::text as table_acl,
             (select bool_and(r2.rolsuper) from pg_proc p join pg_roles r2 on r2.oid = p.proowner
               where p.pronamespace in ('vault'::regnamespace, 'vault_local_key'::regnamespace)) as functions_owned_by_superuser,
             (select bool_and(p.prosecdef) from pg_proc p where p.oid in (
               'vault._crypto_aead_det_encrypt(bytea, bytea, bigint, bytea, bytea)'::regprocedure,
               'vault._crypto_aead_det_decrypt(bytea, bytea, bigint, bytea, bytea)'::regprocedure)) as definer
      from pg_namespace n join pg_roles r on r.oid = n.nspowner, pg_class c
      where n.nspname = 'vault_local_key' and c.oid = 'vault_local_key.root_key'::regclass`;
    expect(row!.owner_is_superuser).toBe(true);
    expect(row!.functions_owned_by_superuser).toBe(true);
    expect(row!.definer).toBe(true);
    // Only the owner's own entry (or the implicit default) in either ACL.
    for (const acl of [row!.schema_acl as string | null, row!.table_acl as string | null]) {
      const entries = (acl ?? '{}').replace(/[{}"]/g, '').split(',').filter(Boolean);
      expect(entries.every((e) => !e.startsWith('=') && e.split('=')[0] === e.split('/')[1])).toBe(true);
    }
  });

  it('survives the platform step running again: existing secrets still decrypt', async () => {
    const id = await create('kept across a re-run');
    const [before] = await db.admin`select key from vault_local_key.root_key`;
    await migrate({ databaseUrl: db.urls.admin });
    const [after] = await db.admin`select key from vault_local_key.root_key`;
    expect(Buffer.compare(after!.key as Buffer, before!.key as Buffer)).toBe(0);
    expect((await decrypted(id))!.decrypted_secret).toBe('kept across a re-run');
  });
});

describe('the platform step for a login that is not a superuser (as on hosted Supabase)', () => {
  const config = inject('database');

  it('only checks that Vault is there, and says so when it is missing', async () => {
    const [who] = await db.as('operator', (tx) => tx`select rolsuper from pg_roles where rolname = current_user`);
    if (who!.rolsuper) {
      console.warn('skipped: the operator login of this server is a superuser, so there is no non-superuser login to migrate as');
      return;
    }
    expect((await migrate({ databaseUrl: db.urls.operator })).applied).toEqual([]);
    const name = `mintid_v_${config.runId}`;
    const admin = postgres(config.adminUrl, { max: 1, onnotice: () => {} });
    try {
      await admin.unsafe(`create database ${name} template ${config.template}`);
      const fresh = postgres(databaseUrl(config.adminUrl, name), { max: 1, onnotice: () => {} });
      await fresh.unsafe('drop schema vault cascade');
      await fresh.end();
      await expect(migrate({ databaseUrl: databaseUrl(config.operatorUrl, name) }))
        .rejects.toThrow(/lacks Supabase platform objects \(Supabase Vault .*\) and this login is not a superuser/);
    } finally {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  });
});
