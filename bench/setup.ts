// The benchmark's world: a PostgreSQL (DATABASE_URL, else an embedded throw-away server), a fresh
// migrated database, two brands with one admin, and the API of `npm start` listening on loopback.
// Everything it creates is undone by close(), also when set-up fails half-way.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import postgres, { type Sql } from 'postgres';
import { startEmbeddedPostgres } from '../src/local/embedded.js';
import { localKeys, signHs256, userClaims } from '../src/local/keys.js';
import { migrate } from '../src/local/migrate.js';
import { databaseUrl } from '../src/local/urls.js';
import { generateSigningKey } from '../src/secrets/signing-key.js';
import { freePort } from '../test/support/urls.js';
import type { ApiWorkerData, ApiWorkerMessage } from './api-worker.js';
import { pgbenchVersion } from './sql-load.js';

/** The password the bench gives the `authenticator` login and the migration owner. */
const BENCH_PASSWORD = 'postgres';

export interface BenchUser {
  id: string;
  email: string;
  /** The user's access token (HS256, role authenticated). Never printed. */
  jwt: string;
  /** The JWT's claims, as PostgREST puts them into request.jwt.claims. */
  claims: Record<string, unknown>;
}

export interface BenchEnv {
  embedded: boolean;
  database: string;
  postgresVersion: string;
  /** Superuser pool on the bench database (set-up only). */
  admin: Sql;
  /** Pool logged in as `authenticator`, sized and configured like the gateway's own pool. */
  authenticator: Sql;
  /** The `authenticator` login's URL (pgbench connects with it). */
  authenticatorUrl: string;
  /** Superuser URL of the bench database. */
  adminUrl: string;
  /** What drives the SQL cells: pgbench's version, or the Node fallback. */
  sqlDriver: string;
  /** How the token function reads credentials, for the table notes. */
  tokenStore: string;
  authenticatorPoolSize: number;
  /** Base URL of the API (gateway + edge functions). */
  apiUrl: string;
  anonKey: string;
  /** The API's HS256 secret (for in-process experiments; never printed). */
  jwtSecret: string;
  /** A brand for the token credentials and the one-brand rotations. */
  workBrandId: string;
  /** 16 brands the rotations and creations spread over (each brand's audit chain serialises its writes). */
  tenantBrandIds: string[];
  /** Brand holding a fixed set of credentials for the list benchmark. */
  listBrandId: string;
  adminUser: BenchUser;
  close(): Promise<void>;
}

/** The gateway's default pool size (src/gateway/options.ts); the SQL side gets the same. */
const POOL_SIZE = 10;

/** The promise, or a plain return after `ms` if it has not settled by then (a ref'd timer keeps the process alive). */
function settleWithin(promise: Promise<unknown>, ms: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function startApiWorker(data: ApiWorkerData): Promise<{ url: string; close: () => Promise<void> }> {
  // A worker does not inherit tsx's loader: boot it with tsx's API, then import the TypeScript entry.
  const boot = `const { tsImport } = await import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))});
await tsImport(${JSON.stringify(new URL('./api-worker.ts', import.meta.url).href)}, ${JSON.stringify(import.meta.url)});`;
  const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`), { workerData: data });
  return new Promise((resolve, reject) => {
    const onFirst = (message: ApiWorkerMessage) => {
      if (message.type === 'ready') {
        resolve({
          url: message.url,
          close: async () => {
            await new Promise<void>((done) => {
              const timer = setTimeout(done, 3_000);
              worker.on('message', (m: ApiWorkerMessage) => {
                if (m.type === 'closed' || m.type === 'error') {
                  clearTimeout(timer);
                  done();
                }
              });
              worker.postMessage('close');
            });
            await worker.terminate();
          },
        });
      } else if (message.type === 'error') {
        void worker.terminate();
        reject(new Error(message.message));
      }
    };
    worker.once('message', onFirst);
    worker.once('error', (error) => reject(error));
  });
}

async function signUserJwt(secret: string, user: { id: string; email: string }): Promise<BenchUser> {
  const now = Math.floor(Date.now() / 1000);
  const claims = { ...userClaims(user), iat: now, exp: now + 3600 };
  const jwt = await signHs256(secret, claims);
  return { ...user, jwt, claims };
}

export interface SetUpOptions {
  /** Settings of the embedded server (ignored with DATABASE_URL). */
  serverSettings?: Record<string, string>;
}

export async function setUp(log: (line: string) => void, options: SetUpOptions = {}): Promise<BenchEnv> {
  const undo: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const step of undo.reverse()) {
      await step().catch((error: unknown) => console.error(`bench clean-up: ${(error as Error)?.message}`));
    }
    undo.length = 0;
  };
  try {
    let serverUrl = process.env.DATABASE_URL;
    const embedded = !serverUrl;
    if (!serverUrl) {
      log('starting an embedded PostgreSQL (durable: false)…');
      const dataRoot = await mkdtemp(path.join(tmpdir(), 'mintid-bench-'));
      undo.push(() => rm(dataRoot, { recursive: true, force: true }));
      const server = await startEmbeddedPostgres({ dataDir: path.join(dataRoot, 'db'), port: await freePort(), durable: false,
        settings: options.serverSettings });
      // On Ctrl-C the server gets the signal too and may be gone already; stop() then never settles.
      undo.push(() => settleWithin(server.stop(), 5_000));
      serverUrl = server.adminUrl;
    }

    const database = `mintid_bench_${Date.now().toString(36)}_${process.pid}`;
    const root = postgres(serverUrl, { max: 1, onnotice: () => {} });
    undo.push(() => root.end({ timeout: 5 }));
    const [version] = await root<{ server_version: string }[]>`show server_version`;
    const postgresVersion = version!.server_version;
    await root.unsafe(`create database ${database}`);
    undo.push(() => root.unsafe(`drop database if exists ${database} with (force)`));

    log(`migrating ${database}…`);
    const adminUrl = databaseUrl(serverUrl, database);
    await migrate({ databaseUrl: adminUrl, ownerPassword: BENCH_PASSWORD, authenticatorPassword: BENCH_PASSWORD });

    const admin = postgres(adminUrl, { max: 2, onnotice: () => {} });
    undo.push(() => admin.end({ timeout: 5 }));
    const workBrandId = randomUUID();
    const listBrandId = randomUUID();
    const tenantBrandIds = Array.from({ length: 16 }, () => randomUUID());
    const user = { id: randomUUID(), email: 'bench-admin@example.test' };
    await admin.begin(async (tx) => {
      await tx`insert into mintid.brands (id, name) values (${workBrandId}, 'Bench work'), (${listBrandId}, 'Bench list')`;
      await tx`insert into auth.users (id, email, role, aud) values (${user.id}, ${user.email}, 'authenticated', 'authenticated')`;
      await tx`insert into mintid.brand_members (brand_id, user_id, role) values
        (${workBrandId}, ${user.id}, 'admin'), (${listBrandId}, ${user.id}, 'admin')`;
      for (const [index, id] of tenantBrandIds.entries()) {
        await tx`insert into mintid.brands (id, name) values (${id}, ${`Bench tenant ${index + 1}`})`;
        await tx`insert into mintid.brand_members (brand_id, user_id, role) values (${id}, ${user.id}, 'admin')`;
      }
    });

    const authenticatorUrl = databaseUrl(adminUrl, undefined, { user: 'authenticator', password: BENCH_PASSWORD });
    // The gateway's own pool options (src/gateway/index.ts), so only the HTTP layer differs.
    const authenticator = postgres(authenticatorUrl, {
      max: POOL_SIZE, fetch_types: false, prepare: false, connect_timeout: 5, idle_timeout: 60,
      onnotice: () => {}, connection: { application_name: 'mintid-bench-sql' },
    });
    undo.push(() => authenticator.end({ timeout: 5 }));

    const directToken = process.env.BENCH_TOKEN_STORE !== 'gateway';
    const jwtSecret = randomBytes(32).toString('base64url');
    const signingKeys = JSON.stringify([await generateSigningKey()]);
    const port = await freePort();
    log(`starting the API on 127.0.0.1:${port}…`);
    const api = await startApiWorker({
      port,
      // The token function reads credentials directly (SUPABASE_DB_URL, as on Supabase) unless
      // BENCH_TOKEN_STORE=gateway asks for the supabase-js hop through the gateway.
      // One client repeating for seconds is the point of the warm cells: the per-client success
      // limit (600/min by default, SPEC §14) is raised out of the way.
      options: {
        authenticatorUrl, jwtSecret, signingKeys, publicUrl: `http://127.0.0.1:${port}`,
        env: { MINTID_TOKEN_EXCHANGES_PER_MINUTE: '999999', ...(directToken ? { SUPABASE_DB_URL: adminUrl } : {}) },
      },
    });
    undo.push(() => api.close());
    const { anonKey } = await localKeys(jwtSecret);
    const adminUser = await signUserJwt(jwtSecret, user);

    return {
      embedded, database, postgresVersion, admin, authenticator, authenticatorUrl, adminUrl, authenticatorPoolSize: POOL_SIZE,
      tokenStore: directToken
        ? 'over SUPABASE_DB_URL (postgres-store.ts: prepared statements; a cold exchange reads the credential and its failure count in one)'
        : 'through the gateway in-process (supabase-js, service key; BENCH_TOKEN_STORE=gateway)',
      sqlDriver: pgbenchVersion() ?? 'the Node fallback (postgres.js, prepared statements; pgbench not installed)',
      apiUrl: api.url, anonKey, jwtSecret, workBrandId, tenantBrandIds, listBrandId, adminUser, close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
