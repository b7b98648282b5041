// The README, followed word for word: a started stack (`mintid start`, as `npm start` runs it),
// then every ```sh block of the README in order, as one terminal session (exports carry over
// from block to block), with the `<placeholders>` a reader pastes filled from the output of the
// blocks before; then its ```js blocks as .mjs files in this folder. The docs' examples where a
// test can run them: the Python hash recipe (needs a Python with argon2-cffi; skipped, and said
// so, without one), the curl calls of docs/api/credentials.md and docs/token.md, docs/client.md's
// program.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/urls.js';
import { generateClientId, generateClientSecret } from '../../src/secrets/generate.js';
import { hashClientSecret } from '../../src/secrets/hash.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SLOW = { timeout: 120_000 };
const redact = (text: string) => text.replace(/eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, '<jwt>');

interface Block { lang: string; code: string }

/** The fenced code blocks of a Markdown file, in order. */
function codeBlocks(file: string): Block[] {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  return [...text.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1]!, code: m[2]! }));
}

/** What a reader pastes, learnt from the output so far. */
const pasted: Record<string, string> = {};
function learn(output: string): void {
  const found: [string, RegExp][] = [
    ['client_id', /client_id:\s+(\S+)/], ['client_secret', /client_secret:\s+(\S+)/],
    ['credential_id', /(?:Created|Rotated|Revoked) credential (\S+)/], ['access_token', /"access_token":"([^"]+)"/],
  ];
  for (const [name, pattern] of found) {
    const match = pattern.exec(output);
    if (match) pasted[name] = match[1]!;
  }
}
function fill(code: string): string {
  const filled = code.replace(/<(client_id|client_secret|credential_id|access_token)>/g, (all, name: string) => pasted[name] ?? all);
  const left = /<(client_id|client_secret|credential_id|access_token)>/.exec(filled);
  if (left) throw new Error(`nothing printed so far tells what to paste for ${left[0]}`);
  return filled;
}

let stateDir: string;
let scratch: string;
let envFile: string;
let baseEnv: NodeJS.ProcessEnv;
let stack: ChildProcess | undefined;
let stackOutput = '';
/** The exports of `mintid env`, for the programs. */
let exported: Record<string, string> = {};

/** Runs shell code in bash as the next command of one terminal session (exports carry over). */
function shell(code: string, env: NodeJS.ProcessEnv = {}, session = envFile): { code: number | null; stdout: string; stderr: string } {
  const script = `set -e\n. "${session}"\n${code}\nexport -p > "${session}"\n`;
  const run = spawnSync('bash', ['-c', script], { cwd: ROOT, env: { ...baseEnv, ...env }, encoding: 'utf8', timeout: 90_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Runs a JavaScript program as a .mjs file in this folder (so its imports resolve as a reader's would). */
function runFile(file: string, code: string, env: NodeJS.ProcessEnv = {}): { code: number | null; stdout: string; stderr: string } {
  writeFileSync(file, code);
  const run = spawnSync(process.execPath, [file], { cwd: ROOT, env: { ...baseEnv, ...exported, ...env }, encoding: 'utf8', timeout: 60_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

const pythonWithArgon2 = ['python3', '/usr/bin/python3'].find((python) =>
  spawnSync(python, ['-c', 'import argon2'], { encoding: 'utf8' }).status === 0);

beforeAll(async () => {
  stateDir = await mkdtemp(path.join(tmpdir(), 'mintid-readme-'));
  await mkdir(path.join(ROOT, 'scratch'), { recursive: true });
  scratch = await mkdtemp(path.join(ROOT, 'scratch', 'readme-test-'));
  envFile = path.join(scratch, 'env.sh');
  await writeFile(envFile, '');
  const [port, dbPort] = [await freePort(), await freePort()];
  baseEnv = { ...process.env, MINTID_STATE_DIR: stateDir, MINTID_PORT: String(port), MINTID_DB_PORT: String(dbPort) };
  for (const name of ['DATABASE_URL', 'MINTID_JWT_SECRET', 'MINTID_SIGNING_KEYS', 'MINTID_URL', 'MINTID_KEY', 'MINTID_TOKEN', 'MINTID_BRAND_ID']) {
    delete baseEnv[name];
  }
  // `npm start` runs `mintid start`; the README's first block (npm install, npm start) is this.
  stack = spawn(process.execPath, ['bin/mintid.js', 'start'], { cwd: ROOT, env: baseEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  stack.stdout!.on('data', (d: Buffer) => { stackOutput += d.toString(); });
  stack.stderr!.on('data', (d: Buffer) => { stackOutput += d.toString(); });
  const deadline = Date.now() + 90_000;
  while (!stackOutput.includes('Press Ctrl-C to stop.')) {
    if (stack.exitCode !== null) throw new Error(`mintid start exited:\n${redact(stackOutput)}`);
    if (Date.now() > deadline) throw new Error(`mintid start did not come up:\n${redact(stackOutput)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const env = spawnSync(process.execPath, ['bin/mintid.js', 'env'], { cwd: ROOT, env: baseEnv, encoding: 'utf8' });
  exported = Object.fromEntries([...env.stdout.matchAll(/^export (\w+)='([^']*)'$/gm)].map((m) => [m[1]!, m[2]!]));
}, 120_000);

afterAll(async () => {
  if (stack && stack.exitCode === null) {
    process.kill(-stack.pid!, 'SIGINT');
    const timer = setTimeout(() => stack!.kill('SIGKILL'), 10_000);
    await new Promise((resolve) => stack!.once('exit', resolve));
    clearTimeout(timer);
  }
  await rm(stateDir, { recursive: true, force: true });
  if (scratch) await rm(scratch, { recursive: true, force: true });
}, 30_000);

describe('README.md, pasted block by block into a second terminal', () => {
  const blocks = codeBlocks('README.md');
  const sh = blocks.filter((b) => b.lang === 'sh');
  const setup = sh.filter((b) => b.code.includes('npm install'));
  const steps = sh.filter((b) => !b.code.includes('npm install'));

  it('has the two commands, and shell steps that a test can run', () => {
    expect(setup.map((b) => b.code)).toEqual(['npm install\nnpm start\n']);
    expect(steps.length).toBeGreaterThanOrEqual(4);
  });

  it('links nothing outside the repository', () => {
    const text = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const links = [...text.matchAll(/\]\(([^)]+)\)/g)].map((m) => m[1]!);
    expect(links.length).toBeGreaterThan(0);
    for (const link of links) {
      expect(link, link).not.toMatch(/^(\.\.\/|https?:|\/)/);
      expect(existsSync(path.join(ROOT, link.split('#')[0]!)), link).toBe(true);
    }
  });

  it('runs every shell block in order, as written, with the printed values pasted where it says', SLOW, () => {
    for (const block of steps) {
      const run = shell(fill(block.code));
      expect(run.code, `${block.code}\n${redact(run.stdout)}\n${redact(run.stderr)}`).toBe(0);
      learn(run.stdout);
      if (block.code.includes('credentials create')) expect(run.stdout).toMatch(/client_secret: mintid_\w+/);
      if (block.code.includes('grant_type')) expect(JSON.parse(run.stdout)).toMatchObject({ token_type: 'Bearer', expires_in: 600 });
      if (block.code.includes('jwtVerify')) expect(run.stdout).toContain(`${pasted.client_id} products:read orders:write`);
      if (block.code.includes('credentials revoke')) {
        expect(run.stdout).toMatch(/Revoked credential/);
        expect(run.stdout).toMatch(/rotated/);
      }
    }
  });

  it('runs the supabase-js and typed-client programs as .mjs files in this folder', SLOW, async () => {
    const programs = blocks.filter((b) => b.lang === 'js');
    expect(programs.length).toBe(2);
    const [plain, typed] = programs.map((b) => runFile(path.join(scratch, `p${Math.random().toString(36).slice(2)}.mjs`), b.code));
    expect(plain!.stderr).toBe('');
    expect(plain!.stdout).toContain(`${pasted.client_id} revoked`);
    expect(typed!.stderr).toBe('');
    expect(typed!.stdout).toMatch(/^mintid_ci_\w+ 56\n$/);
  });
});

describe('the docs, where a test can run them', () => {
  const credentialsDoc = codeBlocks('docs/api/credentials.md');
  const made: Record<string, string> = {};
  /** Each docs example runs in a fresh terminal with the exports it names. */
  const fresh = (code: string, env: NodeJS.ProcessEnv = {}) => {
    const session = path.join(scratch, `docs-env-${Math.random().toString(36).slice(2)}.sh`);
    writeFileSync(session, '');
    return shell(code, { ...exported, ...env }, session);
  };

  it.skipIf(!pythonWithArgon2)(
    `docs/api/credentials.md: the Python recipe makes a secret and an argon2id hash the API accepts${pythonWithArgon2 ? '' : ' (SKIPPED: no python3 with argon2-cffi here)'}`,
    SLOW, () => {
      const recipe = credentialsDoc.find((b) => b.lang === 'python' && b.code.includes('PasswordHasher'))!;
      const run = spawnSync(pythonWithArgon2!, ['-c', recipe.code], { encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
      const [clientId, secret, hash] = run.stdout.trim().split(' ');
      expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      Object.assign(made, { CLIENT_ID: clientId!, CLIENT_SECRET: secret!, HASH: hash! });

      const create = credentialsDoc.find((b) => b.lang === 'sh' && b.code.includes('create_api_credential_record'))!;
      const created = fresh(create.code, { CLIENT_ID: made.CLIENT_ID, HASH: made.HASH });
      expect(created.code, created.stderr).toBe(0);
      const body = JSON.parse(created.stdout) as { ok: boolean; credential_id: string };
      expect(body.ok, created.stdout).toBe(true);
      made.CREDENTIAL_ID = body.credential_id;

      const exchange = codeBlocks('docs/token.md').find((b) => b.lang === 'sh' && b.code.includes('grant_type'))!;
      const tokens = fresh(exchange.code, { CLIENT_ID: made.CLIENT_ID, CLIENT_SECRET: made.CLIENT_SECRET });
      expect(tokens.code, tokens.stderr).toBe(0);
      const answers = tokens.stdout.trim().split('\n').map((line) => JSON.parse(line) as { scope: string });
      expect(answers.map((a) => a.scope)).toEqual(['products:read orders:write', 'products:read']);
    });

  it('docs/api/credentials.md: the curl calls for revoke, rotate, list and events answer as documented', SLOW, () => {
    if (!made.CREDENTIAL_ID) {
      // Without Python the credential comes from the CLI instead, so the curl calls still run.
      const created = spawnSync(process.execPath, ['bin/mintid.js', 'credentials', 'create', '--name', 'docs', '--scopes', 'a:b', '--json'],
        { cwd: ROOT, env: { ...baseEnv, ...exported }, encoding: 'utf8' });
      made.CREDENTIAL_ID = (JSON.parse(created.stdout) as { credential_id: string }).credential_id;
    }
    const newHash = '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$S8nNPrHXDB2l8hGoypnNY4ZDaCVXgRoNmn9I5vV4XKI';
    const bodies = credentialsDoc.filter((b) => b.lang === 'sh' && !b.code.includes('create_api_credential_record')).map((block) => {
      const run = fresh(block.code, { CREDENTIAL_ID: made.CREDENTIAL_ID, NEW_HASH: newHash });
      expect(run.code, run.stderr).toBe(0);
      return JSON.parse(run.stdout) as { ok?: boolean; details?: string; items?: { action?: string }[] };
    });
    const [revoke, rotate, list, events] = bodies;
    expect(revoke).toMatchObject({ ok: true });
    expect(rotate).toMatchObject({ code: 'PT409', details: 'credential_revoked' });
    expect(list).toMatchObject({ ok: true });
    expect(events!.items![0]).toMatchObject({ action: 'revoked' });
  });

  it('docs/api/credentials.md: each supabase-js fragment, after the page\'s setup block, answers as documented', SLOW, async () => {
    const js = credentialsDoc.filter((b) => b.lang === 'js');
    const [setup, ...fragments] = js;
    expect(setup!.code).toContain('createClient(');
    expect(fragments.length).toBe(5);
    const created = spawnSync(process.execPath, ['bin/mintid.js', 'credentials', 'create', '--name', 'js docs', '--scopes', 'a:b', '--json'],
      { cwd: ROOT, env: { ...baseEnv, ...exported }, encoding: 'utf8' });
    const env = {
      CLIENT_ID: generateClientId(), CLIENT_SECRET_HASH: await hashClientSecret(generateClientSecret()),
      NEW_HASH: await hashClientSecret(generateClientSecret()),
      CREDENTIAL_ID: (JSON.parse(created.stdout) as { credential_id: string }).credential_id,
    };
    // The names the fragments use, as a reader's program would have them.
    const prelude = `const brandId = process.env.MINTID_BRAND_ID, credentialId = process.env.CREDENTIAL_ID,
      clientId = process.env.CLIENT_ID, clientSecretHash = process.env.CLIENT_SECRET_HASH, newHash = process.env.NEW_HASH;\n`;
    const results = fragments.map((fragment, i) => {
      const code = `${setup!.code}${prelude}${fragment.code}\nconsole.log(JSON.stringify({ data: typeof data === 'undefined' ? null : data, error: typeof error === 'undefined' ? null : error }));\n`;
      const run = runFile(path.join(scratch, `fragment-${i}.mjs`), code, env);
      expect(run.code, `${fragment.code}\n${run.stderr}`).toBe(0);
      return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { data: { ok?: boolean } | null; error: { details?: string } | null };
    });
    const [create, revoke, rotate, , events] = results;
    expect(create).toMatchObject({ data: { ok: true }, error: null });
    expect(revoke).toMatchObject({ data: { ok: true }, error: null });
    expect(rotate!.error).toMatchObject({ details: 'credential_revoked' });
    expect(events).toMatchObject({ data: { ok: true }, error: null });
  });

  it('docs/client.md: the typed-client program runs as written', SLOW, () => {
    const block = codeBlocks('docs/client.md').find((b) => b.lang === 'js')!;
    const run = runFile(path.join(scratch, 'client-doc.mjs'), block.code);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('already revoked\n');
  });

  it('docs/local-stack.md: the env block prints the API URL', SLOW, () => {
    const block = codeBlocks('docs/local-stack.md').find((b) => b.lang === 'sh' && b.code.includes('mintid env'))!;
    const run = fresh(block.code, { MINTID_URL: '' });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe(exported.MINTID_URL);
  });

  it('GET /rest/v1/ describes the credential RPCs the demo admin may call, with their comments', SLOW, async () => {
    const res = await fetch(`${exported.MINTID_URL}/rest/v1/`, {
      headers: { apikey: exported.MINTID_KEY!, Authorization: `Bearer ${exported.MINTID_TOKEN}` },
    });
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { paths: Record<string, { post: { summary: string } }> };
    expect(doc.paths['/rpc/create_api_credential_record']!.post.summary).toMatch(/^Creates an API credential/);
    expect(doc.paths['/rpc/lookup_api_credential_for_token']).toBeUndefined();
  });

  it('every link of docs/ points at a file of the repository', () => {
    const files = spawnSync('git', ['ls-files', 'docs'], { cwd: ROOT, encoding: 'utf8' }).stdout.split('\n').filter((f) => f.endsWith('.md'));
    const pages = [...new Set([...files, 'docs/README.md', 'docs/api/credentials.md'])];
    for (const page of pages) {
      if (!existsSync(path.join(ROOT, page))) continue;
      const text = readFileSync(path.join(ROOT, page), 'utf8');
      for (const [, link] of text.matchAll(/\]\(([^)#]+)(?:#[^)]*)?\)/g)) {
        if (/^https?:/.test(link!)) continue;
        expect(existsSync(path.resolve(path.dirname(path.join(ROOT, page)), link!)), `${page} → ${link}`).toBe(true);
      }
    }
  });
});

