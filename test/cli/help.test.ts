// The shared flag parser through the real binary (the build): --help/-h at every level prints
// usage and exits 0 without doing anything, unknown options exit 2 everywhere, missing flags are
// reported at once with their environment variables, bad values are usage errors naming the flag.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MINTID_BIN as bin, mintidRunner } from '../support/cli.js';

const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

let stateDir: string;
beforeAll(async () => {
  stateDir = path.join(await mkdtemp(path.join(tmpdir(), 'mintid-help-')), 'state');
});
afterAll(() => rm(path.dirname(stateDir), { recursive: true, force: true }));

/** Runs the binary with an environment that would do damage if a command ran for real. */
const mintid = mintidRunner(() => ({
  // A command that ran anyway would create this directory, or try this unreachable database.
  MINTID_STATE_DIR: stateDir, DATABASE_URL: 'postgres://nobody:x@127.0.0.1:9/none',
  MINTID_URL: 'http://127.0.0.1:9', MINTID_KEY: 'k', MINTID_TOKEN: undefined, MINTID_BRAND_ID: undefined,
}), [], 30_000);

/** Every command path, discovered from the usage texts (so a new command is covered without a line here). */
function discover(path: string[] = []): string[][] {
  const run = spawnSync(process.execPath, [bin, ...path, '--help'], { encoding: 'utf8', env: { ...process.env, DATABASE_URL: undefined } });
  const section = /\nCommands:\n([\s\S]*?)\n\n/.exec(run.stdout)?.[1] ?? '';
  const subs = [...section.matchAll(/^ {2}(\S+)/gm)].map((m) => m[1]!);
  return [path, ...subs.flatMap((sub) => discover([...path, sub]))];
}
const COMMANDS = discover();

describe('--help and -h', () => {
  it('finds every command (at least the ones of this round)', () => {
    const names = COMMANDS.map((c) => c.join(' '));
    for (const name of ['start', 'migrate', 'env', 'signing-key', 'help', 'credentials create', 'credentials events', 'audit verify']) {
      expect(names).toContain(name);
    }
  });

  it.each(COMMANDS.flatMap((c) => [[[...c, '--help'].join(' ')], [[...c, '-h'].join(' ')]]))(
    '`mintid %s` prints its usage and exits 0', async (line) => {
      const run = await mintid(line.split(' '));
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^Usage: mintid/);
      expect(run.stderr).toBe('');
    });

  it('does not start the stack, create the state directory or touch a database', async () => {
    for (const args of [['start', '--help'], ['migrate', '--help'], ['env', '-h'], ['start', '--bogus', '-h']]) {
      expect((await mintid(args)).code).toBe(0);
    }
    expect(existsSync(stateDir)).toBe(false);
  });

  it('prints no private key for `signing-key --help`', async () => {
    const run = await mintid(['signing-key', '--help']);
    expect(run.stdout).not.toContain('"d"');
    expect(run.stdout).not.toContain('"kty"');
  });

  it('lists every command at the top level, and the subcommands of credentials', async () => {
    const top = await mintid(['--help']);
    for (const name of ['start', 'migrate', 'env', 'credentials', 'signing-key']) expect(top.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    const group = await mintid(['credentials', '--help']);
    for (const name of ['create', 'list', 'rotate', 'revoke', 'events']) expect(group.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
  });

  it('names each option of a command with its environment variable', async () => {
    const run = await mintid(['credentials', 'create', '--help']);
    expect(run.stdout).toMatch(/--brand <uuid>.*env MINTID_BRAND_ID/);
    expect(run.stdout).toMatch(/--key <key>.*env MINTID_KEY/);
    expect(run.stdout).toMatch(/--expires-at <iso>/);
  });
});

describe('--version', () => {
  it('prints the package version', async () => {
    const run = await mintid(['--version']);
    expect(run).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });
});

describe('usage errors (exit 2)', () => {
  it.each([
    [[]], [['start']], [['migrate']], [['env']], [['signing-key']],
    [['credentials', 'list']], [['credentials', 'create']], [['credentials', 'events']],
  ])('refuses an unknown option on `mintid %s`', async (args) => {
    const run = await mintid([...args, '--bogus']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("Unknown option '--bogus'");
    expect(run.stderr).toContain('--help');
    expect(run.stdout).toBe('');
  });

  it('refuses an unexpected argument', async () => {
    const run = await mintid(['start', 'now']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unexpected argument 'now'");
  });

  it('refuses an unknown command at every level', async () => {
    expect((await mintid(['launch'])).code).toBe(2);
    const run = await mintid(['credentials', 'delete']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown command 'delete'");
  });

  it('prints the usage of a bare group on stderr with exit 2', async () => {
    const run = await mintid(['credentials']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^Usage: mintid credentials/);
  });

  it('reports every missing required option at once, with its environment variable', async () => {
    const run = await mintid(['credentials', 'create'], { env: { MINTID_KEY: undefined } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('missing required options --brand (or MINTID_BRAND_ID), --name, --scopes, --key (or MINTID_KEY)');
  });

  it('answers with a JSON usage error when --json is given', async () => {
    const run = await mintid(['credentials', 'rotate', '--json'], { env: { MINTID_BRAND_ID: 'b1a2c3d4-0000-0000-0000-000000000001' } });
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stderr).error).toMatchObject({ code: 'usage', message: 'missing required options --credential, --reason' });
  });

  const brand = { MINTID_BRAND_ID: 'b1a2c3d4-0000-0000-0000-000000000001' };
  it.each([
    ['garbage'], ['tomorrow'], ['2027-01-31'], ['2027-01-31T00:00:00'], ['2027-01-31 00:00:00Z'], ['2027-13-01T00:00:00Z'], ['2027-02-30T00:00:00Z'], ['2027-01-31T25:00:00Z'],
  ])('refuses --expires-at %s as a usage error naming the flag', async (value) => {
    const run = await mintid(['credentials', 'create', '--name', 'x', '--scopes', 'a:b', '--expires-at', value], { env: brand });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--expires-at must be an ISO 8601 time with an offset');
  });

  it.each([
    [['credentials', 'rotate', '--credential', 'abc', '--reason', 'r'], '--credential must be a UUID'],
    [['credentials', 'events', '--credential', '123'], '--credential must be a UUID'],
    [['credentials', 'list', '--brand', 'acme'], '--brand must be a UUID'],
    [['credentials', 'list', '--status', 'gone'], '--status must be one of active, expired, revoked'],
    [['credentials', 'list', '--limit', '1.5'], '--limit must be a whole number'],
  ])('names the flag: %j', async (args, message) => {
    const run = await mintid(args, { env: brand });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });
});
