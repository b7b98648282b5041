// The shared security suite (test/database/caller-matrix.test.ts) for the brand secret RPCs:
// every caller class of SPEC §4 against every RPC of §12.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callRpc, type Caller, type TestDatabase } from '../support/database.js';
import { CATEGORY, expectPgError } from '../support/errors.js';
import {
  anonCaller, CALLER_CLASSES, noClaimsCaller, noSubCaller, openSeededDatabase, serviceCaller, userCaller,
  type BrandFixture, type CallerOutcome,
} from '../support/fixtures.js';

let db: TestDatabase;
let f: BrandFixture;
beforeAll(async () => ({ db, f } = await openSeededDatabase()));
afterAll(() => db.close());

let counter = 0;
async function freshSecret(): Promise<string> {
  const created = await db.rpc<{ secret_id: string }>(serviceCaller, 'create_brand_secret', {
    _brand_id: f.brandId, _name: `matrix ${++counter}`, _value: 'matrix value',
  });
  return created.secret_id;
}

const keys = (...names: string[]) => (r: Record<string, unknown>) => expect(Object.keys(r).sort()).toEqual(names.sort());

const managing: { fn: string; args: () => Promise<Record<string, unknown>>; ok: (r: Record<string, unknown>) => void }[] = [
  {
    fn: 'create_brand_secret',
    args: async () => ({ _brand_id: f.brandId, _name: `created ${++counter}`, _value: 'v' }),
    ok: keys('ok', 'secret_id'),
  },
  {
    fn: 'update_brand_secret',
    args: async () => ({ _brand_id: f.brandId, _secret_id: await freshSecret(), _value: 'replaced' }),
    ok: keys('ok', 'secret_id', 'updated_at'),
  },
  {
    fn: 'delete_brand_secret',
    args: async () => ({ _brand_id: f.brandId, _secret_id: await freshSecret() }),
    ok: keys('ok', 'secret_id', 'deleted_at'),
  },
  {
    fn: 'list_brand_secrets',
    args: async () => ({ _brand_id: f.brandId }),
    ok: keys('items', 'next_cursor', 'ok'),
  },
];

describe.each(managing)('$fn', ({ fn, args, ok }) => {
  it.each(CALLER_CLASSES)('answers $name with $outcome', async ({ caller, outcome, name }) => {
    const call = db.rpc(caller(f), fn, await args());
    if (outcome === 'ok') {
      const result = await call;
      expect(result.ok, name).toBe(true);
      ok(result);
    } else if (outcome === '401') {
      await expectPgError(call, CATEGORY.unauthenticated);
    } else if (outcome === '403') {
      await expectPgError(call, { ...CATEGORY.forbidden, reason: 'not_brand_admin' });
    } else {
      await expectPgError(call, CATEGORY.noExecute);
    }
  });

  it('answers a brand that does not exist like a foreign brand for users', async () => {
    const a = await args();
    const missing = await db.rpc(userCaller(f.users.admin), fn, { ...a, _brand_id: '00000000-0000-4000-8000-000000000000' }).catch((e) => e);
    const foreign = await db.rpc(userCaller(f.users.admin), fn, { ...a, _brand_id: f.otherBrandId }).catch((e) => e);
    expect([missing.code, missing.message, missing.detail, missing.hint]).toEqual([foreign.code, foreign.message, foreign.detail, foreign.hint]);
    expect(missing.code).toBe('42501');
  });

  it('refuses a trusted caller naming a brand that does not exist with 400 brand_not_found', async () => {
    await expectPgError(db.rpc(serviceCaller, fn, { ...(await args()), _brand_id: '00000000-0000-4000-8000-000000000000' }), {
      ...CATEGORY.invalid, reason: 'brand_not_found',
    });
  });

  it('answers every omitted parameter in contract order: anon 401, member 403, then admin 400', async () => {
    const a = await args();
    for (const omitted of Object.keys(a)) {
      const { [omitted]: _gone, ...rest } = a;
      await expectPgError(db.rpc(anonCaller, fn, rest), CATEGORY.noExecute);
      await expectPgError(db.rpc(userCaller(f.users.member), fn, rest), { ...CATEGORY.forbidden, reason: 'not_brand_admin' });
      if (omitted === '_brand_id') {
        await expectPgError(db.rpc(userCaller(f.users.admin), fn, rest), { ...CATEGORY.forbidden, reason: 'not_brand_admin' });
        await expectPgError(db.rpc(serviceCaller, fn, rest), { ...CATEGORY.invalid, reason: 'brand_id_required' });
      } else {
        await expectPgError(db.rpc(userCaller(f.users.admin), fn, rest), CATEGORY.invalid);
      }
    }
  });

  it('answers a member sending bad input with 403, not 400', async () => {
    const a = await args();
    const bad = { ...a, ...(('_name' in a) ? { _name: 'bad/name' } : {}), ...(('_value' in a) ? { _value: '' } : {}), _limit: 0 };
    const { _limit, ...withoutLimit } = bad;
    await expectPgError(db.rpc(userCaller(f.users.member), fn, fn === 'list_brand_secrets' ? bad : withoutLimit), {
      ...CATEGORY.forbidden, reason: 'not_brand_admin',
    });
  });

  it('tells a member their role and the one needed; a non-member gets the missing-brand answer', async () => {
    const a = await args();
    const asMember = await expectPgError(db.rpc(userCaller(f.users.member), fn, a), { ...CATEGORY.forbidden, reason: 'not_brand_admin' });
    expect(asMember.hint).toBe('Your role in this brand is member; managing secrets needs owner or admin. An owner can change your role.');
    const asStranger = await expectPgError(db.rpc(userCaller(f.users.otherAdmin), fn, a), { ...CATEGORY.forbidden, reason: 'not_brand_admin' });
    expect(asStranger.hint).toBe('Ask an owner of the brand for the admin role, or check the brand id.');
  });

  it('refuses a JWT role that disagrees with the session role', async () => {
    const a = await args();
    const call = db.as({ role: 'authenticated', claims: null }, async (tx) => {
      await tx`select set_config('request.jwt.claims', '{"role":"service_role"}', true)`;
      return callRpc(tx, fn, a);
    });
    await expectPgError(call, { ...CATEGORY.unauthenticated, reason: 'role_mismatch' });
  });
});

describe('read_brand_secret', () => {
  // Users hold no EXECUTE (PostgREST answers 403 for a signed-in user, 401 for anon), and the
  // function refuses them itself too.
  const outcome: Record<string, CallerOutcome> = {
    'a session with an API role but no claims': 'no EXECUTE',
    anon: 'no EXECUTE',
    'authenticated without sub': 'no EXECUTE',
    'a member': 'no EXECUTE',
    'an admin of another brand': 'no EXECUTE',
    'an admin': 'no EXECUTE',
    'an owner': 'no EXECUTE',
    service_role: 'ok',
    'a SQL-console operator': 'ok',
  };
  it.each(CALLER_CLASSES)('answers $name', async ({ caller, name }) => {
    const id = await freshSecret();
    const call = db.rpc(caller(f), 'read_brand_secret', { _brand_id: f.brandId, _secret_id: id });
    if (outcome[name] === 'ok') {
      expect(await call).toEqual({ ok: true, secret_id: id, name: expect.any(String), value: 'matrix value' });
    } else {
      const error = await expectPgError(call, CATEGORY.noExecute);
      expect(JSON.stringify(error)).not.toContain('matrix value');
    }
  });

  it('refuses a user even if EXECUTE were granted (403 service_role_required), before looking at the input', async () => {
    // As the owner would see it after a mistaken GRANT: the body's own check still answers 403.
    const id = await freshSecret();
    await db.admin.unsafe('grant execute on function public.read_brand_secret(uuid, uuid) to authenticated');
    try {
      await expectPgError(db.rpc(userCaller(f.users.owner), 'read_brand_secret', { _brand_id: f.brandId, _secret_id: id }), {
        ...CATEGORY.forbidden, reason: 'service_role_required',
      });
      await expectPgError(db.rpc(userCaller(f.users.owner), 'read_brand_secret', {}), {
        ...CATEGORY.forbidden, reason: 'service_role_required',
      });
      await expectPgError(db.rpc(noSubCaller, 'read_brand_secret', { _brand_id: f.brandId, _secret_id: id }), CATEGORY.unauthenticated);
      await expectPgError(db.rpc(noClaimsCaller, 'read_brand_secret', { _brand_id: f.brandId, _secret_id: id }), CATEGORY.unauthenticated);
    } finally {
      await db.admin.unsafe('revoke execute on function public.read_brand_secret(uuid, uuid) from authenticated');
    }
  });

  it.each([['anon', anonCaller], ['authenticated', userCaller('00000000-0000-4000-8000-000000000001')]] as [string, Caller][])(
    'is not executable by %s, as the catalog says', async (_name, caller) => {
      const role = (caller as { role: string }).role;
      const [r] = await db.admin`select has_function_privilege(${role}, 'public.read_brand_secret(uuid, uuid)', 'execute') as can`;
      expect(r!.can).toBe(false);
    });
});

describe('grants of the brand secret RPCs', () => {
  it('give EXECUTE to authenticated and service_role on the managing RPCs, to service_role alone on read, never to anon or PUBLIC', async () => {
    const rows = await db.admin`
      select p.proname, array(select a.grantee::regrole::text from aclexplode(p.proacl) a
                              where a.privilege_type = 'EXECUTE' and a.grantee <> p.proowner order by 1) as grantees,
             exists (select 1 from aclexplode(p.proacl) a where a.grantee = 0) as public_execute, p.prosecdef,
             array_to_string(p.proconfig, ',') as config
      from pg_proc p where p.pronamespace = 'public'::regnamespace and p.proname like '%brand_secret%' order by p.proname`;
    expect(rows).toEqual([
      { proname: 'create_brand_secret', grantees: ['authenticated', 'service_role'], public_execute: false, prosecdef: true, config: 'search_path=""' },
      { proname: 'delete_brand_secret', grantees: ['authenticated', 'service_role'], public_execute: false, prosecdef: true, config: 'search_path=""' },
      { proname: 'list_brand_secrets', grantees: ['authenticated', 'service_role'], public_execute: false, prosecdef: true, config: 'search_path=""' },
      { proname: 'read_brand_secret', grantees: ['service_role'], public_execute: false, prosecdef: true, config: 'search_path=""' },
      { proname: 'update_brand_secret', grantees: ['authenticated', 'service_role'], public_execute: false, prosecdef: true, config: 'search_path=""' },
    ]);
  });

  it('default every parameter, so PostgREST never answers 404 before the rules run', async () => {
    const rows = await db.admin`select p.proname, p.pronargs = p.pronargdefaults as all_defaulted
      from pg_proc p where p.pronamespace = 'public'::regnamespace and p.proname like '%brand_secret%'`;
    expect(rows.every((r) => r.all_defaulted)).toBe(true);
  });
});
