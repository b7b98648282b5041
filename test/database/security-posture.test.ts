// What the Supabase database linter (splinter) asks, asked of our schemas.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.close());

const ours = `p.pronamespace in ('public'::regnamespace, 'mintid'::regnamespace)`;

describe('security posture', () => {
  it('pins search_path to empty on every function in public and mintid', async () => {
    const unpinned = await db.admin.unsafe(`
      select p.oid::regprocedure::text as fn, p.proconfig from pg_proc p
      where ${ours} and not coalesce('search_path=""' = any (p.proconfig), false)`);
    expect(unpinned).toEqual([]);
  });

  it('lets neither anon nor PUBLIC execute any function in public or mintid', async () => {
    const executable = await db.admin.unsafe(`
      select p.oid::regprocedure::text as fn,
             has_function_privilege('anon', p.oid, 'execute') as anon,
             exists (select 1 from aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
                     where a.grantee = 0 and a.privilege_type = 'EXECUTE') as public
      from pg_proc p where ${ours}`);
    expect(executable.length).toBeGreaterThanOrEqual(25);
    expect(executable.filter((f) => f.anon || f.public)).toEqual([]);
  });

  it('grants authenticated exactly the brand, member and credential RPCs, and service_role those plus the two token functions', async () => {
    const grants = await db.admin.unsafe(`
      select p.proname::text as fn, has_function_privilege('authenticated', p.oid, 'execute') as authenticated,
             has_function_privilege('service_role', p.oid, 'execute') as service
      from pg_proc p where ${ours} and (has_function_privilege('authenticated', p.oid, 'execute')
        or has_function_privilege('service_role', p.oid, 'execute')) order by 1`);
    expect(grants).toEqual([
      { fn: 'add_brand_member', authenticated: true, service: true },
      { fn: 'check_token_auth_failures', authenticated: false, service: true },
      { fn: 'create_api_credential_record', authenticated: true, service: true },
      { fn: 'create_brand', authenticated: true, service: true },
      { fn: 'create_brand_secret', authenticated: true, service: true },
      { fn: 'delete_brand_secret', authenticated: true, service: true },
      { fn: 'end_api_credential_rotation_grace', authenticated: true, service: true },
      { fn: 'list_api_credential_events', authenticated: true, service: true },
      { fn: 'list_api_credential_records', authenticated: true, service: true },
      { fn: 'list_brand_events', authenticated: true, service: true },
      { fn: 'list_brand_members', authenticated: true, service: true },
      { fn: 'list_brand_secrets', authenticated: true, service: true },
      { fn: 'list_my_brands', authenticated: true, service: true },
      { fn: 'lookup_api_credential_for_token', authenticated: false, service: true },
      { fn: 'read_brand_secret', authenticated: false, service: true },
      { fn: 'record_api_credential_use', authenticated: false, service: true },
      { fn: 'record_token_auth_failure', authenticated: false, service: true },
      { fn: 'remove_brand_member', authenticated: true, service: true },
      { fn: 'revoke_api_credential_record', authenticated: true, service: true },
      { fn: 'revoke_api_credential_records', authenticated: true, service: true },
      { fn: 'rotate_api_credential_secret_record', authenticated: true, service: true },
      { fn: 'set_brand_member_role', authenticated: true, service: true },
      { fn: 'update_brand_secret', authenticated: true, service: true },
    ]);
  });

  it('makes every exposed RPC security definer and every private helper not', async () => {
    const rows = await db.admin.unsafe(`
      select p.pronamespace::regnamespace::text as schema, bool_and(p.prosecdef) as all_definer, bool_or(p.prosecdef) as any_definer
      from pg_proc p where ${ours} group by 1 order by 1`);
    expect(rows).toEqual([
      { schema: 'mintid', all_definer: false, any_definer: false },
      { schema: 'public', all_definer: true, any_definer: true },
    ]);
  });

  it('enables RLS on every table in mintid and public', async () => {
    const tables = await db.admin`
      select c.relnamespace::regnamespace::text as schema, c.relname::text as table, c.relrowsecurity as rls
      from pg_class c where c.relkind in ('r', 'p') and c.relnamespace in ('mintid'::regnamespace, 'public'::regnamespace)`;
    expect(tables.length).toBeGreaterThanOrEqual(5);
    expect(tables.filter((t) => !t.rls)).toEqual([]);
  });

  it('gives anon and authenticated (and service_role) no privilege on any mintid table, nor usage on the schema', async () => {
    const privileges = await db.admin`
      select r.rolname::text as role, c.relname::text as table
      from pg_class c cross join (values ('anon'), ('authenticated'), ('service_role')) r(rolname)
      where c.relnamespace = 'mintid'::regnamespace and c.relkind in ('r', 'p', 'v', 'S')
        and (has_table_privilege(r.rolname, c.oid, 'select') or has_table_privilege(r.rolname, c.oid, 'insert')
          or has_table_privilege(r.rolname, c.oid, 'update') or has_table_privilege(r.rolname, c.oid, 'delete')
          or has_table_privilege(r.rolname, c.oid, 'truncate') or has_table_privilege(r.rolname, c.oid, 'references'))`;
    expect(privileges).toEqual([]);
    const [usage] = await db.admin`select has_schema_privilege('anon', 'mintid', 'usage') as anon,
      has_schema_privilege('authenticated', 'mintid', 'usage') as authenticated`;
    expect(usage).toEqual({ anon: false, authenticated: false });
  });

  it('keeps PostgREST\'s exposed schemas free of tables and views of ours', async () => {
    const exposed = await db.admin`select c.relname::text from pg_class c where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'v', 'm', 'p')`;
    expect(exposed).toEqual([]);
  });

  it('lets an authenticated session not read the tables directly', async () => {
    await expect(db.as({ role: 'authenticated', claims: { sub: '7d3c1f6e-5f0b-4c1e-9a47-2b3f1e0d9c88' } },
      (tx) => tx`select client_secret_hash from mintid.api_credentials`)).rejects.toMatchObject({ code: '42501' });
  });
});
