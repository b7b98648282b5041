// The typed client refuses before sending exactly what the database would refuse, and no more.
import { describe, expect, it } from 'vitest';
import { createCredentialsClient, InvalidInputError, type RpcClient } from '../../src/index.js';
import { redactPassword } from '../../src/local/urls.js';

/** An RpcClient that fails the test if anything is sent: these cases must not reach the server. */
const neverCalled: RpcClient = { rpc: () => { throw new Error('the client sent a request it should have refused'); } };
const client = createCredentialsClient(neverCalled, { hashSecret: async () => { throw new Error('no hashing expected'); } });
const brandId = 'b1a2c3d4-0000-0000-0000-000000000001';
const credentialId = '00000000-0000-4000-8000-000000000001';

async function refusal(call: Promise<unknown>): Promise<InvalidInputError> {
  const error = await call.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(InvalidInputError);
  expect((error as InvalidInputError).reason).toBe('client_validation');
  return error as InvalidInputError;
}

describe('client-side input rules match the database', () => {
  it('counts a name in code points, as char_length does: 120 emoji are accepted', async () => {
    const sent: Record<string, unknown>[] = [];
    const recording = createCredentialsClient({ rpc: async (_fn, args) => { sent.push(args); return { data: { ok: true, credential_id: credentialId }, error: null, status: 200 }; } },
      { hashSecret: async () => '$argon2id$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' });
    await recording.createCredential({ brandId, name: '🔑'.repeat(120), scopes: ['a:b'] });
    expect(sent).toHaveLength(1);
  });

  it('refuses 121 emoji', async () => {
    const error = await refusal(client.createCredential({ brandId, name: '🔑'.repeat(121), scopes: ['a:b'] }));
    expect(error.field).toBe('name');
  });

  it('names the refused parameter as its path in the params (field), for callers that map it to their own words', async () => {
    expect((await refusal(client.createCredential({ brandId, name: 'ok', scopes: ['a:b', 'NOT A SCOPE'] }))).field).toBe('scopes.1');
    expect((await refusal(client.createCredential({ brandId: 'not-a-uuid', name: 'ok', scopes: ['a:b'] }))).field).toBe('brandId');
  });

  it('names every refused parameter in fields, the first one (field) first, and copies no refused value into the error', async () => {
    const error = await refusal(client.createCredential({ brandId, name: 'ok', scopes: ['Products:Read', 'a:b', 'orders'] }));
    expect(error.field).toBe('scopes.0');
    expect(error.fields).toEqual(['scopes.0', 'scopes.2']);
    expect(JSON.stringify({ ...error, message: error.message, hint: error.hint })).not.toMatch(/Products:Read|orders/);
  });

  it('trims only spaces, tabs, CR and LF: a name of one no-break space is not blank', async () => {
    const sent: Record<string, unknown>[] = [];
    const recording = createCredentialsClient({ rpc: async (_fn, args) => { sent.push(args); return { data: { ok: true, credential_id: credentialId }, error: null, status: 200 }; } },
      { hashSecret: async () => '$argon2id$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' });
    await recording.createCredential({ brandId, name: '\u00a0', scopes: ['a:b'] });
    expect(sent[0]!._name).toBe('\u00a0');
  });

  it.each([
    ['a blank name', () => client.createCredential({ brandId, name: ' \t\r\n ', scopes: ['a:b'] })],
    ['a blank reason', () => client.revokeCredential({ brandId, credentialId, reason: '  ' })],
    ['a reason of 501 characters', () => client.revokeCredential({ brandId, credentialId, reason: 'r'.repeat(501) })],
    ['a limit of 0', () => client.listCredentials({ brandId, limit: 0 })],
    ['a limit of 201', () => client.listEvents({ brandId, limit: 201 })],
    ['a repeated scope', () => client.createCredential({ brandId, name: 'x', scopes: ['a:b', 'a:b'] })],
    ['a client id with a space', () => client.createCredential({ brandId, name: 'x', clientId: 'a b c', scopes: ['a:b'] })],
    ['a brand id that is not an id', () => client.listCredentials({ brandId: 'acme' })],
    ['a plaintext secret as the hash', () => client.createCredentialRecord({ brandId, name: 'x', clientId: 'abc', clientSecretHash: 'mintid_plain', scopes: ['a:b'] })],
  ])('refuses %s before sending anything', async (_name, call) => {
    await refusal(call());
  });

  it('names the parameter, never its value, in the message', async () => {
    const error = await refusal(client.createCredentialRecord({ brandId, name: 'x', clientId: 'abc', clientSecretHash: 'mintid_plain_value', scopes: ['a:b'] }));
    expect(error.message).toContain('clientSecretHash');
    expect(error.message).not.toContain('mintid_plain_value');
  });
});

describe('redactPassword', () => {
  it('hides a DATABASE_URL password for printing and keeps the rest', () => {
    expect(redactPassword('postgres://admin:s3cr%40t@db.example:5432/app')).toBe('postgres://admin:***@db.example:5432/app');
  });
  it('leaves a URL without a password as it is', () => {
    expect(redactPassword('postgres://postgres@127.0.0.1:5432/postgres')).toBe('postgres://postgres@127.0.0.1:5432/postgres');
  });
});
