import { SignJWT } from 'jose';

/** Fixed issue/expiry times, so the local keys derived from one secret never change across restarts. */
const ISSUED_AT = 1_735_689_600; // 2025-01-01T00:00:00Z
const EXPIRES_AT = 2_051_222_400; // 2035-01-01T00:00:00Z

/** The demo users of supabase/seed.sql. */
export const DEMO_BRAND_ID = 'b1a2c3d4-0000-0000-0000-000000000001';
export const DEMO_USERS = {
  owner: { id: '00000000-0000-4000-a000-000000000001', email: 'owner@acme.example' },
  admin: { id: '00000000-0000-4000-a000-000000000002', email: 'admin@acme.example' },
  member: { id: '00000000-0000-4000-a000-000000000003', email: 'member@acme.example' },
} as const;
export type DemoUser = keyof typeof DEMO_USERS;

/** The claims of a signed-in user's access token, as Supabase Auth issues them. */
export function userClaims(user: { id: string; email: string }): Record<string, unknown> {
  return { sub: user.id, role: 'authenticated', aud: 'authenticated', email: user.email };
}

/** Signs claims as an HS256 JWT with the secret, as Supabase Auth signs its tokens. */
export function signHs256(secret: string, claims: Record<string, unknown>): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(secret));
}

/** A local key or demo token: fixed issuer and times, so it is the same on every start. */
function sign(secret: string, claims: Record<string, unknown>): Promise<string> {
  return signHs256(secret, { ...claims, iss: 'supabase-demo', iat: ISSUED_AT, exp: EXPIRES_AT });
}

export interface LocalKeys {
  anonKey: string;
  serviceRoleKey: string;
  /** Long-lived access tokens of the demo users (local only). */
  userTokens: Record<DemoUser, string>;
}

/** The anon and service_role API keys and demo user tokens, as HS256 JWTs of the local secret. */
export async function localKeys(jwtSecret: string): Promise<LocalKeys> {
  const [anonKey, serviceRoleKey, owner, admin, member] = await Promise.all([
    sign(jwtSecret, { role: 'anon' }),
    sign(jwtSecret, { role: 'service_role' }),
    ...(['owner', 'admin', 'member'] as const).map((name) => sign(jwtSecret, userClaims(DEMO_USERS[name]))),
  ]);
  return { anonKey: anonKey!, serviceRoleKey: serviceRoleKey!, userTokens: { owner: owner!, admin: admin!, member: member! } };
}
