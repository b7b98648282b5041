// The `mintid secrets` commands, driven through the real binary against the real gateway. Values
// go in on standard input (or a prompt without echo, driven through a real pseudo-terminal) and
// never come out; a value on the command line is refused with the reason.
import { spawn, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { serviceCaller } from '../support/fixtures.js';
import { apiEnv, childEnv, MINTID_BIN as bin, mintidRunner, type Env } from '../support/cli.js';

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi();
});
afterAll(() => t.close());

/** `mintid secrets …` as the brand's admin unless env says otherwise; `baseEnv` for a process started otherwise. */
const base = () => apiEnv(t, t.tokens.admin);
const baseEnv = (env: Env) => childEnv({ ...base(), ...env });
const mintid = mintidRunner(base, ['secrets']);

async function readValue(secretId: string): Promise<string> {
  const r = await t.db.rpc<{ value: string }>(serviceCaller, 'read_brand_secret', { _brand_id: t.brandId, _secret_id: secretId });
  return r.value;
}

let n = 0;
const name = (prefix = 'cli') => `${prefix} ${++n}`;

async function createJson(value = 'cli value', extra: string[] = []): Promise<string> {
  const run = await mintid(['create', '--name', name(), '--json', ...extra], { input: value });
  expect(run.code, run.stderr).toBe(0);
  return (JSON.parse(run.stdout) as { secret_id: string }).secret_id;
}

describe('mintid secrets create', () => {
  it('reads the value from standard input, stores it, and never prints it', async () => {
    const value = 'sk_test_from_stdin_0123456789';
    const run = await mintid(['create', '--name', name('Stripe'), '--description', 'payouts'], { input: `${value}\n` });
    expect(run.code, run.stderr).toBe(0);
    const id = /Created secret (\S+)\./.exec(run.stdout)![1]!;
    expect(await readValue(id)).toBe(value);
    expect(run.stdout + run.stderr).not.toContain(value);
  });

  it('drops exactly one trailing newline and keeps everything else as given', async () => {
    const id = await createJson('  line one\nline two\n\n');
    expect(await readValue(id)).toBe('  line one\nline two\n');
  });

  it('prints {"secret_id"} with --json', async () => {
    const id = await createJson();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
  });

  const refusals: [string, string[]][] = [
    ['--value <v>', ['create', '--name', 'x', '--value', 'hunter2-cli-value']],
    ['--value=<v>', ['create', '--name', 'x', '--value=hunter2-cli-value']],
    ['--value without any other option', ['create', '--value', 'hunter2-cli-value']],
    ['a value as an argument', ['create', '--name', 'x', 'hunter2-cli-value']],
    ['--value on update', ['update', '--secret', '00000000-0000-4000-8000-000000000000', '--value', 'hunter2-cli-value']],
  ];
  it.each(refusals)('refuses %s with exit 2, says why, and never echoes the value', async (_label, args) => {
    const run = await mintid(args, { env: { MINTID_BRAND_ID: undefined, MINTID_KEY: undefined } });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/refused: a secret value is never taken from the command line: `ps`, shell history/);
    expect(run.stderr).toMatch(/standard input/);
    expect(run.stdout + run.stderr).not.toContain('hunter2-cli-value');
  });

  it('refuses an empty standard input with exit 2 and says how to give a value', async () => {
    const run = await mintid(['create', '--name', name()], { input: '' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/no value on standard input/);
  });

  it('reports a missing --name with exit 2', async () => {
    const run = await mintid(['create'], { input: 'v' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/missing required option --name/);
  });

  it('answers a taken name (ignoring case) with exit 6 secret_name_taken', async () => {
    const taken = name('Taken');
    await mintid(['create', '--name', taken], { input: 'v' });
    const run = await mintid(['create', '--name', taken.toUpperCase()], { input: 'conflicting-cli-value' });
    expect(run.code).toBe(6);
    expect(run.stderr).toMatch(/secret_name_taken/);
    expect(run.stderr).not.toContain('conflicting-cli-value');
  });

  it('answers a value over 16384 bytes with exit 2 (usage) before sending, never echoing it', async () => {
    const run = await mintid(['create', '--name', name()], { input: 'x'.repeat(16385) });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/16384 bytes/);
    expect(run.stderr).not.toContain('xxxxxxxx');
  });

  it('answers a member with exit 4 and no token with exit 3', async () => {
    expect((await mintid(['create', '--name', name()], { input: 'v', env: { MINTID_TOKEN: t.tokens.member } })).code).toBe(4);
    expect((await mintid(['create', '--name', name()], { input: 'v', env: { MINTID_TOKEN: undefined } })).code).toBe(3);
  });
});

describe('mintid secrets list, update, delete', () => {
  it('lists every secret across pages with --all, never a value', async () => {
    const ids = [await createJson('list-value-1'), await createJson('list-value-2')];
    const run = await mintid(['list', '--limit', '1', '--all', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const { items, next_cursor } = JSON.parse(run.stdout) as { items: { id: string; last_accessed_at: string | null }[]; next_cursor: null };
    for (const id of ids) expect(items.map((i) => i.id)).toContain(id);
    expect(next_cursor).toBeNull();
    expect(run.stdout).not.toMatch(/list-value-/);
    const human = await mintid(['list']);
    // The last line counts the lines above it: `1 secret`, `2 secrets` (and says when there are more pages).
    const lines = human.stdout.trimEnd().split('\n');
    const shown = lines.length - 1;
    expect(shown).toBeGreaterThan(0);
    const noun = shown === 1 ? 'secret' : 'secrets';
    expect(lines.at(-1)).toMatch(new RegExp(`^${shown} ${noun}( on this page; more: --cursor \\S+ \\(or --all for every page\\))?$`));
    expect(human.stdout).not.toMatch(/list-value-/);
  });

  it('renames keeping the id, and replaces the value from standard input only with --replace-value', async () => {
    const id = await createJson('first value');
    const renamed = name('Renamed');
    const rename = await mintid(['update', '--secret', id, '--name', renamed], { input: 'ignored without --replace-value' });
    expect(rename.code, rename.stderr).toBe(0);
    expect(await readValue(id)).toBe('first value');
    const replace = await mintid(['update', '--secret', id, '--replace-value', '--json'], { input: 'second value\n' });
    expect(replace.code, replace.stderr).toBe(0);
    expect(JSON.parse(replace.stdout)).toEqual({ secret_id: id, updated_at: expect.any(String) });
    expect(await readValue(id)).toBe('second value');
    const [row] = await t.db.admin`select name from mintid.brand_secrets where id = ${id}`;
    expect(row!.name).toBe(renamed);
  });

  it('refuses an update with nothing to change, and a secret id that is no uuid, with exit 2', async () => {
    const nothing = await mintid(['update', '--secret', '00000000-0000-4000-8000-000000000000']);
    expect([nothing.code, /nothing to update/.test(nothing.stderr)]).toEqual([2, true]);
    const bad = await mintid(['update', '--secret', 'nope', '--name', 'x']);
    expect(bad.code).toBe(2);
  });

  it('deletes: the value is destroyed, a second delete answers exit 5 secret_not_found', async () => {
    const id = await createJson('doomed');
    const run = await mintid(['delete', '--secret', id]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/value is destroyed/);
    const [vault] = await t.db.admin`select count(*)::int as n from vault.secrets where name = ${`mintid_brand_secret_${id}`}`;
    expect(vault!.n).toBe(0);
    const again = await mintid(['delete', '--secret', id, '--json']);
    expect(again.code).toBe(5);
    expect(JSON.parse(again.stderr).error.reason).toBe('secret_not_found');
  });
});

// The prompt needs a terminal: util-linux `script` gives the binary a real pseudo-terminal.
const hasScript = spawnSync('script', ['--version']).status === 0;

describe('the hidden prompt', () => {
  it('reads the value from a terminal without echoing it', async () => {
    if (!hasScript) {
      console.warn('skipped: the prompt test needs util-linux `script` for a pseudo-terminal, which is not installed');
      return;
    }
    const value = 'typed-at-the-prompt-42';
    const command = [process.execPath, bin, 'secrets', 'create', '--name', `'${name('Prompted')}'`, '--json'].join(' ');
    const child = spawn('script', ['-qefc', command, '/dev/null'], { env: baseEnv({}), stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    await expect.poll(() => out, { timeout: 20_000 }).toMatch(/typing is not shown/);
    child.stdin.write(`${value}\r`);
    const code = await closed;
    expect(code, out).toBe(0);
    expect(out).not.toContain(value);
    const id = /"secret_id":"([0-9a-f-]{36})"/.exec(out)![1]!;
    expect(await readValue(id)).toBe(value);
  }, 30_000);
});
