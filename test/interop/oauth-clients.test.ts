// Interop (issue 12 item 6): real third-party OAuth client libraries against the local stack's
// real HTTP endpoints — discovery, the client credentials grant with client_secret_basic and
// client_secret_post, error handling, introspection — and the token verified by a JWT library other
// than the one that signed it (jsonwebtoken, with the JWKS converted to PEM by node:crypto).
//
// Libraries: oauth4webapi and openid-client (panva; openid-client v6 is built on oauth4webapi, so
// it is the same HTTP code with its own configuration layer), and simple-oauth2 (hapi's wreck for
// HTTP, Joi config; independent of both) — the one whose empty `scope=` the contract accepts.
import { createPublicKey } from 'node:crypto';
import jwt from 'jsonwebtoken';
import * as oauth from 'oauth4webapi';
import * as openid from 'openid-client';
import { ClientCredentials } from 'simple-oauth2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { createCredentialsClient, type IssuedCredential } from '../../src/client/credentials-client.js';
import { generateClientSecret } from '../../src/secrets/generate.js';

let t: TestApi;
let issuer: URL;
let erp: IssuedCredential;
let revoked: IssuedCredential;
let resourceServer: IssuedCredential;

beforeAll(async () => {
  t = await startTestApi();
  issuer = new URL(t.api.token.config.issuer);
  const admin = createCredentialsClient(t.supabaseAs(t.tokens.admin));
  const create = (name: string, scopes: string[]) => admin.createCredential({ brandId: t.brandId, name, scopes });
  [erp, revoked, resourceServer] = await Promise.all([
    create('ERP', ['products:read', 'orders:write']),
    create('Old', ['products:read']),
    create('Resource server', ['mintid:introspect']),
  ]);
  await admin.revokeCredential({ brandId: t.brandId, credentialId: revoked.credentialId, reason: 'retired', reasonCode: 'unused' });
});
afterAll(() => t.close());

/** Verifies with jsonwebtoken: the JWK of the token's kid, turned into an SPKI PEM. */
async function verifyWithJsonwebtoken(token: string, options: jwt.VerifyOptions = {}): Promise<jwt.JwtPayload> {
  const { keys } = (await (await fetch(`${t.url}/functions/v1/jwks`)).json()) as { keys: { kid: string; [member: string]: unknown }[] };
  const { kid } = jwt.decode(token, { complete: true })!.header;
  const jwk = keys.find((k) => k.kid === kid);
  if (!jwk) throw new Error(`no JWK with kid ${kid}`);
  const pem = createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
  return jwt.verify(token, pem, { algorithms: ['ES256'], issuer: issuer.href.replace(/\/$/, ''), audience: 'mintid', ...options }) as jwt.JwtPayload;
}

describe('oauth4webapi', () => {
  const insecure = { [oauth.allowInsecureRequests]: true } as const;
  let as: oauth.AuthorizationServer;

  it('discovers the server at <issuer>/.well-known/openid-configuration (algorithm oidc) and checks the issuer', async () => {
    as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }));
    expect(as.token_endpoint).toBe(`${t.url}/functions/v1/token`);
    expect(as.grant_types_supported).toEqual(['client_credentials']);
  });

  it('discovers the same metadata at RFC 8414\'s location (algorithm oauth2)', async () => {
    const viaRfc8414 = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }));
    expect(viaRfc8414).toEqual(as);
  });

  it.each([
    ['client_secret_basic', () => oauth.ClientSecretBasic(erp.clientSecret)],
    ['client_secret_post', () => oauth.ClientSecretPost(erp.clientSecret)],
  ])('gets a token with %s, which jsonwebtoken verifies against the JWKS', async (_name, auth) => {
    const client: oauth.Client = { client_id: erp.clientId };
    const response = await oauth.clientCredentialsGrantRequest(as, client, auth(), { scope: 'orders:write' }, insecure);
    const result = await oauth.processClientCredentialsResponse(as, client, response);
    expect(result).toMatchObject({ token_type: 'bearer', expires_in: 600, scope: 'orders:write' });
    const claims = await verifyWithJsonwebtoken(result.access_token);
    expect(claims).toMatchObject({ sub: erp.clientId, client_id: erp.clientId, brand_id: t.brandId, scope: 'orders:write' });
  });

  it('surfaces a wrong secret as invalid_client with the Basic challenge (401)', async () => {
    const client: oauth.Client = { client_id: erp.clientId };
    const response = await oauth.clientCredentialsGrantRequest(as, client, oauth.ClientSecretBasic(generateClientSecret()), {}, insecure);
    const error = await oauth.processClientCredentialsResponse(as, client, response).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(oauth.WWWAuthenticateChallengeError);
    expect((error as oauth.WWWAuthenticateChallengeError).status).toBe(401);
    expect((error as oauth.WWWAuthenticateChallengeError).cause[0]).toMatchObject({ scheme: 'basic', parameters: { realm: 'mintid' } });
  });

  it('surfaces a revoked credential over client_secret_post as ResponseBodyError invalid_client', async () => {
    const client: oauth.Client = { client_id: revoked.clientId };
    const response = await oauth.clientCredentialsGrantRequest(as, client, oauth.ClientSecretPost(revoked.clientSecret), {}, insecure);
    const error = await oauth.processClientCredentialsResponse(as, client, response).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(oauth.ResponseBodyError);
    expect(error).toMatchObject({ error: 'invalid_client', status: 401 });
  });

  it('surfaces a scope the credential lacks as invalid_scope (400)', async () => {
    const client: oauth.Client = { client_id: erp.clientId };
    const response = await oauth.clientCredentialsGrantRequest(as, client, oauth.ClientSecretBasic(erp.clientSecret), { scope: 'admin:all' }, insecure);
    await expect(oauth.processClientCredentialsResponse(as, client, response)).rejects.toMatchObject({ error: 'invalid_scope', status: 400 });
  });

  it('introspects a token as a resource server credential (RFC 7662), active and then unknown', async () => {
    const client: oauth.Client = { client_id: erp.clientId };
    const { access_token: token } = await oauth.processClientCredentialsResponse(as, client,
      await oauth.clientCredentialsGrantRequest(as, client, oauth.ClientSecretBasic(erp.clientSecret), {}, insecure));
    const rs: oauth.Client = { client_id: resourceServer.clientId };
    const active = await oauth.processIntrospectionResponse(as, rs,
      await oauth.introspectionRequest(as, rs, oauth.ClientSecretBasic(resourceServer.clientSecret), token, insecure));
    expect(active).toMatchObject({ active: true, client_id: erp.clientId, scope: 'products:read orders:write', token_type: 'Bearer' });
    const garbage = await oauth.processIntrospectionResponse(as, rs,
      await oauth.introspectionRequest(as, rs, oauth.ClientSecretPost(resourceServer.clientSecret), 'not-a-token', insecure));
    expect(garbage).toEqual({ active: false });
  });
});

describe('openid-client', () => {
  let config: openid.Configuration;

  it('discovers with algorithm oauth2 and gets a token with client_secret_basic', async () => {
    config = await openid.discovery(issuer, erp.clientId, undefined, openid.ClientSecretBasic(erp.clientSecret),
      { algorithm: 'oauth2', execute: [openid.allowInsecureRequests] });
    expect(config.serverMetadata().introspection_endpoint).toBe(`${t.url}/functions/v1/introspect`);
    const tokens = await openid.clientCredentialsGrant(config, { scope: 'products:read' });
    expect(tokens.scope).toBe('products:read');
    expect(tokens.expiresIn()).toBeGreaterThan(590);
    expect((await verifyWithJsonwebtoken(tokens.access_token)).scope).toBe('products:read');
  });

  it('gets a token with client_secret_post (discovery with algorithm oidc), all scopes by default', async () => {
    const post = await openid.discovery(issuer, erp.clientId, erp.clientSecret, openid.ClientSecretPost(erp.clientSecret),
      { algorithm: 'oidc', execute: [openid.allowInsecureRequests] });
    const tokens = await openid.clientCredentialsGrant(post);
    expect(tokens.scope).toBe('products:read orders:write');
  });

  it('rejects a wrong secret with an error naming invalid_client and status 401', async () => {
    const wrong = await openid.discovery(issuer, erp.clientId, undefined, openid.ClientSecretPost(generateClientSecret()),
      { execute: [openid.allowInsecureRequests] });
    await expect(openid.clientCredentialsGrant(wrong)).rejects.toMatchObject({ error: 'invalid_client', status: 401 });
  });

  it('rejects discovery of a server whose metadata names another issuer', async () => {
    const other = new URL(`${t.url}/functions/v1/jwks`);
    await expect(openid.discovery(other, erp.clientId, erp.clientSecret, undefined, { execute: [openid.allowInsecureRequests] }))
      .rejects.toThrow();
  });

  it('introspects with tokenIntrospection and sees a revocation on the next call', async () => {
    const admin = createCredentialsClient(t.supabaseAs(t.tokens.admin));
    const shortLived = await admin.createCredential({ brandId: t.brandId, name: 'Short', scopes: ['products:read'] });
    const grant = await openid.discovery(issuer, shortLived.clientId, shortLived.clientSecret, undefined, { execute: [openid.allowInsecureRequests] });
    const { access_token: token } = await openid.clientCredentialsGrant(grant);
    const rs = await openid.discovery(issuer, resourceServer.clientId, undefined, openid.ClientSecretBasic(resourceServer.clientSecret),
      { execute: [openid.allowInsecureRequests] });
    expect((await openid.tokenIntrospection(rs, token)).active).toBe(true);
    await admin.revokeCredential({ brandId: t.brandId, credentialId: shortLived.credentialId, reason: 'leaked', reasonCode: 'key_compromise' });
    expect((await openid.tokenIntrospection(rs, token)).active).toBe(false);
  });
});

describe('simple-oauth2 (independent HTTP stack: @hapi/wreck)', () => {
  const config = (id: string, secret: string, authorizationMethod: 'header' | 'body') => ({
    client: { id, secret },
    auth: { tokenHost: t.url, tokenPath: '/functions/v1/token' },
    options: { authorizationMethod },
  });

  it.each(['header', 'body'] as const)('gets a token with authorizationMethod %s that jsonwebtoken verifies', async (method) => {
    const client = new ClientCredentials(config(erp.clientId, erp.clientSecret, method));
    const accessToken = await client.getToken({ scope: ['products:read', 'orders:write'] });
    expect(accessToken.token).toMatchObject({ token_type: 'Bearer', scope: 'products:read orders:write' });
    expect((await verifyWithJsonwebtoken(accessToken.token.access_token as string)).client_id).toBe(erp.clientId);
  });

  it('sends an empty scope= when given none, which the contract reads as all scopes', async () => {
    const client = new ClientCredentials(config(erp.clientId, erp.clientSecret, 'header'));
    const accessToken = await client.getToken({ scope: '' });
    expect(accessToken.token.scope).toBe('products:read orders:write');
  });

  it('reports a wrong secret as a 401 with the invalid_client body', async () => {
    const client = new ClientCredentials(config(erp.clientId, generateClientSecret(), 'header'));
    const error = (await client.getToken({}).catch((e: unknown) => e)) as { output: { statusCode: number }; data: { payload: { error: string } } };
    expect(error.output.statusCode).toBe(401);
    expect(error.data.payload.error).toBe('invalid_client');
  });

  it('reports a revoked credential over the body the same way', async () => {
    const client = new ClientCredentials(config(revoked.clientId, revoked.clientSecret, 'body'));
    const error = (await client.getToken({}).catch((e: unknown) => e)) as { output: { statusCode: number }; data: { payload: { error: string } } };
    expect([error.output.statusCode, error.data.payload.error]).toEqual([401, 'invalid_client']);
  });
});

describe('jsonwebtoken refuses what it must', () => {
  async function token(): Promise<string> {
    const res = await fetch(`${t.url}/functions/v1/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: erp.clientId, client_secret: erp.clientSecret }),
    });
    return ((await res.json()) as { access_token: string }).access_token;
  }

  it('a wrong audience', async () => {
    await expect(verifyWithJsonwebtoken(await token(), { audience: 'someone-else' })).rejects.toThrow(/audience/);
  });

  it('a wrong issuer', async () => {
    await expect(verifyWithJsonwebtoken(await token(), { issuer: 'https://evil.example/token' })).rejects.toThrow(/issuer/);
  });

  it('a tampered payload', async () => {
    const [h, p, s] = (await token()).split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, scope: 'admin:all' })).toString('base64url');
    await expect(verifyWithJsonwebtoken(`${h}.${forged}.${s}`)).rejects.toThrow(/signature/);
  });

  it('an expired token (clock past exp)', async () => {
    const t0 = await token();
    const { exp } = jwt.decode(t0) as { exp: number };
    await expect(verifyWithJsonwebtoken(t0, { clockTimestamp: exp + 1 })).rejects.toThrow(/expired/);
  });
});
