// End to end: the real `mintid start` binary (what `npm start` runs) on a fresh state directory
// with the embedded PostgreSQL: the banner, the demo brand, a credential created over HTTP and
// exchanged for a token, a second start and a busy port refused with a clear message, `mintid
// migrate` and `mintid env` next to the running stack, Ctrl-C as a terminal sends it (SIGINT to
// the whole process group) still flushing the pending last_used_at, a restart that keeps
// everything, SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_BRAND_ID } from '../../src/local/keys.js';
import { generateClientId, generateClientSecret } from '../../src/secrets/generate.js';
import { hashClientSecret } from '../../src/secrets/hash.js';
import { basic } from '../token/helpers.js';
import { freePort } from '../support/urls.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SLOW = { timeout: 120_000 };

/** Replaces JWTs in text that may end up in a failure message: tests never print keys. */
const redact = (text: string) => text.replace(/eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, '<jwt>');

interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

interface Banner {
  text: string;
  anonKey: string;
  serviceRoleKey: string;
  owner: string;
  admin: string;
  member: string;
}

let stateDir: string;
let port: number;
let dbPort: number;
let url: string;
const started: Running[] = [];

/** Spawns `node bin/mintid.js start` with the embedded database (DATABASE_URL removed). */
function stackEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  // A long flush interval: only the flush on shutdown can write last_used_at in this test.
  const env: NodeJS.ProcessEnv = {
    ...process.env, MINTID_STATE_DIR: stateDir, MINTID_PORT: String(port), MINTID_DB_PORT: String(dbPort),
    MINTID_USAGE_FLUSH_SECONDS: '59', ...extra,
  };
  for (const name of ['DATABASE_URL', 'MINTID_JWT_SECRET', 'MINTID_SIGNING_KEYS']) delete env[name];
  return env;
}

/**
 * Spawns `node bin/mintid.js start` with the embedded database (DATABASE_URL removed), as the
 * leader of its own process group, so a test can signal the group as a terminal's Ctrl-C does.
 */
function startBinary(extra: NodeJS.ProcessEnv = {}): Running {
  const child = spawn(process.execPath, ['bin/mintid.js', 'start'], { cwd: ROOT, env: stackEnv(extra), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let text = '';
  child.stdout!.on('data', (d: Buffer) => { text += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { text += d.toString(); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const running = { child, output: () => text, exited };
  started.push(running);
  return running;
}

/** Resolves once the output contains `marker`; rejects when the process exits first or time runs out. */
async function waitForOutput(running: Running, marker: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!running.output().includes(marker)) {
    if (running.child.exitCode !== null) throw new Error(`mintid exited with ${running.child.exitCode}:\n${redact(running.output())}`);
    if (Date.now() > deadline) throw new Error(`no "${marker}" within ${timeoutMs} ms:\n${redact(running.output())}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The keys the banner prints, one `  <label> <jwt>` line each. */
function parseBanner(text: string): Banner {
  const key = (label: string) => {
    const match = new RegExp(`^  ${label}\\s+(eyJ[A-Za-z0-9._-]+)$`, 'm').exec(text);
    if (!match) throw new Error(`the banner has no "${label}" line`);
    return match[1]!;
  };
  return {
    text, anonKey: key('anon key'), serviceRoleKey: key('service_role key'),
    owner: key('owner'), admin: key('admin'), member: key('member'),
  };
}

async function startAndWait(): Promise<{ running: Running; banner: Banner }> {
  const running = startBinary();
  await waitForOutput(running, 'Press Ctrl-C to stop.', 90_000);
  return { running, banner: parseBanner(running.output()) };
}

/** Runs `node bin/mintid.js …` to completion. */
function runBinary(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['bin/mintid.js', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

/**
 * Sends a signal — to the process, or with `group` to its whole process group as a terminal's
 * Ctrl-C does — and resolves with the exit code (rejects after 10 s).
 */
async function stopWith(running: Running, signal: NodeJS.Signals, target: 'process' | 'group' = 'process'): Promise<number | null> {
  if (target === 'group') process.kill(-running.child.pid!, signal);
  else running.child.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`mintid did not exit within 10 s of ${signal}:\n${redact(running.output())}`)), 10_000);
  });
  try {
    return await Promise.race([running.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const rpc = (fn: string, body: unknown, headers: Record<string, string>) =>
  fetch(`${url}/rest/v1/rpc/${fn}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });

const asUser = (banner: Banner, token: string) => ({ apikey: banner.anonKey, Authorization: `Bearer ${token}` });

const exchange = (clientId: string, secret: string) => fetch(`${url}/functions/v1/token`, {
  method: 'POST',
  headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: basic(clientId, secret) },
  body: new URLSearchParams({ grant_type: 'client_credentials' }).toString(),
});

interface ListBody { ok: boolean; items: { id: string; client_id: string; status: string; last_used_at: string | null }[]; next_cursor: string | null }

beforeAll(async () => {
  stateDir = await mkdtemp(path.join(tmpdir(), 'mintid-stack-'));
  [port, dbPort] = [await freePort(), await freePort()];
  url = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  for (const running of started) {
    if (running.child.exitCode !== null || running.child.signalCode !== null) continue;
    running.child.kill('SIGTERM');
    const timer = setTimeout(() => running.child.kill('SIGKILL'), 10_000);
    await running.exited;
    clearTimeout(timer);
  }
  // A stack that was killed outright leaves its embedded server behind: stop that one (ours only).
  const pidFile = path.join(stateDir, 'db', 'postmaster.pid');
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    if (pid > 0) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  }
  await rm(stateDir, { recursive: true, force: true });
}, 30_000);

describe('mintid start on a fresh state directory', () => {
  let first: { running: Running; banner: Banner };
  const credential = { clientId: generateClientId(), secret: generateClientSecret(), id: '' };
  let kid: string;

  it('prints the banner with the keys and demo tokens after adding demo data', SLOW, async () => {
    first = await startAndWait();
    const { text } = first.banner;
    expect(text).toContain('local stack is up (demo data added)');
    expect(text).toContain(`API URL        ${url}`);
    expect(text).toContain(`Token endpoint ${url}/functions/v1/token`);
    expect(new Set(Object.values(first.banner).slice(1)).size).toBe(5);
  });

  it('answers the banner\'s curl example, run literally, with ok: true', SLOW, async () => {
    const match = /^ {2}curl -s [\s\S]*?-d '[^'\n]*'$/m.exec(first.banner.text);
    expect(match, 'the banner has a curl example').not.toBeNull();
    const child = spawn('sh', ['-c', match![0]], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ ok: true, items: [], next_cursor: null });
  });

  it('lists the demo brand\'s credentials for the demo admin: none yet', SLOW, async () => {
    const res = await rpc('list_api_credential_records', { _brand_id: DEMO_BRAND_ID }, asUser(first.banner, first.banner.admin));
    expect(res.status).toBe(200);
    const body = (await res.json()) as ListBody;
    expect(body).toEqual({ ok: true, items: [], next_cursor: null });
  });

  it('refuses the demo member with 403 and a request without apikey with 401', SLOW, async () => {
    const member = await rpc('list_api_credential_records', { _brand_id: DEMO_BRAND_ID }, asUser(first.banner, first.banner.member));
    expect(member.status).toBe(403);
    expect(((await member.json()) as { details: string }).details).toBe('not_brand_admin');
    const noKey = await rpc('list_api_credential_records', { _brand_id: DEMO_BRAND_ID }, { Authorization: `Bearer ${first.banner.admin}` });
    expect(noKey.status).toBe(401);
  });

  it('creates a credential by RPC with an argon2id hash and exchanges it for a token', SLOW, async () => {
    const created = await rpc('create_api_credential_record', {
      _brand_id: DEMO_BRAND_ID, _name: 'ERP sync', _client_id: credential.clientId,
      _client_secret_hash: await hashClientSecret(credential.secret), _scopes: ['products:read', 'orders:write'],
    }, asUser(first.banner, first.banner.admin));
    expect(created.status).toBe(200);
    credential.id = ((await created.json()) as { credential_id: string }).credential_id;

    const res = await exchange(credential.clientId, credential.secret);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { access_token: string };
    const { payload } = await jwtVerify(body.access_token, createRemoteJWKSet(new URL(`${url}/functions/v1/jwks`)), {
      issuer: `${url}/functions/v1/token`, audience: 'mintid',
    });
    expect(payload).toMatchObject({ sub: credential.clientId, brand_id: DEMO_BRAND_ID, credential_id: credential.id });
    kid = decodeProtectedHeader(body.access_token).kid!;
    expect(kid).toEqual(expect.any(String));
  });

  it('refuses a wrong secret at the token endpoint', SLOW, async () => {
    const res = await exchange(credential.clientId, generateClientSecret());
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_client');
  });

  it('refuses a second start in the same folder, naming the PID of the running one', SLOW, async () => {
    const run = await runBinary(['start'], stackEnv({ MINTID_PORT: String(await freePort()) }));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`already running in this folder (PID ${first.running.child.pid}`);
    expect(run.stderr).not.toMatch(/lock file|postmaster\.pid/);
  });

  it('refuses a busy API port, naming MINTID_PORT', SLOW, async () => {
    const otherState = await mkdtemp(path.join(tmpdir(), 'mintid-stack-busy-'));
    try {
      const run = await runBinary(['start'], stackEnv({ MINTID_STATE_DIR: otherState, MINTID_DB_PORT: String(await freePort()) }));
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`Port ${port} is in use`);
      expect(run.stderr).toContain('MINTID_PORT');
    } finally {
      await rm(otherState, { recursive: true, force: true });
    }
  });

  it('refuses a busy database port, naming MINTID_DB_PORT', SLOW, async () => {
    const otherState = await mkdtemp(path.join(tmpdir(), 'mintid-stack-busy-'));
    try {
      const run = await runBinary(['start'], stackEnv({ MINTID_STATE_DIR: otherState, MINTID_PORT: String(await freePort()) }));
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`Port ${dbPort} is in use`);
      expect(run.stderr).toContain('MINTID_DB_PORT');
    } finally {
      await rm(otherState, { recursive: true, force: true });
    }
  });

  it('migrates the running stack\'s database instead of failing on its lock', SLOW, async () => {
    const run = await runBinary(['migrate'], stackEnv());
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Database is up to date');
    const res = await rpc('list_api_credential_records', { _brand_id: DEMO_BRAND_ID }, asUser(first.banner, first.banner.admin));
    expect(res.status).toBe(200);
  });

  it('prints export lines with the banner\'s keys and the demo admin token (mintid env)', SLOW, async () => {
    const run = await runBinary(['env'], stackEnv());
    expect(run.code).toBe(0);
    const exports = Object.fromEntries([...run.stdout.matchAll(/^export (\w+)='([^']*)'$/gm)].map((m) => [m[1], m[2]]));
    expect(exports).toEqual({
      MINTID_URL: url, MINTID_KEY: first.banner.anonKey, MINTID_SERVICE_KEY: first.banner.serviceRoleKey,
      MINTID_TOKEN: first.banner.admin, MINTID_BRAND_ID: DEMO_BRAND_ID,
    });
  });

  it('records its PID, API URL and database port in the state directory (stack.pid)', SLOW, () => {
    const lines = readFileSync(path.join(stateDir, 'stack.pid'), 'utf8').split('\n');
    expect(lines.slice(0, 3)).toEqual([String(first.running.child.pid), url, String(dbPort)]);
  });

  it('is found by `mintid env` in a second terminal without MINTID_PORT (a non-default port)', SLOW, async () => {
    const env = stackEnv();
    delete env.MINTID_PORT;
    delete env.MINTID_URL;
    const run = await runBinary(['env'], env);
    expect(run.code, run.stderr).toBe(0);
    const exports = Object.fromEntries([...run.stdout.matchAll(/^export (\w+)='([^']*)'$/gm)].map((m) => [m[1], m[2]]));
    expect(exports).toEqual({
      MINTID_URL: url, MINTID_KEY: first.banner.anonKey, MINTID_SERVICE_KEY: first.banner.serviceRoleKey,
      MINTID_TOKEN: first.banner.admin, MINTID_BRAND_ID: DEMO_BRAND_ID,
    });
  });

  it('is the default --url of the API commands without MINTID_URL or MINTID_PORT', SLOW, async () => {
    const env: NodeJS.ProcessEnv = { ...stackEnv(), MINTID_KEY: first.banner.anonKey, MINTID_TOKEN: first.banner.admin };
    delete env.MINTID_PORT;
    delete env.MINTID_URL;
    const run = await runBinary(['credentials', 'list', '--brand', DEMO_BRAND_ID, '--json'], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(credential.clientId);
  });

  it('stops on Ctrl-C sent to its process group, flushing the pending last use first, printing Stopped.', SLOW, async () => {
    expect(await stopWith(first.running, 'SIGINT', 'group')).toBe(0);
    const output = first.running.output();
    expect(output).toContain('Stopped.');
    expect(output).not.toMatch(/will retry|StoreError|terminating connection/);
    expect(existsSync(path.join(stateDir, 'stack.pid'))).toBe(false);
    await expect(fetch(`${url}/functions/v1/jwks`)).rejects.toThrow();
  });

  describe('started again on the same state directory', () => {
    let second: { running: Running; banner: Banner };

    it('does not add demo data again and prints the same keys', SLOW, async () => {
      second = await startAndWait();
      expect(second.banner.text).not.toContain('(demo data added)');
      expect(second.banner.text).not.toContain('A new token signing key');
      const { text: _first, ...firstKeys } = first.banner;
      const { text: _second, ...secondKeys } = second.banner;
      expect(secondKeys).toEqual(firstKeys);
    });

    it('still lists the credential, with the last use flushed at the Ctrl-C', SLOW, async () => {
      const res = await rpc('list_api_credential_records', { _brand_id: DEMO_BRAND_ID }, asUser(second.banner, second.banner.admin));
      expect(res.status).toBe(200);
      const body = (await res.json()) as ListBody;
      expect(body.items.map((i) => [i.id, i.client_id, i.status])).toEqual([[credential.id, credential.clientId, 'active']]);
      expect(body.items[0]!.last_used_at).toEqual(expect.any(String));
    });

    it('publishes the same signing key', SLOW, async () => {
      const res = await fetch(`${url}/functions/v1/jwks`);
      expect(res.status).toBe(200);
      const { keys } = (await res.json()) as { keys: { kid: string }[] };
      expect(keys.map((k) => k.kid)).toEqual([kid]);
    });

    it('issues a token for the same secret', SLOW, async () => {
      const res = await exchange(credential.clientId, credential.secret);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { access_token: string };
      expect(decodeProtectedHeader(body.access_token).kid).toBe(kid);
    });

    it('stops on SIGTERM with exit code 0', SLOW, async () => {
      expect(await stopWith(second.running, 'SIGTERM')).toBe(0);
      expect(second.running.output()).toContain('Stopped.');
    });
  });
});
