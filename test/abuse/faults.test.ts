// Issue 10 item 9 / SPEC §15: PostgreSQL restarted while the API is under load. No acknowledged
// write is lost; meanwhile the gateway and the token endpoint answer 503 with Retry-After (and
// nothing else but success); both recover without restarting the API. A durable server of its
// own (fsync on), the real API wiring over real HTTP.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/node-websocket.js';
import { startApi, type Api } from '../../src/local/api.js';
import { startEmbeddedPostgres, type EmbeddedServer } from '../../src/local/embedded.js';
import { migrate } from '../../src/local/migrate.js';
import { generateClientId, generateClientSecret } from '../../src/secrets/generate.js';
import { hashClientSecret } from '../../src/secrets/hash.js';
import { generateSigningKey } from '../../src/secrets/signing-key.js';
import { phc } from '../support/fixtures.js';
import { databaseUrl, freePort } from '../support/urls.js';
import { basic } from '../token/helpers.js';

const JWT_SECRET = 'faults-test-secret-0123456789abcdef-0123456789';
let dataDir: string;
let dbPort: number;
const password = randomBytes(18).toString('base64url');
const authenticatorPassword = randomBytes(18).toString('base64url');
let server: EmbeddedServer | undefined;
let api: Api;
let url: string;
const brandId = randomUUID();

const startServer = () => startEmbeddedPostgres({ dataDir, port: dbPort, durable: true, password });

beforeAll(async () => {
  dataDir = path.join(await mkdtemp(path.join(tmpdir(), 'mintid-faults-')), 'db');
  dbPort = await freePort();
  server = await startServer();
  await migrate({ databaseUrl: server.adminUrl, ownerPassword: randomBytes(18).toString('base64url'), authenticatorPassword });
  const admin = postgres(server.adminUrl, { max: 1, onnotice: () => {} });
  await admin`insert into mintid.brands (id, name) values (${brandId}, 'Faults')`;
  await admin.end();
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  api = await startApi({
    authenticatorUrl: databaseUrl(server.adminUrl, 'postgres', { user: 'authenticator', password: authenticatorPassword }),
    jwtSecret: JWT_SECRET, signingKeys: JSON.stringify([await generateSigningKey()]), publicUrl: url,
    env: { MINTID_USAGE_FLUSH_SECONDS: '1', MINTID_TOKEN_EXCHANGES_PER_MINUTE: '100000' },
  });
  await api.gateway.listen(port, '127.0.0.1');
}, 120_000);

afterAll(async () => {
  await api?.close();
  await server?.stop();
  if (dataDir) await rm(path.dirname(dataDir), { recursive: true, force: true });
}, 60_000);

const service = () => ({ apikey: api.keys.serviceRoleKey, Authorization: `Bearer ${api.keys.serviceRoleKey}`, 'Content-Type': 'application/json' });
const create = (clientId: string, hash = phc()) => fetch(`${url}/rest/v1/rpc/create_api_credential_record`, {
  method: 'POST', headers: service(),
  body: JSON.stringify({ _brand_id: brandId, _name: 'load', _client_id: clientId, _client_secret_hash: hash, _scopes: ['products:read'] }),
});
const exchange = (clientId: string, secret: string) => fetch(`${url}/functions/v1/token`, {
  method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: basic(clientId, secret) },
  body: 'grant_type=client_credentials',
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Outcome { kind: 'create' | 'token'; status: number; retryAfter: string | null; clientId?: string; at: number }

describe('a PostgreSQL restart under load', () => {
  it('loses no acknowledged write, answers only 503 + Retry-After meanwhile, and recovers without an API restart', async () => {
    const secret = generateClientSecret();
    const clientId = generateClientId();
    expect((await create(clientId, await hashClientSecret(secret))).status).toBe(200);
    expect((await exchange(clientId, secret)).status).toBe(200);

    const outcomes: Outcome[] = [];
    let running = true;
    const worker = async (kind: Outcome['kind']) => {
      while (running) {
        const id = generateClientId();
        try {
          const res = kind === 'create' ? await create(id) : await exchange(clientId, secret);
          await res.text();
          outcomes.push({ kind, status: res.status, retryAfter: res.headers.get('retry-after'), clientId: id, at: Date.now() });
          if (res.status !== 200) await sleep(50); // a client backing off
        } catch {
          outcomes.push({ kind, status: 0, retryAfter: null, at: Date.now() });
          await sleep(50);
        }
      }
    };
    const workers = [...Array(4)].map(() => worker('create')).concat([...Array(2)].map(() => worker('token')));

    await sleep(1500);
    const downAt = Date.now();
    await server!.stop();
    await sleep(1500);
    server = await startServer();
    const upAt = Date.now();
    // Recovery: keep the load on until both kinds succeed again after the restart (at most 30 s).
    const deadline = Date.now() + 30_000;
    const recovered = (kind: Outcome['kind']) => outcomes.some((o) => o.kind === kind && o.status === 200 && o.at > upAt);
    while (!(recovered('create') && recovered('token')) && Date.now() < deadline) await sleep(100);
    await sleep(500);
    running = false;
    await Promise.all(workers);

    expect(recovered('create')).toBe(true);
    expect(recovered('token')).toBe(true);
    const refused = outcomes.filter((o) => o.status !== 200);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.filter((o) => o.at < downAt)).toEqual([]);
    // Nothing but 503 with Retry-After: no 500, no dropped connection.
    expect(refused.filter((o) => o.status !== 503 || !/^\d+$/.test(o.retryAfter ?? ''))).toEqual([]);
    expect(refused.some((o) => o.kind === 'create')).toBe(true);
    expect(refused.some((o) => o.kind === 'token')).toBe(true);

    const acknowledged = outcomes.filter((o) => o.kind === 'create' && o.status === 200).map((o) => o.clientId!);
    const admin = postgres(server!.adminUrl, { max: 1, onnotice: () => {} });
    const rows = await admin<{ client_id: string }[]>`select client_id from mintid.api_credentials where client_id = any(${acknowledged})`;
    await admin.end();
    expect(acknowledged.length).toBeGreaterThan(10);
    expect(rows.length).toBe(acknowledged.length);
  }, 120_000);
});

describe('the postgres.js guard (scripts/patch-postgres.mjs, run by npm install)', () => {
  it('is applied: a write to a closed connection rejects its queries instead of crashing the process', async () => {
    const { readFile } = await import('node:fs/promises');
    for (const dir of ['src', 'cjs/src']) {
      const text = await readFile(path.join(import.meta.dirname, '../../node_modules/postgres', dir, 'connection.js'), 'utf8');
      expect(text).toContain('mintid: guarded nextWrite');
      expect(text).toContain('mintid: a close forgets the dead backend');
      expect(await readFile(path.join(import.meta.dirname, '../../node_modules/postgres', dir, 'index.js'), 'utf8'))
        .toContain('mintid: reserve owns its connection');
    }
  });
});
