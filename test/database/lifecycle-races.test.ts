// Races of the lifecycle additions (SPEC §6, §13), each call on its own connection: a rotation
// during a grace, a revocation during a grace, two rotations at once, bulk revocations meeting
// single ones. Each has one clear outcome, and the audit records match the successes one to one.
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '../support/database.js';
import { createArgs, openSeededDatabase, phc, serviceCaller, userCaller, type BrandFixture } from '../support/fixtures.js';

let db: TestDatabase;
let f: BrandFixture;
beforeAll(async () => ({ db, f } = await openSeededDatabase()));
afterAll(() => db.close());

type Kind = 'rotate' | 'rotate_grace' | 'revoke' | 'end_grace' | 'revoke_many';
interface Outcome { kind: Kind; ok: boolean; reason?: string; result?: Record<string, unknown>; hash?: string }

/** One RPC on its own connection (its own session) as the brand admin. */
async function onOwnConnection(kind: Kind, credentialId: string): Promise<Outcome> {
  const sql = postgres(db.urls.authenticator, { max: 1, onnotice: () => {} });
  const hash = phc();
  try {
    const result = await sql.begin(async (tx) => {
      await tx`select set_config('role', 'authenticated', true),
                      set_config('request.jwt.claims', ${JSON.stringify({ ...userCaller(f.users.admin).claims, role: 'authenticated' })}, true)`;
      const [row] = kind === 'rotate'
        ? await tx`select public.rotate_api_credential_secret_record(${f.brandId}, ${credentialId}, ${hash}, 'race') as r`
        : kind === 'rotate_grace'
          ? await tx`select public.rotate_api_credential_secret_record(${f.brandId}, ${credentialId}, ${hash}, 'race', 3600) as r`
          : kind === 'revoke'
            ? await tx`select public.revoke_api_credential_record(${f.brandId}, ${credentialId}, 'race', 'key_compromise') as r`
            : kind === 'revoke_many'
              ? await tx`select public.revoke_api_credential_records(${f.brandId}, 'race', ${[credentialId]}::uuid[]) as r`
              : await tx`select public.end_api_credential_rotation_grace(${f.brandId}, ${credentialId}, 'race') as r`;
      return row!.r as Record<string, unknown>;
    });
    return { kind, ok: true, result, hash };
  } catch (error) {
    return { kind, ok: false, reason: (error as { detail?: string }).detail };
  } finally {
    await sql.end();
  }
}

async function inGrace(): Promise<{ id: string; first: string; second: string }> {
  const args = createArgs(f.brandId);
  const { credential_id: id } = await db.rpc<{ credential_id: string }>(serviceCaller, 'create_api_credential_record', args);
  const second = phc();
  await db.rpc(serviceCaller, 'rotate_api_credential_secret_record',
    { _brand_id: f.brandId, _credential_id: id, _new_secret_hash: second, _reason: 'start', _grace_seconds: 3600 });
  return { id, first: args._client_secret_hash as string, second };
}

async function row(id: string) {
  const [r] = await db.admin<{ client_secret_hash: string; previous_secret_hash: string | null; previous_secret_expires_at: Date | null; revoked_at: Date | null }[]>`
    select client_secret_hash, previous_secret_hash, previous_secret_expires_at, revoked_at from mintid.api_credentials where id = ${id}`;
  return r!;
}
async function records(id: string) {
  return db.admin<{ action: string; details: Record<string, unknown>; occurred_at: Date }[]>`
    select action, details, occurred_at from mintid.audit_records where credential_id = ${id} order by seq`;
}

describe('two rotations at once during a grace', () => {
  it('serialise: both succeed, the later one keeps the earlier one\'s secret as the only previous, and two records match', async () => {
    for (let round = 0; round < 3; round += 1) {
      const c = await inGrace();
      const outcomes = await Promise.all([onOwnConnection('rotate_grace', c.id), onOwnConnection('rotate_grace', c.id)]);
      expect(outcomes.every((o) => o.ok)).toBe(true);
      const [earlier, later] = [...outcomes].sort((a, b) => Date.parse(a.result!.rotated_at as string) - Date.parse(b.result!.rotated_at as string));
      const r = await row(c.id);
      expect(r.client_secret_hash).toBe(later!.hash);
      expect(r.previous_secret_hash).toBe(earlier!.hash); // one previous secret at most: the first grace's secret is gone
      expect(r.previous_secret_expires_at!.toISOString()).toBe(new Date(later!.result!.previous_secret_expires_at as string).toISOString());
      const rotated = (await records(c.id)).filter((e) => e.action === 'rotated');
      expect(rotated).toHaveLength(3);
      expect(rotated.slice(1).map((e) => e.details.grace_ended)).toEqual([true, true]);
    }
  });
});

describe('a rotation racing the early end of a grace', () => {
  it('has one of two orders, and the state and records tell which', async () => {
    for (let round = 0; round < 4; round += 1) {
      const c = await inGrace();
      const [rot, end] = await Promise.all([onOwnConnection('rotate', c.id), onOwnConnection('end_grace', c.id)]);
      expect(rot!.ok).toBe(true);
      const actions = (await records(c.id)).map((e) => e.action);
      if (end!.ok) {
        // end first, then a rotation without grace
        expect(actions.slice(-2)).toEqual(['rotation_grace_ended', 'rotated']);
      } else {
        // the rotation (no grace) ended the first grace; nothing left to end
        expect(end!.reason).toBe('no_rotation_grace');
        expect(actions.slice(-1)).toEqual(['rotated']);
        expect(actions.filter((a) => a === 'rotation_grace_ended')).toHaveLength(0);
      }
      const r = await row(c.id);
      expect(r.previous_secret_hash).toBe(c.second);
      expect(r.previous_secret_expires_at).toBeNull();
    }
  });
});

describe('a revocation during a grace', () => {
  it('wins once; rotations and grace ends after it fail with 409 credential_revoked; the grace ends no later than the revocation', async () => {
    for (let round = 0; round < 3; round += 1) {
      const c = await inGrace();
      const kinds: Kind[] = ['rotate_grace', 'revoke', 'end_grace', 'rotate', 'revoke', 'rotate_grace', 'revoke_many'];
      const outcomes = await Promise.all(kinds.map((k) => onOwnConnection(k, c.id)));
      const revocations = outcomes.filter((o) => (o.kind === 'revoke' && o.ok) || (o.kind === 'revoke_many' && o.ok && o.result!.revoked === 1));
      expect(revocations).toHaveLength(1);
      for (const o of outcomes.filter((o) => !o.ok)) expect(['credential_revoked', 'no_rotation_grace']).toContain(o.reason);
      const recs = await records(c.id);
      const revoked = recs.filter((e) => e.action === 'revoked');
      expect(revoked).toHaveLength(1);
      // Records match successes one to one.
      expect(recs.filter((e) => e.action === 'rotated')).toHaveLength(1 + outcomes.filter((o) => o.kind.startsWith('rotate') && o.ok).length);
      expect(recs.filter((e) => e.action === 'rotation_grace_ended')).toHaveLength(outcomes.filter((o) => o.kind === 'end_grace' && o.ok).length);
      // Nothing happened after the revocation.
      expect(recs.at(-1)!.action).toBe('revoked');
      const r = await row(c.id);
      expect(r.revoked_at).not.toBeNull();
      if (r.previous_secret_expires_at) expect(r.previous_secret_expires_at.getTime()).toBeLessThanOrEqual(r.revoked_at!.getTime());
    }
  });
});

describe('bulk revocations meeting single ones', () => {
  it('revoke one credential exactly once between them; the loser answers 409 or revoked: 0', async () => {
    for (let round = 0; round < 3; round += 1) {
      const c = await inGrace();
      const outcomes = await Promise.all([onOwnConnection('revoke_many', c.id), onOwnConnection('revoke', c.id), onOwnConnection('revoke_many', c.id)]);
      const wins = outcomes.filter((o) => o.ok && (o.kind === 'revoke' || o.result!.revoked === 1));
      expect(wins).toHaveLength(1);
      expect((await records(c.id)).filter((e) => e.action === 'revoked')).toHaveLength(1);
    }
  });
});
