// Issue 12's "done when", end to end through the local stack's real HTTP, gateway and database:
// an integration rotates with zero failed exchanges while it switches secrets during the grace;
// the admin sees the old secret go quiet and cuts over; a resource server introspecting a token
// sees active: false on the first request after the revocation.
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { createCredentialsClient, type CredentialsClient } from '../../src/client/credentials-client.js';

let t: TestApi;
let admin: CredentialsClient;
beforeAll(async () => {
  t = await startTestApi();
  admin = createCredentialsClient(t.supabaseAs(t.tokens.admin));
});
afterAll(() => t.close());

async function exchange(clientId: string, secret: string): Promise<Response> {
  return fetch(`${t.url}/functions/v1/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: `Basic ${btoa(`${clientId}:${secret}`)}` },
    body: 'grant_type=client_credentials',
  });
}

async function item(credentialId: string) {
  const page = await admin.listCredentials({ brandId: t.brandId, limit: 200 });
  return page.items.find((i) => i.id === credentialId)!;
}

describe('zero-downtime rotation', () => {
  it('an integration exchanging all along never fails while it switches to the new secret during the grace', async () => {
    const issued = await admin.createCredential({ brandId: t.brandId, name: 'ERP sync', scopes: ['products:read'], metadata: { integration: 'erp' } });
    let secret = issued.clientSecret; // what the integration is configured with
    const outcomes: number[] = [];
    // When the last exchange with the first secret started (the API runs in this process, on this
    // clock): the use it notes is at or after this, every earlier one before it.
    let lastOldSecretStartedAt = 0;
    let running = true;
    const integration = (async () => {
      while (running) {
        const using = secret;
        if (using === issued.clientSecret) lastOldSecretStartedAt = Date.now();
        outcomes.push((await exchange(issued.clientId, using)).status);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    const waitForExchanges = async (n: number) => {
      const target = outcomes.length + n;
      await expect.poll(() => outcomes.length, { timeout: 20_000, interval: 20 }).toBeGreaterThanOrEqual(target);
    };

    try {
      await waitForExchanges(5);
      const rotated = await admin.rotateSecret({ brandId: t.brandId, credentialId: issued.credentialId, reason: 'quarterly', graceSeconds: 3600 });
      expect(Date.parse(rotated.previousSecretExpiresAt!) - Date.parse(rotated.rotatedAt)).toBe(3_600_000);
      await waitForExchanges(5); // still on the old secret, inside the grace
      // The admin sees the old secret in use (flushed within seconds).
      await expect.poll(async () => (await item(issued.credentialId)).previousSecretLastUsedAt, { timeout: 10_000, interval: 200 })
        .toEqual(expect.any(String));

      secret = rotated.clientSecret; // the integration's operator deploys the new secret
      await waitForExchanges(5);
      // The last old-secret use is flushed (1 s interval here): wait for it, not for a fixed time.
      await expect.poll(async () => Date.parse((await item(issued.credentialId)).previousSecretLastUsedAt ?? ''), { timeout: 10_000, interval: 200 })
        .toBeGreaterThanOrEqual(lastOldSecretStartedAt);
      const quietSince = (await item(issued.credentialId)).previousSecretLastUsedAt;
      await waitForExchanges(5);
      await new Promise((resolve) => setTimeout(resolve, 1500)); // a flush interval: the old secret stays quiet
      expect((await item(issued.credentialId)).previousSecretLastUsedAt).toBe(quietSince);

      // Cut over on evidence, before the grace would end on its own.
      const ended = await admin.endRotationGrace({ brandId: t.brandId, credentialId: issued.credentialId, reason: 'old secret quiet' });
      expect(Date.parse(ended.previousSecretExpiresAt)).toBeLessThan(Date.parse(rotated.previousSecretExpiresAt!));
      await waitForExchanges(5);
    } finally {
      running = false;
      await integration;
    }

    expect(outcomes.length).toBeGreaterThanOrEqual(25);
    expect(outcomes.filter((s) => s !== 200)).toEqual([]);
    // And now the old secret is refused, and counted as a rejected use.
    expect((await exchange(issued.clientId, issued.clientSecret)).status).toBe(401);
    await expect.poll(async () => (await item(issued.credentialId)).rejectedUseCount, { timeout: 10_000, interval: 200 }).toBe(1);
    const events = await admin.listEvents({ brandId: t.brandId, credentialId: issued.credentialId });
    expect(events.items.map((e) => e.action)).toEqual(['rotation_grace_ended', 'rotated', 'created']);
  }, 60_000);
});

describe('revocation reaching a resource server', () => {
  it('introspection answers active: false on the first request after the revocation; signature checks alone still pass until exp', async () => {
    const issued = await admin.createCredential({ brandId: t.brandId, name: 'Shop', scopes: ['orders:write'] });
    const { access_token: token } = (await (await exchange(issued.clientId, issued.clientSecret)).json()) as { access_token: string };
    const introspect = async () => (await (await fetch(`${t.url}/functions/v1/introspect`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: `Bearer ${t.keys.serviceRoleKey}` },
      body: new URLSearchParams({ token }),
    })).json()) as { active: boolean };
    expect((await introspect()).active).toBe(true);
    await admin.revokeCredential({ brandId: t.brandId, credentialId: issued.credentialId, reason: 'leaked', reasonCode: 'key_compromise' });
    expect(await introspect()).toEqual({ active: false });
    // A resource server that only verifies the signature still accepts it (until exp): documented in docs/token.md.
    const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(`${t.url}/functions/v1/jwks`)), { issuer: t.api.token.config.issuer, audience: 'mintid' });
    expect(payload.credential_id).toBe(issued.credentialId);
    const revoked = await item(issued.credentialId);
    expect(revoked).toMatchObject({ status: 'revoked', revocationReasonCode: 'key_compromise' });
  });

  it('revokes many by metadata through the typed client, and their tokens go inactive', async () => {
    const tag = `partner-${Date.now()}`;
    const a = await admin.createCredential({ brandId: t.brandId, name: 'A', scopes: ['orders:write'], metadata: { integration: tag } });
    const b = await admin.createCredential({ brandId: t.brandId, name: 'B', scopes: ['orders:write'], metadata: { integration: tag } });
    const result = await admin.revokeCredentials({ brandId: t.brandId, reason: 'partner offboarded', metadataContains: { integration: tag }, reasonCode: 'integration_retired' });
    expect(result.revoked).toBe(2);
    expect([...result.credentialIds].sort()).toEqual([a.credentialId, b.credentialId].sort());
    expect((await exchange(a.clientId, a.clientSecret)).status).toBe(401);
  });
});
