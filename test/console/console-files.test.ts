// The local stack's /console route over real HTTP: static files, the generated config.json, the
// security headers, and what it refuses (other methods, paths outside dist/console, unknown files).
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenHttp } from '../../src/gateway/server.js';
import { createConsoleHandler } from '../../src/local/console-files.js';

let dir: string;
let server: { url: string; close: () => Promise<void> };
const config = { supabaseUrl: 'http://127.0.0.1:54321', anonKey: 'anon-key-for-the-test', signUp: true, demoAccounts: [] };

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mintid-console-files-'));
  await mkdir(path.join(dir, 'dist', 'assets'), { recursive: true });
  await writeFile(path.join(dir, 'dist', 'index.html'), '<!doctype html><title>console</title>');
  await writeFile(path.join(dir, 'dist', 'assets', 'app-abc.js'), 'export {};');
  await writeFile(path.join(dir, 'outside.txt'), 'must not be served');
  const serve = createConsoleHandler({ distDir: path.join(dir, 'dist'), config });
  server = await listenHttp(async (req) => (await serve(req)) ?? new Response('other route', { status: 418 }), 0, '127.0.0.1');
});
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

const get = (p: string, init?: RequestInit) => fetch(`${server.url}${p}`, { redirect: 'manual', ...init });

describe('/console on the local stack', () => {
  it('serves index.html with a strict CSP that allows WASM, and hashed assets as immutable', async () => {
    const index = await get('/console/');
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toMatch(/text\/html/);
    const csp = index.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain('connect-src \'self\' http://127.0.0.1:54321');
    expect(index.headers.get('referrer-policy')).toBe('no-referrer');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const asset = await get('/console/assets/app-abc.js');
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toContain('immutable');
  });

  it('generates config.json with the URL and anon key, never cached', async () => {
    const response = await get('/console/config.json');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual(config);
  });

  it('redirects /console to /console/ and falls back to index.html for app paths', async () => {
    const bare = await get('/console?x=1');
    expect(bare.status).toBe(308);
    expect(bare.headers.get('location')).toBe('/console/?x=1');
    const deep = await get('/console/credentials');
    expect(deep.status).toBe(200);
    expect(await deep.text()).toContain('<title>console</title>');
  });

  it('refuses other methods, unknown files and paths that leave dist/console', async () => {
    const post = await get('/console/', { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect((await get('/console/assets/missing.js')).status).toBe(404);
    for (const escape of ['/console/%2e%2e/outside.txt', '/console/..%2Foutside.txt', '/console/%2e%2e%2foutside.txt']) {
      // URL parsing folds %2e%2e into '..' (the path leaves /console/ and the route), or the route refuses it.
      const response = await get(escape);
      expect([404, 418], escape).toContain(response.status);
      expect(await response.text()).not.toContain('must not be served');
    }
    expect((await get('/console/%E0%A4%A')).status).toBe(400);
    const head = await get('/console/', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('leaves every other path to the rest of the gateway', async () => {
    expect((await get('/consoleX')).status).toBe(418);
    expect((await get('/rest/v1/')).status).toBe(418);
  });
});
