// RFC 8414 metadata through the local stack's real gateway and HTTP (SPEC §14): at the issuer's
// path + /.well-known/openid-configuration and at RFC 8414's own location, no apikey needed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';

let t: TestApi;
beforeAll(async () => { t = await startTestApi(); });
afterAll(() => t.close());

const OIDC_PATH = '/functions/v1/token/.well-known/openid-configuration';
const RFC8414_PATH = '/.well-known/oauth-authorization-server/functions/v1/token';

describe('authorization server metadata', () => {
  it('is served at <issuer>/.well-known/openid-configuration with the members of SPEC §14', async () => {
    const res = await fetch(`${t.url}${OIDC_PATH}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(await res.json()).toEqual({
      issuer: `${t.url}/functions/v1/token`,
      token_endpoint: `${t.url}/functions/v1/token`,
      jwks_uri: `${t.url}/functions/v1/jwks`,
      introspection_endpoint: `${t.url}/functions/v1/introspect`,
      grant_types_supported: ['client_credentials'],
      response_types_supported: [],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      access_token_signing_alg_values_supported: ['ES256'],
    });
  });

  it('is the same document at /.well-known/oauth-authorization-server/functions/v1/token (RFC 8414 §3)', async () => {
    const [a, b] = await Promise.all([fetch(`${t.url}${OIDC_PATH}`), fetch(`${t.url}${RFC8414_PATH}`)]);
    expect(b.status).toBe(200);
    expect(await b.json()).toEqual(await a.json());
  });

  it('names the issuer that signed tokens carry, so clients can compare them', async () => {
    const metadata = (await (await fetch(`${t.url}${RFC8414_PATH}`)).json()) as { issuer: string };
    expect(metadata.issuer).toBe(t.api.token.config.issuer);
  });

  it('answers HEAD with 200 and no body, OPTIONS with 204', async () => {
    const head = await fetch(`${t.url}${OIDC_PATH}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expect((await fetch(`${t.url}${RFC8414_PATH}`, { method: 'OPTIONS' })).status).toBe(204);
  });

  it.each(['POST', 'PUT', 'DELETE'])('answers %s with 405 and Allow: GET, HEAD, OPTIONS', async (method) => {
    const res = await fetch(`${t.url}${OIDC_PATH}`, { method });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
  });

  it.each([
    ['the bare RFC 8414 location', '/.well-known/oauth-authorization-server'],
    ['another function\'s RFC 8414 location', '/.well-known/oauth-authorization-server/functions/v1/jwks'],
    ['a root openid-configuration', '/.well-known/openid-configuration'],
    ['an unknown well-known document', '/.well-known/security.txt'],
  ])('answers 404 for %s', async (_name, path) => {
    expect((await fetch(`${t.url}${path}`)).status).toBe(404);
  });

  it('leaves the token endpoint itself as it was: GET /functions/v1/token is still 405', async () => {
    expect((await fetch(`${t.url}/functions/v1/token`)).status).toBe(405);
  });

  it('does not turn a POST under the metadata path into a token request', async () => {
    const res = await fetch(`${t.url}${OIDC_PATH}`, {
      method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials',
    });
    expect(res.status).toBe(405);
  });
});

describe('the introspection function on the local stack', () => {
  it('is mounted without apikey or Supabase JWT and takes the service key as Bearer', async () => {
    const res = await fetch(`${t.url}/functions/v1/introspect`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: `Bearer ${t.keys.serviceRoleKey}` },
      body: 'token=garbage',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ active: false });
  });

  it('refuses the anon key as Bearer with 401 invalid_token', async () => {
    const res = await fetch(`${t.url}/functions/v1/introspect`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: `Bearer ${t.keys.anonKey}`, apikey: t.keys.anonKey },
      body: 'token=garbage',
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_token');
  });
});
