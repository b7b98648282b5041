// Ctrl-C in a real terminal: `mintid start` runs under a pseudo-terminal (util-linux `script`),
// and the test types Ctrl-C into it, so the terminal's line discipline sends SIGINT to the whole
// foreground process group — exactly what a person's Ctrl-C does. The pending last_used_at of a
// token exchange must be flushed before the database stops, and `Stopped.` printed.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_BRAND_ID } from '../../src/local/keys.js';
import { generateClientId, generateClientSecret } from '../../src/secrets/generate.js';
import { hashClientSecret } from '../../src/secrets/hash.js';
import { basic } from '../token/helpers.js';
import { freePort } from '../support/urls.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
const redact = (text: string) => text.replace(/eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, '<jwt>');

let stateDir: string | undefined;
let terminal: ChildProcess | undefined;
afterAll(async () => {
  if (terminal && terminal.exitCode === null) {
    terminal.kill('SIGKILL');
  }
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
}, 30_000);

describe('mintid start in a terminal', () => {
  it.skipIf(!hasScript)(`flushes the pending last use and prints Stopped. on Ctrl-C${hasScript ? '' : ' (SKIPPED: no util-linux script here for a pseudo-terminal)'}`,
    { timeout: 120_000 }, async () => {
      stateDir = await mkdtemp(path.join(tmpdir(), 'mintid-ctrl-c-'));
      const [port, dbPort] = [await freePort(), await freePort()];
      const env: NodeJS.ProcessEnv = {
        ...process.env, MINTID_STATE_DIR: stateDir, MINTID_PORT: String(port), MINTID_DB_PORT: String(dbPort),
        MINTID_USAGE_FLUSH_SECONDS: '59', // only the flush on shutdown can write last_used_at
      };
      for (const name of ['DATABASE_URL', 'MINTID_JWT_SECRET', 'MINTID_SIGNING_KEYS']) delete env[name];
      terminal = spawn('script', ['-qfec', `${process.execPath} bin/mintid.js start`, '/dev/null'], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
      let output = '';
      terminal.stdout!.on('data', (d: Buffer) => { output += d.toString(); });
      terminal.stderr!.on('data', (d: Buffer) => { output += d.toString(); });
      const exited = new Promise<number | null>((resolve) => terminal!.once('exit', (code) => resolve(code)));
      const waitFor = async (marker: string, ms: number) => {
        const deadline = Date.now() + ms;
        while (!output.includes(marker)) {
          if (terminal!.exitCode !== null) throw new Error(`exited early:\n${redact(output)}`);
          if (Date.now() > deadline) throw new Error(`no "${marker}" within ${ms} ms:\n${redact(output)}`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      };
      await waitFor('Press Ctrl-C to stop.', 90_000);
      const serviceKey = /^ {2}service_role key\s+(\S+)/m.exec(output)![1]!;

      const clientId = generateClientId();
      const secret = generateClientSecret();
      const url = `http://127.0.0.1:${port}`;
      const created = await fetch(`${url}/rest/v1/rpc/create_api_credential_record`, {
        method: 'POST',
        headers: { apikey: serviceKey, Authorization: `Bearer ${serviceKey}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ _brand_id: DEMO_BRAND_ID, _name: 'pty', _client_id: clientId, _client_secret_hash: await hashClientSecret(secret), _scopes: ['a:b'] }),
      });
      const { credential_id: credentialId } = (await created.json()) as { credential_id: string };
      const token = await fetch(`${url}/functions/v1/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: basic(clientId, secret) },
        body: 'grant_type=client_credentials',
      });
      expect(token.status).toBe(200);

      terminal.stdin!.write('\x03'); // Ctrl-C, typed into the terminal
      const deadline = setTimeout(() => terminal!.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(deadline);
      expect(output).toContain('SIGINT: stopping');
      expect(output).toContain('Stopped.');
      expect(output).not.toMatch(/will retry|StoreError/);

      // Start it again on the same state and read the flushed last use through the API.
      const restarted = spawn(process.execPath, ['bin/mintid.js', 'start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      let second = '';
      restarted.stdout!.on('data', (d: Buffer) => { second += d.toString(); });
      try {
        const until = Date.now() + 90_000;
        while (!second.includes('Press Ctrl-C to stop.') && Date.now() < until && restarted.exitCode === null) {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        const list = await fetch(`${url}/rest/v1/rpc/list_api_credential_records`, {
          method: 'POST',
          headers: { apikey: serviceKey, Authorization: `Bearer ${serviceKey}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ _brand_id: DEMO_BRAND_ID }),
        });
        const { items } = (await list.json()) as { items: { id: string; last_used_at: string | null }[] };
        expect(items.find((i) => i.id === credentialId)!.last_used_at).toEqual(expect.any(String));
      } finally {
        process.kill(-restarted.pid!, 'SIGINT');
        await new Promise((resolve) => restarted.once('exit', resolve));
      }
    });
});
