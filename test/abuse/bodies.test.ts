// Issue 10 item 2 / SPEC §15: request bodies are bounded before they are read — RPC JSON 1 MiB
// (413), token forms 16 KiB (413) — whether or not Content-Length is sent; the argument-name work
// of "Perhaps you meant" is capped, and no error body echoes unbounded input. Real HTTP through
// the local stack's wiring.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { chunkedRequest } from './helpers.js';

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi();
});
afterAll(() => t.close());

const MiB = 1024 * 1024;
const rpcUrl = (fn = 'list_api_credential_records') => `${t.url}/rest/v1/rpc/${fn}`;
const headers = () => ({ apikey: t.keys.anonKey, Authorization: `Bearer ${t.tokens.admin}`, 'Content-Type': 'application/json' });
const tokenUrl = () => `${t.url}/functions/v1/token`;
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };

describe('RPC bodies (1 MiB)', () => {
  it('refuses a body declared larger than 1 MiB with 413 before reading it', async () => {
    const res = await fetch(rpcUrl(), { method: 'POST', headers: headers(), body: `{"_brand_id":"${'x'.repeat(MiB)}"}` });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: 'PGRST102', message: 'Request body too large' });
  });

  it('refuses a chunked body (no Content-Length) with 413 once it passes 1 MiB, without reading the rest', async () => {
    const res = await chunkedRequest(rpcUrl(), { headers: headers(), chunk: 'x'.repeat(64 * 1024), count: 256 }); // 16 MiB offered
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({ code: 'PGRST102' });
    expect(res.body.length).toBeLessThan(1024);
  });

  it('refuses a chunked body with the anon key alone, too', async () => {
    const res = await chunkedRequest(rpcUrl(), {
      headers: { apikey: t.keys.anonKey, 'Content-Type': 'application/json' }, chunk: 'y'.repeat(256 * 1024), count: 64,
    });
    expect(res.status).toBe(413);
  });

  it('answers a body of just under 1 MiB normally (here: the rule on the oversized value, 400)', async () => {
    const body = JSON.stringify({ _brand_id: t.brandId, _status: 'x'.repeat(MiB - 200) });
    const res = await fetch(rpcUrl(), { method: 'POST', headers: headers(), body });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text.length).toBeLessThan(2048);
    expect(text).not.toContain('xxxxxxxxxx');
  });

  it('answers 100 000 unknown argument names with a bounded PGRST202: no hint, at most 100 names echoed', async () => {
    const args = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [i.toString(36), 0]));
    const res = await fetch(rpcUrl(), { method: 'POST', headers: headers(), body: JSON.stringify(args) });
    expect(res.status).toBe(404);
    const body = await res.json() as { code: string; message: string; hint: string | null };
    expect(body.code).toBe('PGRST202');
    expect(body.hint).toBeNull();
    expect(JSON.stringify(body).length).toBeLessThan(4096);
    expect(body.message).toContain('more)');
  });

  it('does not echo a 500 000-character argument name', async () => {
    const res = await fetch(rpcUrl(), { method: 'POST', headers: headers(), body: JSON.stringify({ ['n'.repeat(500_000)]: 1 }) });
    expect(res.status).toBe(404);
    expect((await res.text()).length).toBeLessThan(2048);
  });

  it('does not echo a 10 000-character function name', async () => {
    const res = await fetch(rpcUrl('f'.repeat(10_000)), { method: 'POST', headers: headers(), body: '{}' });
    expect(res.status).toBe(404);
    expect((await res.text()).length).toBeLessThan(2048);
  });

  it('still gives the PostgREST hint for a near-miss function name', async () => {
    const res = await fetch(rpcUrl('list_api_credential_record'), { method: 'POST', headers: headers(), body: JSON.stringify({ _brand_id: t.brandId }) });
    expect(res.status).toBe(404);
    expect((await res.json() as { hint: string }).hint).toBe('Perhaps you meant to call the function public.list_api_credential_records');
  });
});

describe('token endpoint forms (16 KiB)', () => {
  it('refuses a form declared larger than 16 KiB with 413 invalid_request', async () => {
    const res = await fetch(tokenUrl(), { method: 'POST', headers: FORM, body: `grant_type=client_credentials&pad=${'x'.repeat(16 * 1024)}` });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: 'invalid_request', error_description: 'The body must be at most 16384 bytes.' });
  });

  it('refuses a chunked form (no Content-Length) with 413 once it passes 16 KiB', async () => {
    const res = await chunkedRequest(tokenUrl(), { headers: FORM, chunk: 'a'.repeat(4096), count: 4096 }); // 16 MiB offered
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({ error: 'invalid_request' });
  });

  it('reads a chunked form under 16 KiB normally', async () => {
    const res = await chunkedRequest(tokenUrl(), { headers: FORM, chunk: 'grant_type=client_credentials', count: 1 });
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body)).toMatchObject({ error: 'invalid_client' });
  });
});

describe('errors that repeat a query parameter, a header or a path', () => {
  it.each([
    ['a filter value', (long: string) => [`list_api_credential_records?_brand_id=eq.${long}`, {}]],
    ['a limit', (long: string) => [`list_api_credential_records?limit=x${long}`, {}]],
    ['an Accept-Profile', (long: string) => ['list_api_credential_records', { 'Accept-Profile': long }]],
  ] as [string, (long: string) => [string, Record<string, string>]][])('clip %s to a short piece', async (_, make) => {
    const long = 'q'.repeat(8000);
    const [pathAndQuery, extra] = make(long);
    const res = await fetch(`${t.url}/rest/v1/rpc/${pathAndQuery}`, { headers: { apikey: t.keys.anonKey, ...extra } });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect((await res.text()).length).toBeLessThan(1024);
  });
});
