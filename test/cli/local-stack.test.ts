// What a newcomer hits in a second terminal, through the real binary (the build): `mintid env`
// and the API commands find the stack running on the state directory (its `.mintid/stack.pid`
// record names its URL) unless MINTID_PORT/MINTID_URL say otherwise; a stale record is ignored;
// an unreachable server is named with the cause; an empty `--token ""` is refused.
// A small HTTP server stands in for the stack, so no database is needed here.
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LOCAL_DEFAULTS } from '../../src/local/config.js';
import { freePort } from '../support/urls.js';
import { mintidRunner } from '../support/cli.js';

const BRAND = 'b1a2c3d4-0000-0000-0000-000000000001';

let root: string;
let stateDir: string;
let server: Server;
let url: string;
const seen: string[] = [];

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'mintid-cli-stack-'));
  stateDir = path.join(root, 'state');
  server = createServer((req, res) => {
    seen.push(req.url ?? '');
    req.resume();
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ ok: true, items: [], next_cursor: null }));
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(root, { recursive: true, force: true });
});
beforeEach(() => {
  seen.length = 0;
});

/** Records a stack as `mintid start` does: PID, API URL, DB port. */
const record = async (pid: number, apiUrl = url) => {
  await mkdir(stateDir, { recursive: true });
  await writeFile(path.join(stateDir, 'stack.pid'), `${pid}\n${apiUrl}\n55422\n`);
};

/** Runs the binary as a second terminal would: no MINTID_PORT, MINTID_URL, DATABASE_URL, token or brand. */
const mintid = mintidRunner(() => ({
  MINTID_STATE_DIR: stateDir, DATABASE_URL: undefined, MINTID_PORT: undefined, MINTID_URL: undefined,
  MINTID_JWT_SECRET: undefined, MINTID_KEY: 'k', MINTID_TOKEN: undefined, MINTID_BRAND_ID: undefined,
}), [], 30_000);

const exportsOf = (stdout: string) =>
  Object.fromEntries([...stdout.matchAll(/^export (\w+)='([^']*)'$/gm)].map((m) => [m[1]!, m[2]!]));

describe('the running stack of the state directory', () => {
  it('`mintid env` without MINTID_PORT prints the URL the running stack recorded, with the demo token and brand', async () => {
    await record(process.pid);
    const run = await mintid(['env']);
    expect(run.code, run.stderr).toBe(0);
    const exports = exportsOf(run.stdout);
    expect(exports.MINTID_URL).toBe(url);
    expect(exports.MINTID_TOKEN).toMatch(/^eyJ/);
    expect(exports.MINTID_BRAND_ID).toBe(BRAND);
    expect(run.stdout).not.toContain('nothing answers');
  });

  it('an explicit MINTID_PORT still wins', async () => {
    await record(process.pid);
    const other = await freePort();
    const run = await mintid(['env'], { env: { MINTID_PORT: String(other) } });
    expect(exportsOf(run.stdout).MINTID_URL).toBe(`http://127.0.0.1:${other}`);
  });

  it('a stale record (its process gone) is ignored', async () => {
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    await record(gone);
    const run = await mintid(['env']);
    expect(exportsOf(run.stdout).MINTID_URL).toBe('http://127.0.0.1:54321');
  });

  it('API commands default to the recorded URL', async () => {
    await record(process.pid);
    const run = await mintid(['credentials', 'list', '--json'], { env: { MINTID_BRAND_ID: BRAND } });
    expect(run.code, run.stderr).toBe(0);
    expect(seen).toEqual(['/rest/v1/rpc/list_api_credential_records']);
  });

  it('an explicit MINTID_URL still wins for API commands', async () => {
    await record(process.pid, 'http://127.0.0.1:9');
    const run = await mintid(['credentials', 'list', '--json'], { env: { MINTID_BRAND_ID: BRAND, MINTID_URL: url } });
    expect(run.code, run.stderr).toBe(0);
    expect(seen).toHaveLength(1);
  });
});

describe('`mintid env` with a database of your own (DATABASE_URL)', () => {
  const DATABASE_URL = 'postgres://someone@127.0.0.1:9/elsewhere';

  it('refuses with exit code 2 when MINTID_JWT_SECRET is not set, as `npm start` does, and prints no key', async () => {
    await record(process.pid);
    const run = await mintid(['env'], { env: { DATABASE_URL } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('MINTID_JWT_SECRET');
    expect(run.stdout).not.toContain('export');
  });

  it('accepts the demo secret when it is set explicitly, as `npm start` does', async () => {
    await record(process.pid);
    const run = await mintid(['env'], { env: { DATABASE_URL, MINTID_JWT_SECRET: LOCAL_DEFAULTS.jwtSecret } });
    expect(run.code, run.stderr).toBe(0);
    expect(exportsOf(run.stdout).MINTID_KEY).toMatch(/^eyJ/);
  });

  it('accepts a secret of your own', async () => {
    await record(process.pid);
    const run = await mintid(['env'], { env: { DATABASE_URL, MINTID_JWT_SECRET: 'a-secret-of-our-own-that-is-long-enough-0123456789' } });
    expect(run.code, run.stderr).toBe(0);
    expect(exportsOf(run.stdout).MINTID_SERVICE_KEY).toMatch(/^eyJ/);
  });
});

describe('an unreachable server', () => {
  it('is named with the cause and exits with the transport code', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const run = await mintid(['credentials', 'list'], { env: { MINTID_BRAND_ID: BRAND, MINTID_URL: closed } });
    expect(run.code).toBe(7);
    expect(run.stderr).toContain(`mintid: cannot reach ${closed} (connection refused)`);
    expect(run.stderr).not.toContain('fetch failed');
  });

  it('says the same as JSON with --json', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const run = await mintid(['brands', 'list', '--json'], { env: { MINTID_URL: closed } });
    expect(run.code).toBe(7);
    expect(JSON.parse(run.stderr).error).toMatchObject({ code: 'transport', message: `cannot reach ${closed} (connection refused)` });
  });
});

describe('an explicitly empty flag value', () => {
  it('refuses --token "" as a usage error naming the flag, instead of falling back to MINTID_TOKEN', async () => {
    const run = await mintid(['credentials', 'list', '--token', ''], { env: { MINTID_BRAND_ID: BRAND, MINTID_URL: url, MINTID_TOKEN: 'from-env' } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--token');
    expect(run.stderr).toContain('empty');
    expect(seen).toEqual([]);
  });

  it('refuses --token= too', async () => {
    const run = await mintid(['credentials', 'list', '--token='], { env: { MINTID_BRAND_ID: BRAND, MINTID_URL: url } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--token');
  });
});

describe('mintid --help', () => {
  it('calls :54321 the default port of start, and lists MINTID_BRAND_ID for env', async () => {
    const run = await mintid(['--help']);
    expect(run.stdout).toMatch(/^ {2}start .*:54321 by default/m);
    expect(run.stdout).toMatch(/^ {2}env .*MINTID_TOKEN, MINTID_BRAND_ID/m);
  });
});
