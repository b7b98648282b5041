// Local sign-in (SPEC §10) through supabase-js's auth client itself, over real HTTP against the
// local stack's API: sign in, refresh, getUser, sign out, sign up, and the session's token
// accepted by the gateway for an RPC (auth.uid() is the user).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { TEST_JWT_SECRET } from '../support/api.js';
import { authClient, authFetch, freshEmail, givePassword, jwtClaims, TEST_USER_PASSWORD } from './support.js';
import { jwtVerify } from 'jose';

let t: TestApi;
let adminEmail: string;

beforeAll(async () => {
  t = await startTestApi();
  await givePassword(t, t.brands.users.admin);
  await givePassword(t, t.brands.users.member);
  adminEmail = 'admin@example.test';
});
afterAll(() => t?.close());

describe('signInWithPassword', () => {
  it('returns a session with Supabase Auth\'s fields and an HS256 access token of the JWT secret', async () => {
    const supabase = authClient(t);
    const { data, error } = await supabase.auth.signInWithPassword({ email: adminEmail, password: TEST_USER_PASSWORD });
    expect(error).toBeNull();
    const session = data.session!;
    expect(session.token_type).toBe('bearer');
    expect(session.expires_in).toBe(3600);
    expect(session.expires_at).toBeGreaterThan(Math.floor(Date.now() / 1000) + 3500);
    expect(session.refresh_token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(data.user!.id).toBe(t.brands.users.admin);
    expect(data.user!.email).toBe(adminEmail);
    expect(data.user!.aud).toBe('authenticated');
    expect(data.user!.role).toBe('authenticated');
    expect(data.user!.email_confirmed_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(data.user!.app_metadata).toMatchObject({ provider: 'email', providers: ['email'] });
    expect(data.user!.identities?.[0]?.provider).toBe('email');
    expect(data.user).not.toHaveProperty('encrypted_password');

    const { payload, protectedHeader } = await jwtVerify(session.access_token, new TextEncoder().encode(TEST_JWT_SECRET));
    expect(protectedHeader.alg).toBe('HS256');
    expect(payload).toMatchObject({
      sub: t.brands.users.admin, role: 'authenticated', aud: 'authenticated', email: adminEmail,
      iss: `${t.url}/auth/v1`, aal: 'aal1', is_anonymous: false,
    });
    expect(payload.exp! - payload.iat!).toBe(3600);
    expect(payload.session_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(payload.amr).toEqual([{ method: 'password', timestamp: expect.any(Number) }]);
    expect(Math.abs((payload.amr as { timestamp: number }[])[0]!.timestamp - payload.iat!)).toBeLessThanOrEqual(1);
    expect(payload.app_metadata).toEqual(data.user!.app_metadata);
    expect(payload.user_metadata).toEqual(data.user!.user_metadata);
  });

  it('accepts the e-mail in any letter case', async () => {
    const { data, error } = await authClient(t).auth.signInWithPassword({ email: 'ADMIN@Example.Test', password: TEST_USER_PASSWORD });
    expect(error).toBeNull();
    expect(data.user!.id).toBe(t.brands.users.admin);
  });

  it('records the sign-in time on the user', async () => {
    const { data } = await authClient(t).auth.signInWithPassword({ email: adminEmail, password: TEST_USER_PASSWORD });
    expect(Date.parse(data.user!.last_sign_in_at!)).toBeGreaterThan(Date.now() - 60_000);
  });
});

describe('the session at the gateway', () => {
  it('calls an RPC with the session\'s access token: auth.uid() is the signed-in user', async () => {
    const supabase = authClient(t);
    await supabase.auth.signInWithPassword({ email: adminEmail, password: TEST_USER_PASSWORD });
    const { data, error } = await supabase.rpc('list_api_credential_records', { _brand_id: t.brandId });
    expect(error).toBeNull();
    expect(data).toMatchObject({ ok: true });
  });

  it('a member\'s session is refused by the RPC with 403 (the token is the member\'s, not the anon key)', async () => {
    const supabase = authClient(t);
    await supabase.auth.signInWithPassword({ email: 'member@example.test', password: TEST_USER_PASSWORD });
    const { error, status } = await supabase.rpc('list_api_credential_records', { _brand_id: t.brandId });
    expect(status).toBe(403);
    expect(error?.code).toBe('42501');
  });
});

describe('refreshSession', () => {
  it('rotates the refresh token and issues a new access token for the same session', async () => {
    const supabase = authClient(t);
    const { data: signedIn } = await supabase.auth.signInWithPassword({ email: adminEmail, password: TEST_USER_PASSWORD });
    const { data, error } = await supabase.auth.refreshSession();
    expect(error).toBeNull();
    expect(data.session!.refresh_token).not.toBe(signedIn.session!.refresh_token);
    expect(jwtClaims(data.session!.access_token).amr).toEqual(jwtClaims(signedIn.session!.access_token).amr);
    expect(jwtClaims(data.session!.access_token).session_id).toBe(jwtClaims(signedIn.session!.access_token).session_id);
    expect(data.user!.id).toBe(t.brands.users.admin);
    // The new session works at the gateway.
    const { error: rpcError } = await supabase.rpc('list_api_credential_records', { _brand_id: t.brandId });
    expect(rpcError).toBeNull();
  });

  it('refreshes again with the rotated token', async () => {
    const supabase = authClient(t);
    await supabase.auth.signInWithPassword({ email: adminEmail, password: TEST_USER_PASSWORD });
    for (let i = 0; i < 3; i += 1) {
      const { error } = await supabase.auth.refreshSession();
      expect(error).toBeNull();
    }
  });

  it('emits TOKEN_REFRESHED to onAuthStateChange', async () => {
    const supabase = authClient(t);
    const events: string[] = [];
    const { data: listener } = supabase.auth.onAuthStateChange((event) => void events.push(event));
    await supabase.auth.signInWithPassword({ email: adminEmail, password: TEST_USER_PASSWORD });
    await supabase.auth.refreshSession();
    await supabase.auth.signOut();
    listener.subscription.unsubscribe();
    expect(events).toEqual(expect.arrayContaining(['SIGNED_IN', 'TOKEN_REFRESHED', 'SIGNED_OUT']));
  });

  it('refreshes a stored session that has (nearly) expired when the app next asks for it', async () => {
    const memory = new Map<string, string>();
    const supabase = authClient(t, { memory });
    const { data: signedIn } = await supabase.auth.signInWithPassword({ email: adminEmail, password: TEST_USER_PASSWORD });
    // As if the app came back an hour later: the stored session says it expired.
    const [key, stored] = [...memory.entries()].find(([k]) => k.endsWith('-auth-token'))!;
    memory.set(key, JSON.stringify({ ...JSON.parse(stored), expires_at: Math.floor(Date.now() / 1000) - 10 }));
    const { data, error } = await authClient(t, { memory }).auth.getSession();
    expect(error).toBeNull();
    expect(data.session!.refresh_token).not.toBe(signedIn.session!.refresh_token);
    expect(data.session!.expires_at).toBeGreaterThan(Math.floor(Date.now() / 1000) + 3500);
  });

  it('keeps a session alive with autoRefreshToken on (startAutoRefresh/stopAutoRefresh do not break)', async () => {
    const supabase = authClient(t, { autoRefreshToken: true });
    const { error } = await supabase.auth.signInWithPassword({ email: adminEmail, password: TEST_USER_PASSWORD });
    expect(error).toBeNull();
    await supabase.auth.startAutoRefresh();
    const { data } = await supabase.auth.getSession();
    expect(data.session?.user.id).toBe(t.brands.users.admin);
    await supabase.auth.stopAutoRefresh();
    await supabase.auth.signOut();
  });
});

describe('getUser', () => {
  it('returns the signed-in user from GET /auth/v1/user', async () => {
    const supabase = authClient(t);
    await supabase.auth.signInWithPassword({ email: adminEmail, password: TEST_USER_PASSWORD });
    const { data, error } = await supabase.auth.getUser();
    expect(error).toBeNull();
    expect(data.user).toMatchObject({ id: t.brands.users.admin, email: adminEmail, aud: 'authenticated', role: 'authenticated' });
  });

  it('accepts a token without session_id (the printed demo tokens)', async () => {
    const answer = await authFetch(t, '/user', { headers: { Authorization: `Bearer ${t.tokens.admin}` } });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ id: t.brands.users.admin });
  });
});

describe('signOut', () => {
  it('ends the session: its refresh token is refused afterwards', async () => {
    const supabase = authClient(t);
    const { data } = await supabase.auth.signInWithPassword({ email: adminEmail, password: TEST_USER_PASSWORD });
    const { error } = await supabase.auth.signOut();
    expect(error).toBeNull();
    const { data: after } = await supabase.auth.getSession();
    expect(after.session).toBeNull();
    const refreshed = await authClient(t).auth.refreshSession({ refresh_token: data.session!.refresh_token });
    expect(refreshed.error?.status).toBe(400);
    expect(refreshed.error?.code).toBe('refresh_token_not_found');
  });

  it('scope local ends only this session; another device stays signed in', async () => {
    const laptop = authClient(t);
    const phone = authClient(t);
    await laptop.auth.signInWithPassword({ email: adminEmail, password: TEST_USER_PASSWORD });
    await phone.auth.signInWithPassword({ email: adminEmail, password: TEST_USER_PASSWORD });
    await laptop.auth.signOut({ scope: 'local' });
    const { error } = await phone.auth.refreshSession();
    expect(error).toBeNull();
  });

  it('scope global (the default) ends every session of the user', async () => {
    const laptop = authClient(t);
    const phone = authClient(t);
    await laptop.auth.signInWithPassword({ email: adminEmail, password: TEST_USER_PASSWORD });
    await phone.auth.signInWithPassword({ email: adminEmail, password: TEST_USER_PASSWORD });
    await laptop.auth.signOut();
    const { error } = await phone.auth.refreshSession();
    expect(error?.code).toBe('refresh_token_not_found');
  });

  it('scope others ends the other sessions and keeps this one', async () => {
    const laptop = authClient(t);
    const phone = authClient(t);
    await laptop.auth.signInWithPassword({ email: adminEmail, password: TEST_USER_PASSWORD });
    await phone.auth.signInWithPassword({ email: adminEmail, password: TEST_USER_PASSWORD });
    await laptop.auth.signOut({ scope: 'others' });
    expect((await laptop.auth.refreshSession()).error).toBeNull();
    expect((await phone.auth.refreshSession()).error?.code).toBe('refresh_token_not_found');
  });
});

describe('signUp', () => {
  it('creates a confirmed user who is signed in at once and can sign in again', async () => {
    const email = freshEmail('signup');
    const supabase = authClient(t);
    const { data, error } = await supabase.auth.signUp({ email, password: 'a-long-enough-password', options: { data: { name: 'Ada' } } });
    expect(error).toBeNull();
    expect(data.session).not.toBeNull();
    expect(data.user!.email).toBe(email);
    expect(data.user!.email_confirmed_at).toBeTruthy();
    expect(data.user!.user_metadata).toMatchObject({ name: 'Ada', email, email_verified: true, sub: data.user!.id });

    const again = await authClient(t).auth.signInWithPassword({ email, password: 'a-long-enough-password' });
    expect(again.error).toBeNull();
    expect(again.data.user!.id).toBe(data.user!.id);

    const [row] = await t.db.admin<{ encrypted_password: string }[]>`select encrypted_password from auth.users where id = ${data.user!.id}`;
    expect(row!.encrypted_password).toMatch(/^\$2a\$10\$/);
  });

  it('a new user\'s token reaches the RPCs as that user (signed in, member of no brand: 403)', async () => {
    const supabase = authClient(t);
    await supabase.auth.signUp({ email: freshEmail('rpc'), password: 'a-long-enough-password' });
    const { status } = await supabase.rpc('list_api_credential_records', { _brand_id: t.brandId });
    expect(status).toBe(403);
  });
});
