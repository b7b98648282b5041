// Local sign-in when its database login cannot work (SPEC §10; e.g. a DATABASE_URL of a
// non-superuser, where the platform step cannot prepare supabase_auth_admin): every /auth/v1
// route answers 503 local_signin_unavailable in Supabase Auth's shape, saying why and what to do,
// never a URL or a password; the cause is logged once, not once per request. Real HTTP, supabase-js.
import { isAuthRetryableFetchError } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '../support/database.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { freePort } from '../support/urls.js';
import { authClient, authFetch, freshEmail } from './support.js';

/** The test database's supabase_auth_admin URL with another password (the one the server holds is not it). */
const wrongPassword = (db: TestDatabase) => {
  const url = new URL(db.urls.authAdmin);
  url.password = 'not-the-auth-admin-password';
  return url.toString();
};

function expectNoSecrets(text: string, urls: string[]): void {
  expect(text).not.toMatch(/postgres(ql)?:\/\//);
  expect(text).not.toContain('not-the-auth-admin-password');
  for (const url of urls) {
    const password = decodeURIComponent(new URL(url).password);
    if (password) expect(text).not.toContain(password);
  }
}

describe('a supabase_auth_admin login the database refuses', () => {
  let t: TestApi;
  const lines: string[] = [];
  beforeAll(async () => {
    t = await startTestApi({ authDatabaseUrl: wrongPassword, log: (line) => lines.push(line) });
  });
  afterAll(() => t?.close());

  it('sign-in answers 503 local_signin_unavailable saying why (supabase-js: a retryable error with status 503)', async () => {
    const { data, error } = await authClient(t).auth.signInWithPassword({ email: 'admin@example.test', password: 'whatever-password' });
    expect(data.session).toBeNull();
    // supabase-js reads no body for a 5xx (AuthRetryableFetchError: retry later, keep the session).
    expect(isAuthRetryableFetchError(error)).toBe(true);
    expect(error?.status).toBe(503);
    const answer = await authFetch(t, '/token?grant_type=password', { method: 'POST', body: JSON.stringify({ email: 'admin@example.test', password: 'whatever-password' }) });
    expect(answer.status).toBe(503);
    const body = answer.body as { code: string; message: string };
    expect(body.code).toBe('local_signin_unavailable');
    expect(body.message).toMatch(/^Local sign-in is unavailable: the database refused the supabase_auth_admin login/);
    expect(body.message).toMatch(/superuser/);
    expect(answer.headers.get('x-supabase-api-version')).toBe('2024-01-01');
    expectNoSecrets(answer.text, [t.db.urls.authAdmin, wrongPassword(t.db)]);
  });

  it('sign-up, getUser and the refresh grant answer the same 503, not a 500', async () => {
    const client = authClient(t);
    const signUp = await client.auth.signUp({ email: freshEmail('unavailable'), password: 'a-long-enough-password' });
    expect(isAuthRetryableFetchError(signUp.error)).toBe(true);
    expect(signUp.error?.status).toBe(503);
    const user = await client.auth.getUser(t.tokens.admin);
    expect(user.error?.status).toBe(503);
    const refresh = await authFetch(t, '/token?grant_type=refresh_token', { method: 'POST', body: JSON.stringify({ refresh_token: 'x'.repeat(32) }) });
    expect(refresh.status).toBe(503);
    expect((refresh.body as { code: string }).code).toBe('local_signin_unavailable');
  });

  it('without supabase-js\'s API version header the answer has the initial shape (code, error_code, msg)', async () => {
    const answer = await authFetch(t, '/token?grant_type=password', {
      method: 'POST', body: JSON.stringify({ email: 'admin@example.test', password: 'whatever-password' }), version: null,
    });
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ code: 503, error_code: 'local_signin_unavailable' });
    expect((answer.body as { msg: string }).msg).toMatch(/^Local sign-in is unavailable: /);
    expect(answer.headers.get('retry-after')).toBeNull();
    expectNoSecrets(answer.text, [t.db.urls.authAdmin]);
  });

  it('the cause is logged once however many requests meet it, and check() names it', async () => {
    for (let i = 0; i < 3; i += 1) await authFetch(t, '/token?grant_type=password', { method: 'POST', body: JSON.stringify({ email: 'a@example.test', password: 'whatever-password' }) });
    const reported = lines.filter((line) => line.startsWith('local sign-in unavailable:'));
    expect(reported).toHaveLength(1);
    expect(reported[0]).toMatch(/supabase_auth_admin login \(wrong password\).*503 local_signin_unavailable/);
    expect((await t.api.auth!.check())?.cause).toBe('login_refused');
    expect(lines.filter((line) => line.startsWith('local sign-in unavailable:'))).toHaveLength(1);
    for (const line of lines) expectNoSecrets(line, [t.db.urls.authAdmin]);
  });

  it('the rest of the API keeps working (RPCs with a service key)', async () => {
    const { error } = await t.supabaseAs(t.keys.serviceRoleKey).rpc('list_api_credential_records', { _brand_id: t.brandId });
    expect(error).toBeNull();
  });
});

describe('a login without the local auth functions, and a database that cannot be reached', () => {
  let functionsMissing: TestApi;
  let unreachable: TestApi;
  beforeAll(async () => {
    const port = await freePort();
    const quiet = () => {};
    // authenticator logs in, but may not execute auth.local_* (as on a database without the local platform step).
    functionsMissing = await startTestApi({ authDatabaseUrl: (db) => db.urls.authenticator, log: quiet });
    unreachable = await startTestApi({
      authDatabaseUrl: (db) => { const url = new URL(db.urls.authAdmin); url.port = String(port); return url.toString(); }, log: quiet,
    });
  });
  afterAll(async () => {
    await functionsMissing?.close();
    await unreachable?.close();
  });

  it('names the missing functions and the superuser step', async () => {
    const { error } = await authClient(functionsMissing).auth.signInWithPassword({ email: 'admin@example.test', password: 'whatever-password' });
    expect(error?.status).toBe(503);
    const answer = await authFetch(functionsMissing, '/signup', { method: 'POST', body: JSON.stringify({ email: freshEmail('nofn'), password: 'a-long-enough-password' }) });
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ code: 'local_signin_unavailable' });
    expect((answer.body as { message: string }).message).toMatch(/lacks the local auth functions/);
    expect((await functionsMissing.api.auth!.check())?.cause).toBe('functions_missing');
  });

  it('an unreachable database answers 503 with Retry-After (it may come back)', async () => {
    const answer = await authFetch(unreachable, '/token?grant_type=password', {
      method: 'POST', body: JSON.stringify({ email: 'admin@example.test', password: 'whatever-password' }),
    });
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ code: 'local_signin_unavailable' });
    expect((answer.body as { message: string }).message).toMatch(/cannot be reached/);
    expect(answer.headers.get('retry-after')).toBe('5');
    expectNoSecrets(answer.text, [unreachable.db.urls.authAdmin]);
  });
});

describe('a working login', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi();
  });
  afterAll(() => t?.close());

  it('check() answers null and sign-in refusals stay Supabase Auth\'s own', async () => {
    expect(await t.api.auth!.check()).toBeNull();
    const { error } = await authClient(t).auth.signInWithPassword({ email: 'nobody@example.test', password: 'whatever-password' });
    expect(error?.status).toBe(400);
    expect(error?.code).toBe('invalid_credentials');
  });
});
