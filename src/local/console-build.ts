// Builds the console (console/ → dist/console/) with Vite when the build is missing or older than
// its sources, so `npm install` + `npm start` suffice on a fresh clone. The build goes to a
// temporary folder and is renamed into place, so concurrent starts never see half a build.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { packageRoot } from '../package-root.js';

/** The package's root folder (where package.json is), from src/ or dist/src/. */
export const packageRootDir = () => packageRoot;

export const consoleDistDir = (root = packageRootDir()) => path.join(root, 'dist', 'console');
const STAMP = '.build-stamp';

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const nested = await Promise.all(entries.map(async (e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? listFiles(full) : [full];
  }));
  return nested.flat().sort();
}

/** A digest of everything the bundle is made of: the console, the client and secrets code it imports, the lockfile. */
export async function consoleSourceDigest(root = packageRootDir()): Promise<string> {
  const hash = createHash('sha256');
  const files = [
    ...(await listFiles(path.join(root, 'console'))),
    ...(await listFiles(path.join(root, 'src', 'client'))),
    ...(await listFiles(path.join(root, 'src', 'secrets'))),
    path.join(root, 'package-lock.json'),
  ];
  for (const file of files) {
    hash.update(path.relative(root, file)).update('\0');
    hash.update(await readFile(file).catch(() => Buffer.alloc(0))).update('\0');
  }
  return hash.digest('hex');
}

/** Builds dist/console/ from console/ with Vite (a devDependency) into `outDir`. */
export async function buildConsole(options: { root?: string; outDir?: string; digest?: string } = {}): Promise<void> {
  const root = options.root ?? packageRootDir();
  const outDir = options.outDir ?? consoleDistDir(root);
  const digest = options.digest ?? await consoleSourceDigest(root);
  const staging = `${outDir}.tmp-${process.pid}-${Date.now().toString(36)}`;
  let vite: typeof import('vite');
  try {
    vite = await import('vite');
  } catch {
    throw new Error('Vite is not installed, so the console cannot be built here: run `npm install` (with dev dependencies), then `npm run console:build`.');
  }
  try {
    await vite.build({ configFile: path.join(root, 'console', 'vite.config.ts'), build: { outDir: staging, emptyOutDir: true }, logLevel: 'warn' });
    await writeFile(path.join(staging, STAMP), `${digest}\n`);
    await mkdir(path.dirname(outDir), { recursive: true });
    const old = `${outDir}.old-${process.pid}-${Date.now().toString(36)}`;
    await rename(outDir, old).catch(() => {});
    try {
      await rename(staging, outDir);
    } catch (error) {
      // A concurrent build (another start or test file) put its build in place first: fine if it is of these sources.
      const theirs = await readFile(path.join(outDir, STAMP), 'utf8').catch(() => null);
      if (theirs?.trim() !== digest) throw error;
    }
    await rm(old, { recursive: true, force: true });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Builds the console unless dist/console/ holds a build of the current sources. Resolves whether it built. */
export async function ensureConsoleBuilt(log: (line: string) => void = () => {}, root = packageRootDir()): Promise<boolean> {
  const outDir = consoleDistDir(root);
  const stamp = await readFile(path.join(outDir, STAMP), 'utf8').catch(() => null);
  const hasSources = existsSync(path.join(root, 'console', 'vite.config.ts'));
  if (!hasSources) return false; // an installed package without the console sources: serve what is there
  const digest = await consoleSourceDigest(root);
  if (stamp?.trim() === digest && existsSync(path.join(outDir, 'index.html'))) return false;
  log('building the console (dist/console/)…');
  await buildConsole({ root, outDir, digest });
  return true;
}
