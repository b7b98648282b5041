// The typed client's lifecycle methods (SPEC §13): what they send, and that they refuse before
// sending what the database would refuse.
import { describe, expect, it } from 'vitest';
import { createCredentialsClient, InvalidInputError, UnexpectedError, type RpcClient } from '../../src/index.js';

const brandId = 'b1a2c3d4-0000-0000-0000-000000000001';
const credentialId = '00000000-0000-4000-8000-000000000001';
const HASH = '$argon2id$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

const neverCalled: RpcClient = { rpc: () => { throw new Error('the client sent a request it should have refused'); } };
const refusing = createCredentialsClient(neverCalled, { hashSecret: async () => HASH });

/** A client answering `data` and recording what it sent. */
function recording(data: unknown) {
  const sent: { fn: string; args: Record<string, unknown> }[] = [];
  const client = createCredentialsClient({ rpc: async (fn, args) => { sent.push({ fn, args }); return { data, error: null, status: 200 }; } },
    { hashSecret: async () => HASH });
  return { client, sent };
}

async function refusal(call: Promise<unknown>): Promise<void> {
  const error = await call.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(InvalidInputError);
  expect((error as InvalidInputError).reason).toBe('client_validation');
}

describe('what the lifecycle methods send and return', () => {
  it('rotateSecret sends _grace_seconds (0 by default) and returns previousSecretExpiresAt', async () => {
    const { client, sent } = recording({ ok: true, credential_id: credentialId, rotated_at: '2026-12-01T00:00:00+00:00', previous_secret_expires_at: '2026-12-02T00:00:00+00:00' });
    const rotated = await client.rotateSecret({ brandId, credentialId, reason: 'r', graceSeconds: 86_400 });
    expect(sent[0]).toMatchObject({ fn: 'rotate_api_credential_secret_record', args: { _grace_seconds: 86_400, _new_secret_hash: HASH } });
    expect(rotated.previousSecretExpiresAt).toBe('2026-12-02T00:00:00+00:00');
    await client.rotateSecret({ brandId, credentialId, reason: 'r' });
    expect(sent[1]!.args._grace_seconds).toBe(0);
  });

  it('revokeCredential sends _reason_code (unspecified by default)', async () => {
    const { client, sent } = recording({ ok: true, credential_id: credentialId, revoked_at: '2026-12-01T00:00:00+00:00' });
    await client.revokeCredential({ brandId, credentialId, reason: 'r' });
    await client.revokeCredential({ brandId, credentialId, reason: 'r', reasonCode: 'key_compromise' });
    expect(sent.map((s) => s.args._reason_code)).toEqual(['unspecified', 'key_compromise']);
  });

  it('revokeCredentials sends one selector and the other as null', async () => {
    const { client, sent } = recording({ ok: true, revoked: 1, credential_ids: [credentialId], revoked_at: '2026-12-01T00:00:00+00:00', reason_code: 'superseded' });
    const result = await client.revokeCredentials({ brandId, reason: 'r', metadataContains: { integration: 'erp' }, reasonCode: 'superseded' });
    expect(sent[0]).toEqual({ fn: 'revoke_api_credential_records', args: {
      _brand_id: brandId, _reason: 'r', _credential_ids: null, _metadata_contains: { integration: 'erp' }, _reason_code: 'superseded',
    } });
    expect(result).toEqual({ revoked: 1, credentialIds: [credentialId], revokedAt: '2026-12-01T00:00:00+00:00', reasonCode: 'superseded' });
  });

  it('endRotationGrace calls end_api_credential_rotation_grace', async () => {
    const { client, sent } = recording({ ok: true, credential_id: credentialId, previous_secret_expires_at: '2026-12-01T00:00:00+00:00' });
    expect(await client.endRotationGrace({ brandId, credentialId, reason: 'quiet' }))
      .toEqual({ credentialId, previousSecretExpiresAt: '2026-12-01T00:00:00+00:00' });
    expect(sent[0]!.fn).toBe('end_api_credential_rotation_grace');
  });

  it('treats a rotate result without previous_secret_expires_at as a broken contract', async () => {
    const { client } = recording({ ok: true, credential_id: credentialId, rotated_at: '2026-12-01T00:00:00+00:00' });
    await expect(client.rotateSecret({ brandId, credentialId, reason: 'r' })).rejects.toBeInstanceOf(UnexpectedError);
  });
});

describe('refused before sending', () => {
  it.each([
    ['a negative grace', () => refusing.rotateSecret({ brandId, credentialId, reason: 'r', graceSeconds: -1 })],
    ['a grace over seven days', () => refusing.rotateSecret({ brandId, credentialId, reason: 'r', graceSeconds: 604_801 })],
    ['a fractional grace', () => refusing.rotateSecretRecord({ brandId, credentialId, reason: 'r', newSecretHash: HASH, graceSeconds: 1.5 })],
    ['an unknown reason code', () => refusing.revokeCredential({ brandId, credentialId, reason: 'r', reasonCode: 'stolen' as never })],
    ['revoke many without a selector', () => refusing.revokeCredentials({ brandId, reason: 'r' })],
    ['revoke many with both selectors', () => refusing.revokeCredentials({ brandId, reason: 'r', credentialIds: [credentialId], metadataContains: { a: 1 } })],
    ['revoke many with an empty id list', () => refusing.revokeCredentials({ brandId, reason: 'r', credentialIds: [] })],
    ['revoke many with empty metadata', () => refusing.revokeCredentials({ brandId, reason: 'r', metadataContains: {} })],
    ['revoke many with 1001 ids', () => refusing.revokeCredentials({ brandId, reason: 'r', credentialIds: Array.from({ length: 1001 }, () => credentialId) })],
    ['revoke many with a blank reason', () => refusing.revokeCredentials({ brandId, reason: ' ', credentialIds: [credentialId] })],
    ['end grace without a reason', () => refusing.endRotationGrace({ brandId, credentialId, reason: '' })],
    ['end grace with a credential id that is not an id', () => refusing.endRotationGrace({ brandId, credentialId: 'x', reason: 'r' })],
  ])('%s', async (_name, call) => {
    await refusal(call());
  });
});
