// Local sign-in (SPEC §10), the negative paths: every refusal in Supabase Auth's status, code and
// shape, over real HTTP (raw fetch for the exact bytes, supabase-js for what an app sees).
import { isAuthSessionMissingError, isAuthWeakPasswordError } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nowSeconds, signJwt, startTestApi, type TestApi } from '../support/api.js';
import { authClient, authFetch, freshEmail, givePassword, jwtClaims, TEST_USER_PASSWORD } from './support.js';

let t: TestApi;
const ADMIN = 'admin@example.test';

beforeAll(async () => {
  t = await startTestApi();
  await givePassword(t, t.brands.users.admin);
});
afterAll(() => t?.close());

const json = (body: unknown) => ({ method: 'POST', body: JSON.stringify(body) });
const signIn = (email: string, password: string, init: { version?: string | null } = {}) =>
  authFetch(t, '/token?grant_type=password', { ...json({ email, password }), ...init });
const bearer = (token: string) => ({ headers: { Authorization: `Bearer ${token}` } });

/** A fresh session of the admin (raw tokens). */
async function adminSession(): Promise<{ access_token: string; refresh_token: string }> {
  const answer = await signIn(ADMIN, TEST_USER_PASSWORD);
  expect(answer.status).toBe(200);
  return answer.body as { access_token: string; refresh_token: string };
}
const refresh = (refreshToken: string) => authFetch(t, '/token?grant_type=refresh_token', json({ refresh_token: refreshToken }));

describe('wrong credentials', () => {
  it('a wrong password answers 400 invalid_credentials in Supabase Auth\'s shape', async () => {
    const answer = await signIn(ADMIN, 'not-the-password');
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ code: 'invalid_credentials', message: 'Invalid login credentials' });
    expect(answer.headers.get('x-supabase-api-version')).toBe('2024-01-01');
  });

  it('an unknown e-mail answers byte for byte what a wrong password answers', async () => {
    const [wrong, unknown] = [await signIn(ADMIN, 'not-the-password'), await signIn('nobody@example.test', 'not-the-password')];
    expect(unknown.status).toBe(wrong.status);
    expect(unknown.text).toBe(wrong.text);
    expect([...unknown.headers.keys()].sort()).toEqual([...wrong.headers.keys()].sort());
  });

  it('a user without a password (never signed up locally) answers the same', async () => {
    const [wrong, noPassword] = [await signIn(ADMIN, 'x-password'), await signIn('owner@example.test', 'x-password')];
    expect(noPassword.status).toBe(400);
    expect(noPassword.text).toBe(wrong.text);
  });

  it('supabase-js reports AuthApiError invalid_credentials and keeps no session', async () => {
    const supabase = authClient(t);
    const { data, error } = await supabase.auth.signInWithPassword({ email: 'nobody@example.test', password: 'whatever-password' });
    expect(error?.name).toBe('AuthApiError');
    expect(error?.status).toBe(400);
    expect(error?.code).toBe('invalid_credentials');
    expect(error?.message).toBe('Invalid login credentials');
    expect(data.session).toBeNull();
  });

  it('an empty password is invalid_credentials, not a server error', async () => {
    const answer = await signIn(ADMIN, '');
    expect(answer.status).toBe(400);
    expect((answer.body as { code: string }).code).toBe('invalid_credentials');
  });

  it('no e-mail → 400 validation_failed "missing email or phone"; a phone → 422 (phone logins are off)', async () => {
    const missing = await authFetch(t, '/token?grant_type=password', json({ password: 'x' }));
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ code: 'validation_failed', message: 'missing email or phone' });
    const phone = await authFetch(t, '/token?grant_type=password', json({ phone: '+15550100', password: 'x' }));
    expect(phone.status).toBe(422);
  });

  it('an unconfirmed e-mail with the right password → 400 email_not_confirmed', async () => {
    const email = freshEmail('unconfirmed');
    await t.db.admin`insert into auth.users (id, aud, role, email, encrypted_password)
      values (gen_random_uuid(), 'authenticated', 'authenticated', ${email}, extensions.crypt('right-password', extensions.gen_salt('bf', 4)))`;
    const answer = await signIn(email, 'right-password');
    expect(answer.status).toBe(400);
    expect((answer.body as { code: string }).code).toBe('email_not_confirmed');
  });
});

describe('error shapes and the X-Supabase-Api-Version header', () => {
  it('without the header: the initial shape {code: status, error_code, msg}, no version echoed', async () => {
    const answer = await signIn(ADMIN, 'not-the-password', { version: null });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ code: 400, error_code: 'invalid_credentials', msg: 'Invalid login credentials' });
    expect(answer.headers.get('x-supabase-api-version')).toBeNull();
  });

  it('an unparseable or older version gets the initial shape too', async () => {
    for (const version of ['yesterday', '2023-12-31']) {
      const answer = await signIn(ADMIN, 'not-the-password', { version });
      expect(answer.body).toMatchObject({ code: 400, error_code: 'invalid_credentials' });
    }
  });

  it('a later version is answered as 2024-01-01', async () => {
    const answer = await signIn(ADMIN, 'not-the-password', { version: '2025-06-01' });
    expect(answer.body).toEqual({ code: 'invalid_credentials', message: 'Invalid login credentials' });
    expect(answer.headers.get('x-supabase-api-version')).toBe('2024-01-01');
  });
});

describe('grant_type', () => {
  it('missing → 400 invalid_credentials "unsupported_grant_type" (Supabase Auth\'s words)', async () => {
    const answer = await authFetch(t, '/token', json({ email: ADMIN, password: TEST_USER_PASSWORD }));
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ code: 'invalid_credentials', message: 'unsupported_grant_type' });
  });

  it('unknown (client_credentials, pkce) → the same', async () => {
    for (const grant of ['client_credentials', 'pkce', 'PASSWORD']) {
      const answer = await authFetch(t, `/token?grant_type=${grant}`, json({ email: ADMIN, password: TEST_USER_PASSWORD }));
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({ code: 'invalid_credentials', message: 'unsupported_grant_type' });
    }
  });
});

describe('refresh tokens', () => {
  it('a refresh token exchanged once is refused the second time at once: 400 refresh_token_already_used', async () => {
    const { refresh_token } = await adminSession();
    expect((await refresh(refresh_token)).status).toBe(200);
    const reused = await refresh(refresh_token);
    expect(reused.status).toBe(400);
    expect(reused.body).toEqual({ code: 'refresh_token_already_used', message: 'Invalid Refresh Token: Already Used' });
  });

  it('reuse revokes the whole session: the legitimate successor is refused too', async () => {
    const { refresh_token } = await adminSession();
    const successor = (await refresh(refresh_token)).body as { refresh_token: string };
    await refresh(refresh_token);
    const answer = await refresh(successor.refresh_token);
    expect(answer.status).toBe(400);
    expect((answer.body as { code: string }).code).toBe('refresh_token_already_used');
  });

  it('two concurrent exchanges of one token: exactly one succeeds', async () => {
    const { refresh_token } = await adminSession();
    const answers = await Promise.all([refresh(refresh_token), refresh(refresh_token)]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 400]);
  });

  it('the refresh token of a signed-out session → 400 refresh_token_not_found', async () => {
    const { access_token, refresh_token } = await adminSession();
    expect((await authFetch(t, '/logout', { method: 'POST', ...bearer(access_token) })).status).toBe(204);
    const answer = await refresh(refresh_token);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ code: 'refresh_token_not_found', message: 'Invalid Refresh Token: Refresh Token Not Found' });
  });

  it('an unknown refresh token → 400 refresh_token_not_found', async () => {
    const answer = await refresh('abcdefghijklmnopqrstuvwxyz012345');
    expect(answer.status).toBe(400);
    expect((answer.body as { code: string }).code).toBe('refresh_token_not_found');
  });

  it('no refresh_token → 400 {"error":"invalid_request","error_description":"refresh_token required"}', async () => {
    const answer = await authFetch(t, '/token?grant_type=refresh_token', json({}));
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ error: 'invalid_request', error_description: 'refresh_token required' });
  });

  it('supabase-js refreshSession with a spent token reports the code and no session', async () => {
    const { refresh_token } = await adminSession();
    await refresh(refresh_token);
    const { data, error } = await authClient(t).auth.refreshSession({ refresh_token });
    expect(error?.code).toBe('refresh_token_already_used');
    expect(data.session).toBeNull();
  });

  it('only a SHA-256 digest of a refresh token is stored', async () => {
    const { refresh_token } = await adminSession();
    const rows = await t.db.admin`select token_hash from auth.refresh_tokens where token_hash = ${refresh_token}`;
    expect(rows).toHaveLength(0);
    const digests = await t.db.admin`select 1 from auth.refresh_tokens
      where token_hash = encode(extensions.digest(${refresh_token}, 'sha256'), 'hex')`;
    expect(digests).toHaveLength(1);
  });
});

describe('GET /user', () => {
  it('no Authorization → 401 no_authorization', async () => {
    const answer = await authFetch(t, '/user');
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({ code: 'no_authorization', message: 'This endpoint requires a valid Bearer token' });
  });

  it('an expired access token → 403 bad_jwt (no leeway)', async () => {
    const token = await signJwt({ ...jwtClaims((await adminSession()).access_token), exp: nowSeconds() - 5 });
    const answer = await authFetch(t, '/user', bearer(token));
    expect(answer.status).toBe(403);
    expect(answer.body).toEqual({ code: 'bad_jwt', message: 'invalid JWT: unable to parse or verify signature, token has invalid claims: token is expired' });
  });

  it('a token signed with another JWT secret → 403 bad_jwt', async () => {
    const claims = jwtClaims((await adminSession()).access_token);
    const token = await signJwt(claims, 'another-secret-of-at-least-thirty-two-characters');
    const answer = await authFetch(t, '/user', bearer(token));
    expect(answer.status).toBe(403);
    expect(answer.body).toEqual({ code: 'bad_jwt', message: 'invalid JWT: unable to parse or verify signature, token signature is invalid: signature is invalid' });
  });

  it('garbage as a token → 403 bad_jwt', async () => {
    const answer = await authFetch(t, '/user', bearer('not-a-jwt'));
    expect(answer.status).toBe(403);
    expect((answer.body as { code: string }).code).toBe('bad_jwt');
  });

  it('the anon key as the token (no sub) → 403 bad_jwt "missing sub claim"', async () => {
    const answer = await authFetch(t, '/user', bearer(t.keys.anonKey));
    expect(answer.status).toBe(403);
    expect(answer.body).toEqual({ code: 'bad_jwt', message: 'invalid claim: missing sub claim' });
  });

  it('a sub that is not a uuid → 400 bad_jwt', async () => {
    const answer = await authFetch(t, '/user', bearer(await signJwt({ sub: 'admin', role: 'authenticated', exp: nowSeconds() + 60 })));
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ code: 'bad_jwt', message: 'invalid claim: sub claim must be a UUID' });
  });

  it('a user that does not exist → 403 user_not_found', async () => {
    const token = await signJwt({ sub: '00000000-0000-4000-a000-0000000000ff', role: 'authenticated', exp: nowSeconds() + 60 });
    const answer = await authFetch(t, '/user', bearer(token));
    expect(answer.status).toBe(403);
    expect(answer.body).toEqual({ code: 'user_not_found', message: 'User from sub claim in JWT does not exist' });
  });

  it('the access token of a signed-out session → 403 session_not_found; supabase-js drops its session', async () => {
    const supabase = authClient(t);
    const { data } = await supabase.auth.signInWithPassword({ email: ADMIN, password: TEST_USER_PASSWORD });
    await authFetch(t, '/logout?scope=global', { method: 'POST', ...bearer(data.session!.access_token) });
    const answer = await authFetch(t, '/user', bearer(data.session!.access_token));
    expect(answer.status).toBe(403);
    expect(answer.body).toEqual({ code: 'session_not_found', message: 'Session from session_id claim in JWT does not exist' });
    const { error } = await supabase.auth.getUser();
    expect(isAuthSessionMissingError(error)).toBe(true);
    expect((await supabase.auth.getSession()).data.session).toBeNull();
  });
});

describe('POST /logout', () => {
  it('an unsupported scope → 400 validation_failed', async () => {
    const { access_token } = await adminSession();
    const answer = await authFetch(t, '/logout?scope=everywhere', { method: 'POST', ...bearer(access_token) });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ code: 'validation_failed', message: 'Unsupported logout scope "everywhere"' });
  });

  it('without a token → 401 no_authorization (and supabase-js still clears its session)', async () => {
    expect((await authFetch(t, '/logout', { method: 'POST' })).status).toBe(401);
    const supabase = authClient(t);
    await supabase.auth.signInWithPassword({ email: ADMIN, password: TEST_USER_PASSWORD });
    const { data } = await supabase.auth.getSession();
    await authFetch(t, '/logout', { method: 'POST', ...bearer(data.session!.access_token) });
    expect((await supabase.auth.signOut()).error).toBeNull();
    expect((await supabase.auth.getSession()).data.session).toBeNull();
  });
});

describe('sign-up refusals', () => {
  const signUp = (body: unknown, init: { version?: string | null } = {}) => authFetch(t, '/signup', { ...json(body), ...init });

  it('a password under 8 characters → 422 weak_password with reason "length"', async () => {
    const answer = await signUp({ email: freshEmail(), password: 'short7!' });
    expect(answer.status).toBe(422);
    expect(answer.body).toEqual({ code: 'weak_password', message: 'Password should be at least 8 characters.', weak_password: { reasons: ['length'] } });
  });

  it('the same in the initial shape without the version header', async () => {
    const answer = await signUp({ email: freshEmail(), password: 'short' }, { version: null });
    expect(answer.body).toEqual({
      code: 422, error_code: 'weak_password', msg: 'Password should be at least 8 characters.', weak_password: { reasons: ['length'] },
    });
  });

  it('supabase-js reports AuthWeakPasswordError with the reasons', async () => {
    const { data, error } = await authClient(t).auth.signUp({ email: freshEmail(), password: '1234567' });
    expect(isAuthWeakPasswordError(error)).toBe(true);
    expect(error?.status).toBe(422);
    expect((error as { reasons?: string[] }).reasons).toEqual(['length']);
    expect(data.session).toBeNull();
  });

  it('no password → 422 validation_failed; over 72 bytes → 422 validation_failed', async () => {
    expect((await signUp({ email: freshEmail() })).body).toEqual({ code: 'validation_failed', message: 'Signup requires a valid password' });
    const long = await signUp({ email: freshEmail(), password: 'é'.repeat(37) });
    expect(long.status).toBe(422);
    expect((long.body as { code: string }).code).toBe('validation_failed');
  });

  it('an address already registered → 422 user_already_exists "User already registered" (any letter case)', async () => {
    const email = freshEmail('dup');
    expect((await signUp({ email, password: 'first-password' })).status).toBe(200);
    for (const again of [email, email.toUpperCase()]) {
      const answer = await signUp({ email: again, password: 'second-password' });
      expect(answer.status).toBe(422);
      expect(answer.body).toEqual({ code: 'user_already_exists', message: 'User already registered' });
    }
    // The first password still signs in; the second does not.
    expect((await signIn(email, 'first-password')).status).toBe(200);
    expect((await signIn(email, 'second-password')).status).toBe(400);
  });

  it('an existing fixture user (no password) cannot be taken over by signing up with its address', async () => {
    const answer = await signUp({ email: 'member@example.test', password: 'takeover-password' });
    expect(answer.status).toBe(422);
    expect((await signIn('member@example.test', 'takeover-password')).status).toBe(400);
  });

  it('two concurrent sign-ups of one address: one user', async () => {
    const email = freshEmail('race');
    const answers = await Promise.all([signUp({ email, password: 'race-password-1' }), signUp({ email, password: 'race-password-2' })]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 422]);
    const rows = await t.db.admin`select 1 from auth.users where lower(email) = lower(${email})`;
    expect(rows).toHaveLength(1);
  });

  it('no e-mail → 400 validation_failed; a malformed one → 400 email_address_invalid', async () => {
    expect((await signUp({ password: 'long-enough-pw' })).body).toEqual({ code: 'validation_failed', message: 'To signup, please provide your email' });
    const bad = await signUp({ email: 'not an address', password: 'long-enough-pw' });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ code: 'email_address_invalid', message: 'Unable to validate email address: invalid format' });
  });

  it('data that is not an object → 400 bad_json', async () => {
    const answer = await signUp({ email: freshEmail(), password: 'long-enough-pw', data: ['x'] });
    expect(answer.status).toBe(400);
    expect((answer.body as { code: string }).code).toBe('bad_json');
  });
});

describe('request bodies', () => {
  const routes = ['/token?grant_type=password', '/token?grant_type=refresh_token', '/signup'];

  it('malformed JSON → 400 bad_json on every route that reads a body', async () => {
    for (const route of routes) {
      const answer = await authFetch(t, route, { method: 'POST', body: '{"email": ' });
      expect(answer.status, route).toBe(400);
      expect((answer.body as { code: string; message: string }).code).toBe('bad_json');
      expect((answer.body as { message: string }).message).toMatch(/^Could not parse request body as JSON: /);
    }
  });

  it('an empty body, an array, a string field of the wrong type → 400 bad_json in Go\'s words', async () => {
    const empty = await authFetch(t, routes[0]!, { method: 'POST', body: '' });
    expect(empty.body).toEqual({ code: 'bad_json', message: 'Could not parse request body as JSON: unexpected end of JSON input' });
    const array = await authFetch(t, routes[0]!, { method: 'POST', body: '[]' });
    expect(array.body).toEqual({ code: 'bad_json', message: 'Could not parse request body as JSON: json: cannot unmarshal array into Go value of type api.PasswordGrantParams' });
    const number = await authFetch(t, routes[0]!, json({ email: ADMIN, password: 12345678 }));
    expect(number.body).toEqual({
      code: 'bad_json', message: 'Could not parse request body as JSON: json: cannot unmarshal number into Go struct field PasswordGrantParams.password of type string',
    });
  });

  it('a body over 16 KiB → 413, declared or streamed, never a 500', async () => {
    const huge = JSON.stringify({ email: ADMIN, password: 'x'.repeat(20_000) });
    const declared = await authFetch(t, routes[0]!, { method: 'POST', body: huge });
    expect(declared.status).toBe(413);
    expect((declared.body as { code: string }).code).toBe('validation_failed');
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 20; i += 1) controller.enqueue(new TextEncoder().encode('x'.repeat(1024)));
        controller.close();
      },
    });
    const streamed = await authFetch(t, '/signup', { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
    expect(streamed.status).toBe(413);
  });
});

describe('the apikey, as on hosted Supabase', () => {
  const calls: [string, RequestInit][] = [
    ['/token?grant_type=password', json({ email: ADMIN, password: TEST_USER_PASSWORD })],
    ['/token?grant_type=refresh_token', json({ refresh_token: 'x' })],
    ['/user', {}],
    ['/logout', { method: 'POST' }],
    ['/signup', json({ email: 'apikey@example.test', password: 'long-enough-pw' })],
  ];

  it('no apikey → 401 "No API key found in request" on every route', async () => {
    for (const [path, init] of calls) {
      const answer = await authFetch(t, path, { ...init, apikey: null });
      expect(answer.status, path).toBe(401);
      expect(answer.body).toEqual({ message: 'No API key found in request', hint: 'No apikey request header or url param was found.' });
    }
  });

  it('an unknown apikey → 401 "Invalid API key" on every route, before any work', async () => {
    for (const [path, init] of calls) {
      const answer = await authFetch(t, path, { ...init, apikey: 'not-a-key' });
      expect(answer.status, path).toBe(401);
      expect((answer.body as { message: string }).message).toBe('Invalid API key');
    }
    expect(await t.db.admin`select 1 from auth.users where email = 'apikey@example.test'`).toHaveLength(0);
  });

  it('the service_role key is accepted as the apikey too', async () => {
    const answer = await authFetch(t, '/token?grant_type=password', { ...json({ email: ADMIN, password: TEST_USER_PASSWORD }), apikey: t.keys.serviceRoleKey });
    expect(answer.status).toBe(200);
  });
});

describe('routes and CORS', () => {
  it('an unknown /auth/v1 path → 404; a wrong method → 405 with Allow', async () => {
    expect((await authFetch(t, '/settings-of-nothing')).status).toBe(404);
    const wrong = await authFetch(t, '/token?grant_type=password', { method: 'GET' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST, OPTIONS');
  });

  it('a browser preflight is answered without an apikey and allows the headers supabase-js sends', async () => {
    const response = await fetch(`${t.url}/auth/v1/token?grant_type=password`, {
      method: 'OPTIONS',
      headers: { Origin: 'http://localhost:5173', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'apikey, content-type, x-client-info, x-supabase-api-version' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('x-supabase-api-version');
  });

  it('responses to a browser expose X-Supabase-Api-Version (supabase-js reads error codes from it)', async () => {
    const answer = await authFetch(t, '/token?grant_type=password', { ...json({ email: ADMIN, password: 'nope-nope' }), headers: { Origin: 'http://localhost:5173' } });
    expect(answer.headers.get('access-control-allow-origin')).toBe('*');
    expect(answer.headers.get('access-control-expose-headers')).toContain('X-Supabase-Api-Version');
  });
});

describe('the auth data is the auth login\'s alone', () => {
  it('the API login (authenticator) cannot read sessions, refresh tokens or password hashes', async () => {
    for (const query of ['select * from auth.sessions', 'select * from auth.refresh_tokens', 'select encrypted_password from auth.users']) {
      await expect(t.db.api.unsafe(query)).rejects.toMatchObject({ code: '42501' });
    }
  });

  it('no API role may call the sign-in functions (only supabase_auth_admin holds EXECUTE)', async () => {
    for (const role of ['anon', 'authenticated', 'service_role']) {
      await expect(t.db.api.begin(async (tx) => {
        await tx.unsafe(`set local role ${role}`);
        await tx.unsafe(`select auth.local_logout('${t.brands.users.admin}', null, 'global')`);
      })).rejects.toMatchObject({ code: '42501' });
    }
  });

  it('a JWT naming role supabase_auth_admin is refused by the gateway (authenticator may not assume it)', async () => {
    const token = await signJwt({ role: 'supabase_auth_admin', exp: nowSeconds() + 60 });
    const { status } = await t.supabaseAs(token).rpc('list_api_credential_records', { _brand_id: t.brandId });
    expect(status).toBe(403);
  });
});
