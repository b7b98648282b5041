// Shared pieces of the local sign-in tests (SPEC §10): supabase-js's auth client as a browser app
// uses it, against the local stack's API over real HTTP.
import '../../src/node-websocket.js';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import type { TestApi } from '../support/api.js';

/** A password the tests give fixture users (≥ 8 characters). */
export const TEST_USER_PASSWORD = 'correct-horse-battery';

/**
 * supabase-js as a frontend creates it: the anon key, sessions kept in memory (a storage object,
 * as persistSession would keep them in localStorage), no automatic refresh unless asked.
 */
export function authClient(t: TestApi, options: { autoRefreshToken?: boolean; fetch?: typeof fetch; memory?: Map<string, string> } = {}): SupabaseClient {
  const memory = options.memory ?? new Map<string, string>();
  return createClient(t.url, t.keys.anonKey, {
    auth: {
      persistSession: true,
      autoRefreshToken: options.autoRefreshToken ?? false,
      detectSessionInUrl: false,
      storage: {
        getItem: (key) => memory.get(key) ?? null,
        setItem: (key, value) => void memory.set(key, value),
        removeItem: (key) => void memory.delete(key),
      },
    },
    ...(options.fetch ? { global: { fetch: options.fetch } } : {}),
  });
}

/** Gives a fixture user (no password yet) the test password. */
export async function givePassword(t: TestApi, userId: string, password = TEST_USER_PASSWORD): Promise<void> {
  const changed = await t.api.auth!.store.setMissingPassword(userId, password);
  if (!changed) throw new Error('the user already had a password');
}

/** A fresh e-mail address for sign-ups. */
let counter = 0;
export function freshEmail(prefix = 'new'): string {
  counter += 1;
  return `${prefix}.${process.pid}.${counter}.${Date.now().toString(36)}@example.test`;
}

export interface RawAnswer {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

/** A plain HTTP call to /auth/v1 (apikey = anon key unless given; supabase-js's API version header unless `version: null`). */
export async function authFetch(t: TestApi, path: string, init: RequestInit & { apikey?: string | null; version?: string | null } = {}): Promise<RawAnswer> {
  const headers = new Headers(init.headers);
  if (init.apikey !== null) headers.set('apikey', init.apikey ?? t.keys.anonKey);
  if (init.version !== null) headers.set('X-Supabase-Api-Version', init.version ?? '2024-01-01');
  if (init.body !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/json;charset=UTF-8');
  const response = await fetch(`${t.url}/auth/v1${path}`, { ...init, headers });
  const text = await response.text();
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, body, text };
}

/** The claims of a JWT (not verified; the tests check what the server put in). */
export function jwtClaims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}
