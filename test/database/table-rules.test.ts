// SPEC §3/§6 table rules: they hold for the SQL console as the table owner, and they raise.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '../support/database.js';
import { CATEGORY, expectPgError } from '../support/errors.js';
import {
  createArgs, phc, serviceCaller, type BrandFixture, openSeededDatabase,
} from '../support/fixtures.js';

let db: TestDatabase;
let f: BrandFixture;
beforeAll(async () => ({ db, f } = await openSeededDatabase()));
afterAll(() => db.close());

async function credential(): Promise<string> {
  return (await db.rpc<{ credential_id: string }>(serviceCaller, 'create_api_credential_record', createArgs(f.brandId))).credential_id;
}
async function revoked(): Promise<string> {
  const id = await credential();
  await db.rpc(serviceCaller, 'revoke_api_credential_record', { _brand_id: f.brandId, _credential_id: id, _reason: 'done' });
  return id;
}

describe('a revoked credential never changes again, even for the owner', () => {
  it.each([
    ['un-revoke it', `revoked_at = null, revoked_by = null, revocation_reason = null`],
    ['change its hash', `client_secret_hash = '${phc()}'`],
    ['extend its expiry', `expires_at = now() + interval '1 year'`],
    ['touch last_used_at', `last_used_at = now()`],
    ['rename it', `name = 'renamed'`],
    ['rewrite the revocation reason', `revocation_reason = 'rewritten'`],
  ])('refuses to %s', async (_name, assignment) => {
    const id = await revoked();
    await expectPgError(db.asOwner((tx) => tx.unsafe(`update mintid.api_credentials set ${assignment} where id = $1`, [id])), {
      ...CATEGORY.conflict, reason: 'credential_revoked',
    });
    const [row] = await db.admin`select revoked_at is not null as revoked, revocation_reason from mintid.api_credentials where id = ${id}`;
    expect(row).toEqual({ revoked: true, revocation_reason: 'done' });
  });

  it('refuses through the SQL-console operator login as well', async () => {
    const id = await revoked();
    await expectPgError(db.operator`update mintid.api_credentials set revoked_at = null where id = ${id}`, {
      ...CATEGORY.conflict, reason: 'credential_revoked',
    });
  });
});

describe('the rules hold under session_replication_role = replica (which silences ordinary triggers)', () => {
  const asReplica = (statement: string, params: string[]) => db.admin.begin(async (tx) => {
    await tx`set local session_replication_role = replica`;
    return tx.unsafe(statement, params);
  });

  it('refuses to un-revoke and store a plaintext secret', async () => {
    const id = await revoked();
    await expectPgError(asReplica(`update mintid.api_credentials set revoked_at = null, revoked_by = null,
      revocation_reason = null, client_secret_hash = 'plaintext' where id = $1`, [id]), { ...CATEGORY.conflict, reason: 'credential_revoked' });
  });

  it('refuses a plaintext secret on an active credential', async () => {
    const id = await credential();
    await expectPgError(asReplica(`update mintid.api_credentials set client_secret_hash = 'plaintext' where id = $1`, [id]), {
      ...CATEGORY.invalid, reason: 'hash_not_argon2id',
    });
  });

  it('refuses DELETE of a credential and of its events', async () => {
    const id = await credential();
    await expectPgError(asReplica('delete from mintid.api_credentials where id = $1', [id]), CATEGORY.conflict);
    await expectPgError(asReplica('delete from mintid.audit_records where credential_id = $1', [id]), {
      ...CATEGORY.conflict, reason: 'event_immutable',
    });
  });

  it('marks every table-rule trigger ALWAYS', async () => {
    const triggers = await db.admin`select tgname::text as name, tgenabled as enabled from pg_trigger
      where tgrelid in ('mintid.api_credentials'::regclass, 'mintid.audit_records'::regclass) and not tgisinternal order by 1`;
    expect(triggers.length).toBe(10); // + lifecycle's previous-secret and reason-code guards, robust's expiry guard
    expect(triggers.filter((t) => t.enabled !== 'A')).toEqual([]);
  });
});

describe('identity columns never change', () => {
  it.each([['client_id', `client_id = 'renamed-client'`], ['brand_id', `brand_id = '${'0'.repeat(8)}-0000-4000-8000-000000000000'`],
    ['created_at', `created_at = now() - interval '1 day'`], ['created_by', `created_by = 'someone'`]])(
    'refuses an owner UPDATE of %s', async (_column, assignment) => {
      const id = await credential();
      await expectPgError(db.asOwner((tx) => tx.unsafe(`update mintid.api_credentials set ${assignment} where id = $1`, [id])), {
        ...CATEGORY.conflict, reason: 'credential_identity_immutable',
      });
    });

  it('allows an owner to change an active credential\'s scopes (an operator fix)', async () => {
    const id = await credential();
    await db.asOwner((tx) => tx`update mintid.api_credentials set scopes = ${['products:read']} where id = ${id}`);
    const [row] = await db.admin`select scopes from mintid.api_credentials where id = ${id}`;
    expect(row!.scopes).toEqual(['products:read']);
  });

  it('refuses a half-written revocation', async () => {
    const id = await credential();
    await expectPgError(db.asOwner((tx) => tx`update mintid.api_credentials set revoked_at = now() where id = ${id}`), {
      ...CATEGORY.invalid, reason: 'revocation_incomplete',
    });
  });
});

describe('nothing is deleted', () => {
  it('refuses an owner DELETE of a credential', async () => {
    const id = await credential();
    await expectPgError(db.asOwner((tx) => tx`delete from mintid.api_credentials where id = ${id}`), {
      ...CATEGORY.conflict, reason: 'credential_delete_forbidden',
    });
    expect((await db.admin`select 1 from mintid.api_credentials where id = ${id}`).length).toBe(1);
  });

  it('refuses an owner DELETE of a revoked credential', async () => {
    const id = await revoked();
    await expectPgError(db.asOwner((tx) => tx`delete from mintid.api_credentials where id = ${id}`), CATEGORY.conflict);
  });

  it('refuses an owner TRUNCATE of credentials', async () => {
    await credential();
    await expectPgError(db.asOwner((tx) => tx`truncate mintid.api_credentials cascade`), CATEGORY.conflict);
  });

  it('refuses deleting a brand that still has credentials', async () => {
    await credential();
    await expectPgError(db.asOwner((tx) => tx`delete from mintid.brands where id = ${f.brandId}`), { code: '23503' });
  });
});

describe('events are append-only, even for the owner', () => {
  it('refuses an UPDATE of an event', async () => {
    const id = await credential();
    await expectPgError(db.asOwner((tx) => tx`update mintid.audit_records set actor = 'forged' where credential_id = ${id}`), {
      ...CATEGORY.conflict, reason: 'event_immutable',
    });
  });

  it('refuses a DELETE of an event', async () => {
    const id = await credential();
    await expectPgError(db.asOwner((tx) => tx`delete from mintid.audit_records where credential_id = ${id}`), {
      ...CATEGORY.conflict, reason: 'event_immutable',
    });
    expect((await db.admin`select 1 from mintid.audit_records where credential_id = ${id}`).length).toBe(1);
  });

  it('refuses a TRUNCATE of events', async () => {
    await expectPgError(db.asOwner((tx) => tx`truncate mintid.audit_records`), { ...CATEGORY.conflict, reason: 'event_immutable' });
  });

  it('refuses a plain INSERT of an audit record by the owner (only the audit writer inserts)', async () => {
    const id = await credential();
    await expectPgError(db.asOwner((tx) => tx`insert into mintid.audit_records
        (id, brand_id, seq, subject_type, subject_id, credential_id, action, actor, reason, occurred_at, digest)
      values (gen_random_uuid(), ${f.brandId}, 1000, 'credential', ${id}, ${id}, 'rotated', 'postgres', 'manual note', now(), '\\x00')`), {
      ...CATEGORY.conflict, reason: 'audit_insert_forbidden',
    });
    expect((await db.admin`select 1 from mintid.audit_records where credential_id = ${id}`).length).toBe(1);
  });

  it('refuses a plain INSERT under session_replication_role = replica too', async () => {
    const id = await credential();
    await expectPgError(db.admin.begin(async (tx) => {
      await tx`set local session_replication_role = replica`;
      return tx`insert into mintid.audit_records
          (id, brand_id, seq, subject_type, subject_id, credential_id, action, actor, occurred_at, digest)
        values (gen_random_uuid(), ${f.brandId}, 1000, 'credential', ${id}, ${id}, 'revoked', 'postgres', now(), '\\x00')`;
    }), { ...CATEGORY.conflict, reason: 'audit_insert_forbidden' });
  });
});
