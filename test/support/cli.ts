// Runs the built `bin/mintid.js` in a process of its own, as every CLI test does. Its environment
// is this process's, then the test file's base (say, the test API's URL, key, token and brand),
// then the call's own; a variable given as undefined is left out. Standard input gets `input` and
// is closed at once, so a command that reads it (a secret's value) never waits for a terminal.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestApi } from './api.js';

export const MINTID_BIN = fileURLToPath(new URL('../../bin/mintid.js', import.meta.url));

/** Environment variables to set; undefined removes one. */
export type Env = Record<string, string | undefined>;
/** How the process ended (code null: killed by a signal, e.g. at the timeout) and what it printed. */
export interface Run { code: number | null; stdout: string; stderr: string }
export interface RunOptions { env?: Env; input?: string }

/** This process's environment with `env` over it, undefined ones left out. */
export function childEnv(env: Env = {}): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries({ ...process.env, ...env }).filter(([, v]) => v !== undefined)) as NodeJS.ProcessEnv;
}

/** `mintid …args` with `options.env` over this process's environment and `options.input` on standard input. */
export function runMintid(args: string[], options: RunOptions = {}, timeoutMs = 60_000): Promise<Run> {
  const child = spawn(process.execPath, [MINTID_BIN, ...args], { env: childEnv(options.env), stdio: ['pipe', 'pipe', 'pipe'], timeout: timeoutMs });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  child.stdin.end(options.input ?? '');
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/**
 * A test file's runner: `mintid <prefix…> …args` with `base()` (read at each call, so it may use
 * what beforeAll set up) under each call's `env`.
 */
export function mintidRunner(base: () => Env, prefix: string[] = [], timeoutMs?: number) {
  return (args: string[], options: RunOptions = {}): Promise<Run> =>
    runMintid([...prefix, ...args], { ...options, env: { ...base(), ...options.env } }, timeoutMs);
}

/** Against the test API as a user of its brand (`token`): its URL, anon key and brand, and no DATABASE_URL. */
export const apiEnv = (t: TestApi, token: string | undefined): Env => ({
  DATABASE_URL: undefined, MINTID_URL: t.url, MINTID_KEY: t.keys.anonKey, MINTID_TOKEN: token, MINTID_BRAND_ID: t.brandId,
});
