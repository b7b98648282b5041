// No brand-secret value or ciphertext in any server output: the real `mintid start` binary runs
// against a PostgreSQL of this test's own whose log is captured with PostgreSQL's default
// statement logging on errors (log_min_error_statement = error, which the embedded server of the
// local stack turns off). Every user-facing RPC is called with canary values — successes and
// every kind of failure, over HTTP and through the CLI — then both outputs are grepped.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedServer } from '../../src/local/embedded.js';
import { DEMO_BRAND_ID, localKeys, type LocalKeys } from '../../src/local/keys.js';
import { databaseUrl, freePort } from '../support/urls.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const JWT_SECRET = 'mintid-secrets-output-test-jwt-secret-0123456789';
const run = `${process.pid}${Date.now().toString(36)}`;
const canary = (label: string) => `canary-${label}-${run}`;

let server: EmbeddedServer;
let stateDir: string;
let stack: ChildProcess;
let url: string;
let keys: LocalKeys;
const pgLog: string[] = [];
let stackOutput = '';
let dbUrl: string;
const ciphertexts: string[] = [];

beforeAll(async () => {
  stateDir = await mkdtemp(path.join(tmpdir(), 'mintid-secrets-output-'));
  server = await startEmbeddedPostgres({
    dataDir: path.join(stateDir, 'server'), port: await freePort(), durable: false, onLog: (line) => pgLog.push(line),
  });
  const admin = postgres(server.adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe('create database mintid_app');
  // PostgreSQL's own default: the text of every failing statement goes to the log.
  await admin.unsafe("alter database mintid_app set log_min_error_statement = 'error'");
  await admin.end();
  dbUrl = databaseUrl(server.adminUrl, 'mintid_app');
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  keys = await localKeys(JWT_SECRET);
  const env: NodeJS.ProcessEnv = {
    ...process.env, DATABASE_URL: dbUrl, MINTID_JWT_SECRET: JWT_SECRET, MINTID_PORT: String(port), MINTID_STATE_DIR: stateDir,
  };
  delete env.MINTID_SIGNING_KEYS;
  stack = spawn(process.execPath, ['bin/mintid.js', 'start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  stack.stdout!.on('data', (d: Buffer) => { stackOutput += d.toString(); });
  stack.stderr!.on('data', (d: Buffer) => { stackOutput += d.toString(); });
  const deadline = Date.now() + 90_000;
  while (!stackOutput.includes('Press Ctrl-C to stop.')) {
    if (stack.exitCode !== null || Date.now() > deadline) throw new Error(`the stack did not start:\n${stackOutput.replace(/eyJ[\w.-]+/g, '<jwt>')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}, 120_000);

afterAll(async () => {
  if (stack && stack.exitCode === null) {
    stack.kill('SIGTERM');
    await new Promise((resolve) => stack.once('exit', resolve));
  }
  await server?.stop();
  await rm(stateDir, { recursive: true, force: true });
});

const rpc = async (fn: string, body: unknown, token: string, apikey = keys.anonKey) => {
  const response = await fetch(`${url}/rest/v1/rpc/${fn}`, {
    method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { apikey, Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
  });
  return { status: response.status, text: await response.text() };
};

function cli(args: string[], input: string): Promise<number | null> {
  const child = spawn(process.execPath, ['bin/mintid.js', 'secrets', ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: undefined, MINTID_URL: url, MINTID_KEY: keys.anonKey, MINTID_TOKEN: keys.userTokens.admin, MINTID_BRAND_ID: DEMO_BRAND_ID },
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  child.stdin!.end(input);
  return new Promise((resolve) => child.once('exit', resolve));
}

async function ciphertextOf(secretId: string): Promise<string> {
  const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql`select v.secret from vault.secrets v join mintid.brand_secrets s on s.vault_secret_id = v.id where s.id = ${secretId}`;
    return row!.secret as string;
  } finally {
    await sql.end();
  }
}

describe('server output', () => {
  it('holds no value or ciphertext after every user-facing path was used with canary values', async () => {
    const { admin, member } = keys.userTokens;
    const userBodies: string[] = [];
    const call = async (fn: string, body: unknown, token: string, expected: number) => {
      const response = await rpc(fn, body, token);
      expect(response.status, `${fn} ${response.text}`).toBe(expected);
      return response.text;
    };

    const created = JSON.parse(await call('create_brand_secret', { _brand_id: DEMO_BRAND_ID, _name: 'Partner token', _value: canary('one') }, admin, 200));
    const secretId = created.secret_id as string;
    ciphertexts.push(await ciphertextOf(secretId));
    userBodies.push(await call('update_brand_secret', { _brand_id: DEMO_BRAND_ID, _secret_id: secretId, _value: canary('two'), _name: 'Partner token 2' }, admin, 200));
    ciphertexts.push(await ciphertextOf(secretId));
    userBodies.push(await call('list_brand_secrets', { _brand_id: DEMO_BRAND_ID }, admin, 200));
    userBodies.push(await call('create_brand_secret', { _brand_id: DEMO_BRAND_ID, _name: 'partner TOKEN 2', _value: canary('conflict') }, admin, 409));
    userBodies.push(await call('create_brand_secret', { _brand_id: DEMO_BRAND_ID, _name: 'x', _value: canary('member') }, member, 403));
    userBodies.push(await call('create_brand_secret', { _brand_id: DEMO_BRAND_ID, _name: 'bad/name', _value: canary('badname') }, admin, 400));
    userBodies.push(await call('create_brand_secret', { _brand_id: DEMO_BRAND_ID, _name: 'big', _value: `${canary('big')}${'x'.repeat(16384)}` }, admin, 400));
    userBodies.push(await call('update_brand_secret', { _brand_id: DEMO_BRAND_ID, _secret_id: secretId, _name: 'a/b', _value: canary('badupdate') }, admin, 400));
    userBodies.push(await call('read_brand_secret', { _brand_id: DEMO_BRAND_ID, _secret_id: secretId }, admin, 403));
    userBodies.push(await call('create_brand_secret', { _brand_id: DEMO_BRAND_ID, _name: 'anon', _value: canary('anon') }, keys.anonKey, 401));
    userBodies.push(await call('create_brand_secret', `{"_brand_id": "${DEMO_BRAND_ID}", "_name": "broken", "_value": "${canary('badjson')}"`, admin, 400));
    userBodies.push(await call('create_brand_secret', { _brand_id: DEMO_BRAND_ID, _name: 'nul', _value: `${canary('nul')}\u0000` }, admin, 400));
    // The service role reads the value: the one answer that carries it.
    const read = await rpc('read_brand_secret', { _brand_id: DEMO_BRAND_ID, _secret_id: secretId }, keys.serviceRoleKey, keys.serviceRoleKey);
    expect(read.status).toBe(200);
    expect(JSON.parse(read.text).value).toBe(canary('two'));
    expect(await cli(['create', '--name', 'From the CLI'], canary('cli'))).toBe(0);
    expect(await cli(['create', '--name', 'from the cli'], canary('cliconflict'))).toBe(6);
    // Refused by the typed client before sending: a usage error (exit 2).
    expect(await cli(['create', '--name', 'CLI too big'], `${canary('clibig')}${'y'.repeat(16384)}`)).toBe(2);
    userBodies.push(await call('delete_brand_secret', { _brand_id: DEMO_BRAND_ID, _secret_id: secretId }, admin, 200));
    userBodies.push(await call('read_brand_secret', { _brand_id: DEMO_BRAND_ID, _secret_id: secretId }, admin, 403));

    stack.kill('SIGTERM');
    await new Promise((resolve) => stack.once('exit', resolve));

    const log = pgLog.join('\n');
    // The capture works: the failures above are in PostgreSQL's log, with their statements.
    expect(log).toMatch(/secret_name_taken/);
    expect(log).toMatch(/STATEMENT:/);
    const needles = [
      ...['one', 'two', 'conflict', 'member', 'badname', 'big', 'badupdate', 'anon', 'badjson', 'nul', 'cli', 'cliconflict', 'clibig'].map(canary),
      ...ciphertexts, ...ciphertexts.map((c) => c.slice(0, 24)),
    ];
    for (const needle of needles) {
      expect(log.includes(needle), `PostgreSQL log holds ${needle.slice(0, 14)}…`).toBe(false);
      expect(stackOutput.includes(needle), `stack output holds ${needle.slice(0, 14)}…`).toBe(false);
      expect(userBodies.some((b) => b.includes(needle)), `a user-facing answer holds ${needle.slice(0, 14)}…`).toBe(false);
    }
  }, 120_000);
});
