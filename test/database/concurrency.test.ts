// SPEC §6: concurrent calls on one credential serialise on its row lock. Separate connections,
// many parallel rotates and revokes: exactly one revoke wins, no rotate commits after it, and
// the events match the successes one to one.
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '../support/database.js';
import {
  createArgs, phc, serviceCaller, userCaller, type BrandFixture, openSeededDatabase,
} from '../support/fixtures.js';

let db: TestDatabase;
let f: BrandFixture;
beforeAll(async () => ({ db, f } = await openSeededDatabase()));
afterAll(() => db.close());

/**
 * `lockedAt` is clock_timestamp() read inside the transaction after the RPC returned: the row lock
 * is held from the RPC until commit, so these instants order the successful calls as they committed.
 */
type Outcome = { kind: 'revoke' | 'rotate'; ok: boolean; code?: string; reason?: string; lockedAt?: Date };

/** Runs one RPC on its own connection (its own session), as the brand admin. */
async function onOwnConnection(kind: 'revoke' | 'rotate', credentialId: string): Promise<Outcome> {
  const sql = postgres(db.urls.authenticator, { max: 1, onnotice: () => {} });
  try {
    const result = await sql.begin(async (tx) => {
      await tx`select set_config('role', 'authenticated', true),
                      set_config('request.jwt.claims', ${JSON.stringify({ ...userCaller(f.users.admin).claims, role: 'authenticated' })}, true)`;
      if (kind === 'revoke') await tx`select public.revoke_api_credential_record(${f.brandId}, ${credentialId}, 'race')`;
      else await tx`select public.rotate_api_credential_secret_record(${f.brandId}, ${credentialId}, ${phc()}, 'race')`;
      const [row] = await tx`select clock_timestamp() as locked_at`;
      return row!.locked_at as Date;
    });
    return { kind, ok: true, lockedAt: result };
  } catch (error) {
    const e = error as { code: string; detail: string };
    return { kind, ok: false, code: e.code, reason: e.detail };
  } finally {
    await sql.end();
  }
}

describe('races on one credential', () => {
  it('lets exactly one of many parallel revokes win; the rest get 409', async () => {
    const { credential_id } = await db.rpc<{ credential_id: string }>(serviceCaller, 'create_api_credential_record', createArgs(f.brandId));
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => onOwnConnection('revoke', credential_id)));
    expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
    for (const o of outcomes.filter((o) => !o.ok)) expect([o.code, o.reason]).toEqual(['PT409', 'credential_revoked']);
    const [row] = await db.admin`select count(*)::int as n from mintid.audit_records
      where credential_id = ${credential_id} and action = 'revoked'`;
    expect(row!.n).toBe(1);
  });

  it('commits no rotate after the revoke, and events match successes one to one', async () => {
    for (let round = 0; round < 3; round += 1) {
      const { credential_id } = await db.rpc<{ credential_id: string }>(serviceCaller, 'create_api_credential_record', createArgs(f.brandId));
      const kinds: ('revoke' | 'rotate')[] = ['rotate', 'rotate', 'revoke', 'rotate', 'revoke', 'rotate', 'rotate', 'revoke', 'rotate', 'rotate'];
      const outcomes = await Promise.all(kinds.map((kind) => onOwnConnection(kind, credential_id)));

      const revokes = outcomes.filter((o) => o.kind === 'revoke' && o.ok);
      const rotates = outcomes.filter((o) => o.kind === 'rotate' && o.ok);
      expect(revokes).toHaveLength(1);
      for (const o of outcomes.filter((o) => !o.ok)) expect([o.code, o.reason]).toEqual(['PT409', 'credential_revoked']);

      const events = await db.admin<{ action: string; occurred_at: Date }[]>`
        select action, occurred_at from mintid.audit_records where credential_id = ${credential_id}`;
      expect(events.filter((e) => e.action === 'revoked')).toHaveLength(1);
      expect(events.filter((e) => e.action === 'rotated')).toHaveLength(rotates.length);
      expect(events).toHaveLength(1 + 1 + rotates.length);

      // Serialised on the row lock: every successful rotate held it (and committed) before the revoke.
      for (const rotate of rotates) expect(rotate.lockedAt!.getTime()).toBeLessThan(revokes[0]!.lockedAt!.getTime());
      const [row] = await db.admin`select revoked_at from mintid.api_credentials where id = ${credential_id}`;
      expect(row!.revoked_at).not.toBeNull();
      // The audit trail tells the same order: every rotation happened before the revocation.
      const revokedEvent = events.find((e) => e.action === 'revoked')!;
      for (const e of events.filter((e) => e.action === 'rotated')) {
        expect(e.occurred_at.getTime()).toBeLessThan(revokedEvent.occurred_at.getTime());
      }
    }
  });

  it('lets exactly one of two parallel creates with one client id win', async () => {
    const args = createArgs(f.brandId);
    const both = await Promise.allSettled([
      db.rpc(serviceCaller, 'create_api_credential_record', args),
      db.rpc(userCaller(f.users.admin), 'create_api_credential_record', { ...createArgs(f.brandId), _client_id: args._client_id }),
    ]);
    expect(both.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const failure = both.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect([failure.reason.code, failure.reason.detail]).toEqual(['PT409', 'client_id_taken']);
  });
});
