// Shared set-up for the token endpoint tests: a real database, real argon2 hashes, real keys.
import type { TestDatabase } from '../support/database.js';
import { createArgs, serviceCaller } from '../support/fixtures.js';
import { generateClientId, generateClientSecret } from '../../src/secrets/generate.js';
import { hashClientSecret, verifyClientSecret } from '../../src/secrets/hash.js';
import { generateSigningKey, type SigningJwk } from '../../src/secrets/signing-key.js';
import { importSigningKeys, type SigningKeys } from '../../supabase/functions/_shared/keys.ts';
import { parseLookupResult, parseRecordResult, recordUseArgs, type CredentialStore } from '../../supabase/functions/_shared/store.ts';
import { createTokenHandler, type TokenHandlerDeps } from '../../supabase/functions/_shared/token-handler.ts';
import { createJwksHandler } from '../../supabase/functions/_shared/jwks-handler.ts';
import { createIntrospectHandler, type IntrospectHandlerDeps } from '../../supabase/functions/_shared/introspect-handler.ts';
import type { Clock } from '../../supabase/functions/_shared/ports.ts';

export const ISSUER = 'http://127.0.0.1:54321/functions/v1/token';
export const AUDIENCE = 'mintid';
export const TTL = 600;

/** A CredentialStore over the real database: the two RPCs called as service_role through SQL. */
export interface CountingStore extends CredentialStore {
  lookups: number;
  recordCalls: string[][];
}

export function sqlCredentialStore(db: TestDatabase): CountingStore {
  const store: CountingStore = {
    lookups: 0,
    recordCalls: [],
    async lookup(clientId) {
      store.lookups += 1;
      return parseLookupResult(await db.rpc(serviceCaller, 'lookup_api_credential_for_token', { _client_id: clientId }));
    },
    async recordUses(ids, more = {}) {
      store.recordCalls.push(ids);
      parseRecordResult(await db.rpc(serviceCaller, 'record_api_credential_use', recordUseArgs(ids, more)));
    },
  };
  return store;
}

export interface TestCredential {
  credentialId: string;
  clientId: string;
  secret: string;
  hash: string;
}

/** A credential created through the RPC with a real argon2id hash of a fresh secret. */
export async function createCredential(
  db: TestDatabase,
  brandId: string,
  overrides: Record<string, unknown> = {},
): Promise<TestCredential> {
  const secret = generateClientSecret();
  const hash = await hashClientSecret(secret);
  const clientId = (overrides._client_id as string | undefined) ?? generateClientId();
  const created = await db.rpc<{ credential_id: string }>(serviceCaller, 'create_api_credential_record',
    createArgs(brandId, { _client_id: clientId, _client_secret_hash: hash, ...overrides }));
  return { credentialId: created.credential_id, clientId, secret, hash };
}

/** A clock the test moves by hand; starts at the real time. */
export function manualClock(start = Date.now()): Clock & { set(ms: number): void; advance(ms: number): void } {
  let now = start;
  return { now: () => now, set: (ms) => { now = ms; }, advance: (ms) => { now += ms; } };
}

let keysPromise: Promise<{ jwks: SigningJwk[]; keys: SigningKeys }> | undefined;
/** Two generated ES256 keys (the first signs), shared by a test file. */
export function testKeys(): Promise<{ jwks: SigningJwk[]; keys: SigningKeys }> {
  keysPromise ??= (async () => {
    const jwks = [await generateSigningKey(), await generateSigningKey()];
    return { jwks, keys: await importSigningKeys(jwks) };
  })();
  return keysPromise;
}

/** The token handler over the real database with the Node verifier, and a JWKS handler for the same keys. */
export async function buildHandlers(db: TestDatabase, overrides: Partial<TokenHandlerDeps> = {}) {
  const { keys } = await testKeys();
  const store = sqlCredentialStore(db);
  const logs: string[] = [];
  const verifications: string[] = [];
  const verifySecret = async (phc: string, secret: string) => {
    verifications.push(phc);
    return verifyClientSecret(phc, secret);
  };
  const handler = createTokenHandler({
    config: { issuer: ISSUER, audience: AUDIENCE, ttlSeconds: TTL },
    keys, store, verifySecret, log: (line) => logs.push(line),
    ...overrides,
  });
  return { handler, jwksHandler: createJwksHandler({ jwks: keys.jwks }), store, logs, verifications };
}

/** application/x-www-form-urlencoded encoding of one value, as RFC 6749 Appendix B describes. */
export function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

/** An Authorization header per RFC 6749 §2.3.1: each part form-encoded, then base64. */
export function basic(clientId: string, secret: string): string {
  return `Basic ${Buffer.from(`${formEncode(clientId)}:${formEncode(secret)}`, 'utf8').toString('base64')}`;
}

/** A POST to the token endpoint with a form body. */
export function tokenRequest(
  params: Record<string, string> | string,
  headers: Record<string, string> = {},
  method = 'POST',
): Request {
  const body = typeof params === 'string' ? params : new URLSearchParams(params).toString();
  return new Request('http://127.0.0.1/functions/v1/token', {
    method,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: method === 'GET' || method === 'HEAD' ? undefined : body,
  });
}

/** The service key the introspection tests present (any string works: the handler compares it exactly). */
export const TEST_SERVICE_KEY = 'test-service-role-key.for-introspection';

/** The introspection handler over the real database, with the same keys as buildHandlers' token handler. */
export async function buildIntrospect(db: TestDatabase, overrides: Partial<IntrospectHandlerDeps> = {}) {
  const { keys } = await testKeys();
  const store = sqlCredentialStore(db);
  const logs: string[] = [];
  const handler = createIntrospectHandler({
    config: { issuer: ISSUER, audience: AUDIENCE }, jwks: keys.jwks, serviceRoleKey: TEST_SERVICE_KEY,
    store, verifySecret: verifyClientSecret, log: (line) => logs.push(line),
    ...overrides,
  });
  return { handler, store, logs };
}

/** A POST to the introspection endpoint with a form body. */
export function introspectRequest(params: Record<string, string> | string, headers: Record<string, string> = {}, method = 'POST'): Request {
  const body = typeof params === 'string' ? params : new URLSearchParams(params).toString();
  return new Request('http://127.0.0.1/functions/v1/introspect', {
    method,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: method === 'GET' || method === 'HEAD' ? undefined : body,
  });
}
