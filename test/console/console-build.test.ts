// When `npm start` / `npm run build` rebuild the console: only when dist/console/ is missing or
// was built from other sources (a digest of console/, src/client/, src/secrets/ and the lockfile).
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleSourceDigest, ensureConsoleBuilt } from '../../src/local/console-build.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'mintid-console-build-'));
  for (const dir of ['console/src', 'src/client', 'src/secrets', 'dist/console']) await mkdir(path.join(root, dir), { recursive: true });
  await writeFile(path.join(root, 'console/vite.config.ts'), 'export default {};');
  await writeFile(path.join(root, 'console/src/main.tsx'), 'one');
  await writeFile(path.join(root, 'src/client/a.ts'), 'client');
  await writeFile(path.join(root, 'src/secrets/b.ts'), 'secrets');
  await writeFile(path.join(root, 'package-lock.json'), '{}');
  await writeFile(path.join(root, 'dist/console/index.html'), '<!doctype html>');
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('console build on start', () => {
  it('does nothing when dist/console holds a build of the current sources', async () => {
    await writeFile(path.join(root, 'dist/console/.build-stamp'), `${await consoleSourceDigest(root)}\n`);
    const lines: string[] = [];
    expect(await ensureConsoleBuilt((line) => lines.push(line), root)).toBe(false);
    expect(lines).toEqual([]);
  });

  it('the digest changes with any file of the console, the client, the secrets code or the lockfile', async () => {
    const before = await consoleSourceDigest(root);
    for (const file of ['console/src/main.tsx', 'src/client/a.ts', 'src/secrets/b.ts', 'package-lock.json']) {
      const full = path.join(root, file);
      await writeFile(full, 'changed');
      expect(await consoleSourceDigest(root), file).not.toBe(before);
    }
    // A new file counts too.
    const now = await consoleSourceDigest(root);
    await writeFile(path.join(root, 'console/src/extra.ts'), '');
    expect(await consoleSourceDigest(root)).not.toBe(now);
  });

  it('rebuilds (and says so) when the stamp is stale; a failed build leaves the old files and says why', async () => {
    const lines: string[] = [];
    // The fake vite config here builds nothing useful: the build fails, and dist/console stays as it was.
    await expect(ensureConsoleBuilt((line) => lines.push(line), root)).rejects.toThrow();
    expect(lines).toEqual(['building the console (dist/console/)…']);
    expect((await import('node:fs')).existsSync(path.join(root, 'dist/console/index.html'))).toBe(true);
  });

  it('serves what is there when the package has no console sources (an installed build)', async () => {
    const bare = await mkdtemp(path.join(tmpdir(), 'mintid-console-bare-'));
    try {
      expect(await ensureConsoleBuilt(() => {}, bare)).toBe(false);
    } finally {
      await rm(bare, { recursive: true, force: true });
    }
  });
});
