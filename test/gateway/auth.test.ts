// The gateway's apikey check (Supabase §7.1) and PostgREST's JWT handling (§4), with crafted tokens.
import { CompactSign, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { now, post, sign, startGatewayFixture, type GatewayFixture } from './helpers.js';

let f: GatewayFixture;
let esKey: CryptoKey;
let strangerKey: CryptoKey;
beforeAll(async () => {
  const pair = await generateKeyPair('ES256', { extractable: true });
  esKey = pair.privateKey;
  strangerKey = (await generateKeyPair('ES256')).privateKey;
  const publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'test-es256', alg: 'ES256', use: 'sig' };
  f = await startGatewayFixture({ jwks: { keys: [publicJwk as JsonWebKey] } });
});
afterAll(() => f.close());

const json = async (res: Response) => JSON.parse(await res.text()) as Record<string, unknown>;
const withToken = (token: string) => ({ headers: { Authorization: `Bearer ${token}` } });
const b64url = (text: string) => Buffer.from(text).toString('base64url');

async function expectJwtError(res: Response, code: string, message: string, details: string | null = null): Promise<void> {
  expect(res.status).toBe(401);
  expect(await json(res)).toEqual({ code, message, details, hint: null });
  expect(res.headers.get('www-authenticate')).toBe(`Bearer error="invalid_token", error_description="${message}"`);
}

describe('apikey (the Supabase gateway in front)', () => {
  it('refuses a request without an apikey with 401 and Kong\'s body', async () => {
    const res = await f.gateway.fetch(new Request('http://localhost/rest/v1/rpc/no_args', post({})));
    expect(res.status).toBe(401);
    expect(await json(res)).toEqual({ message: 'No API key found in request', hint: 'No apikey request header or url param was found.' });
  });

  it('refuses an unknown apikey with 401', async () => {
    const res = await f.rest('/rpc/no_args', { ...post({}), headers: { apikey: 'not-a-key', 'Content-Type': 'application/json' } });
    expect(res.status).toBe(401);
    expect(await json(res)).toEqual({ message: 'Invalid API key', hint: 'Double check your Supabase `anon` or `service_role` API key.' });
  });

  it('refuses a missing apikey even with a valid user token', async () => {
    const res = await f.gateway.fetch(new Request('http://localhost/rest/v1/rpc/no_args', withToken(f.userToken)));
    expect(res.status).toBe(401);
  });

  it('accepts the apikey as a query parameter, which is not an argument', async () => {
    const res = await f.gateway.fetch(new Request(`http://localhost/rest/v1/rpc/no_args?apikey=${f.anonKey}`));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('42');
  });

  it('uses the apikey as the Bearer token when no Authorization is sent', async () => {
    const res = await f.rest('/rpc/request_info', { ...post({}), headers: { apikey: f.serviceKey, 'Content-Type': 'application/json' } });
    const info = await json(res);
    expect(info.role).toBe('service_role');
    expect((info.headers as Record<string, string>).authorization).toBe(`Bearer ${f.serviceKey}`);
  });

  it('keeps the client\'s Authorization over the apikey', async () => {
    const info = await json(await f.rest('/rpc/request_info', post({}, { Authorization: `Bearer ${f.userToken}` })));
    expect(info.role).toBe('authenticated');
  });
});

describe('valid tokens', () => {
  it('runs as the token role with its claims (HS256 secret)', async () => {
    const res = await f.rest('/rpc/whoami', withToken(f.userToken));
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ uid: f.userId, role: 'authenticated' });
  });

  it('accepts an ES256 token verified by a JWKS key', async () => {
    const token = await sign({ sub: f.userId, role: 'authenticated', exp: now() + 60 }, esKey, { kid: 'test-es256' });
    const res = await f.rest('/rpc/whoami', withToken(token));
    expect(res.status).toBe(200);
    expect((await json(res)).uid).toBe(f.userId);
  });

  it('tries only the JWKS key named by the token\'s kid', async () => {
    const token = await sign({ role: 'authenticated' }, esKey, { kid: 'some-other-kid' });
    await expectJwtError(await f.rest('/rpc/no_args', withToken(token)), 'PGRST301', 'No suitable key or wrong key type',
      'None of the keys was able to decode the JWT');
  });

  it('accepts an HS256 token carrying a kid (the secret has none)', async () => {
    const token = await sign({ role: 'authenticated' }, undefined, { kid: 'legacy' });
    expect((await f.rest('/rpc/members_only', withToken(token))).status).toBe(200);
  });

  it('accepts the lower-case bearer scheme', async () => {
    const res = await f.rest('/rpc/members_only', { headers: { Authorization: `bearer ${f.userToken}` } });
    expect(res.status).toBe(200);
  });

  it('lets an authenticated token execute what anon may not', async () => {
    expect((await f.rest('/rpc/members_only', withToken(f.userToken))).status).toBe(200);
  });

  it('tolerates an exp up to 30 seconds in the past', async () => {
    const token = await sign({ role: 'authenticated', exp: now() - 10 });
    expect((await f.rest('/rpc/members_only', withToken(token))).status).toBe(200);
  });

  it('tolerates nbf and iat up to 30 seconds in the future', async () => {
    const token = await sign({ role: 'authenticated', nbf: now() + 10, iat: now() + 10 });
    expect((await f.rest('/rpc/members_only', withToken(token))).status).toBe(200);
  });

  it('accepts aud as a string, an array of strings or null', async () => {
    for (const aud of ['authenticated', ['a', 'b'], null]) {
      const token = await sign({ role: 'authenticated', aud });
      expect((await f.rest('/rpc/members_only', withToken(token))).status).toBe(200);
    }
  });

  it('treats a token without role as anonymous', async () => {
    const token = await sign({ sub: f.userId });
    const res = await f.rest('/rpc/members_only', withToken(token));
    expect(res.status).toBe(401);
    expect((await json(res)).code).toBe('42501');
  });

  it('treats another Authorization scheme as no token (anonymous)', async () => {
    const info = await json(await f.rest('/rpc/request_info', post({}, { Authorization: 'Basic dXNlcjpwYXNz' })));
    expect(info.role).toBe('anon');
    expect(info.claims).toEqual({ role: 'anon' });
  });
});

describe('PGRST301 / PGRST303', () => {
  it('answers PGRST301 for an empty Bearer token', async () => {
    await expectJwtError(await f.rest('/rpc/no_args', { headers: { Authorization: 'Bearer ' } }), 'PGRST301', 'Empty JWT is sent in Authorization header');
  });

  it('answers PGRST301 for a token with 2 parts', async () => {
    await expectJwtError(await f.rest('/rpc/no_args', withToken('abc.def')), 'PGRST301', 'Expected 3 parts in JWT; got 2');
  });

  it('answers PGRST301 for garbage in 3 parts', async () => {
    await expectJwtError(await f.rest('/rpc/no_args', withToken('a.b.c')), 'PGRST301', 'JWT cryptographic operation failed');
  });

  it('answers PGRST301 for a token signed with the wrong secret', async () => {
    const token = await sign({ role: 'authenticated' }, new TextEncoder().encode('another-secret-of-at-least-32-characters!!'));
    await expectJwtError(await f.rest('/rpc/no_args', withToken(token)), 'PGRST301', 'No suitable key or wrong key type',
      'None of the keys was able to decode the JWT');
  });

  it('answers PGRST301 for an ES256 token from a key not in the JWKS', async () => {
    const token = await sign({ role: 'authenticated' }, strangerKey, { kid: 'test-es256' });
    await expectJwtError(await f.rest('/rpc/no_args', withToken(token)), 'PGRST301', 'No suitable key or wrong key type',
      'None of the keys was able to decode the JWT');
  });

  it('answers PGRST301 for an unsecured token (alg none)', async () => {
    const token = `${b64url('{"alg":"none","typ":"JWT"}')}.${b64url('{"role":"service_role"}')}.`;
    await expectJwtError(await f.rest('/rpc/no_args', withToken(token)), 'PGRST301', 'Wrong or unsupported encoding algorithm',
      "JWT is unsecured but expected 'alg' was not 'none'");
  });

  it('answers PGRST303 for a payload that is not a JSON object', async () => {
    const token = await new CompactSign(new TextEncoder().encode('[1,2]')).setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode('gateway-test-secret-with-at-least-32-characters'));
    await expectJwtError(await f.rest('/rpc/no_args', withToken(token)), 'PGRST303', 'Parsing claims failed');
  });

  it('answers PGRST303 "JWT expired" beyond the 30-second leeway', async () => {
    const token = await sign({ role: 'authenticated', exp: now() - 60 });
    await expectJwtError(await f.rest('/rpc/no_args', withToken(token)), 'PGRST303', 'JWT expired');
  });

  it('answers PGRST303 for a non-numeric exp', async () => {
    const token = await sign({ role: 'authenticated', exp: 'tomorrow' });
    await expectJwtError(await f.rest('/rpc/no_args', withToken(token)), 'PGRST303', "The JWT 'exp' claim must be a number");
  });

  it('answers PGRST303 "JWT not yet valid" for nbf beyond the leeway', async () => {
    const token = await sign({ role: 'authenticated', nbf: now() + 60 });
    await expectJwtError(await f.rest('/rpc/no_args', withToken(token)), 'PGRST303', 'JWT not yet valid');
  });

  it('answers PGRST303 "JWT issued at future" for iat beyond the leeway', async () => {
    const token = await sign({ role: 'authenticated', iat: now() + 60 });
    await expectJwtError(await f.rest('/rpc/no_args', withToken(token)), 'PGRST303', 'JWT issued at future');
  });

  it('answers PGRST303 for an aud that is neither a string nor strings', async () => {
    const token = await new SignJWT({ role: 'authenticated', aud: 5 } as never).setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode('gateway-test-secret-with-at-least-32-characters'));
    await expectJwtError(await f.rest('/rpc/no_args', withToken(token)), 'PGRST303', "The JWT 'aud' claim must be a string or an array of strings");
  });

  it('checks the token before looking the function up', async () => {
    const res = await f.rest('/rpc/does_not_exist', withToken('abc.def'));
    expect(res.status).toBe(401);
  });
});

describe('roles', () => {
  it('answers 401 42501 with WWW-Authenticate when anon lacks EXECUTE', async () => {
    const res = await f.rest('/rpc/members_only');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    const body = await json(res);
    expect(body.code).toBe('42501');
    expect(body.message).toMatch(/^permission denied for function members_only/);
  });

  it('answers 401 22023 for a role claim naming a role that does not exist', async () => {
    const token = await sign({ role: 'nobody_here' });
    const res = await f.rest('/rpc/no_args', withToken(token));
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(await json(res)).toEqual({ code: '22023', message: 'role "nobody_here" does not exist', details: null, hint: null });
  });

  it('answers 403 42501 for a role the authenticator may not assume', async () => {
    const token = await sign({ role: 'gateway_outsider' });
    const res = await f.rest('/rpc/no_args', withToken(token));
    expect(res.status).toBe(403);
    const body = await json(res);
    expect(body.code).toBe('42501');
    expect(body.message).toBe('permission denied to set role "gateway_outsider"');
  });

  it('answers 401, not 403, for a token whose role is the anon role', async () => {
    const token = await sign({ role: 'anon', sub: f.userId });
    expect((await f.rest('/rpc/members_only', withToken(token))).status).toBe(401);
  });
});
