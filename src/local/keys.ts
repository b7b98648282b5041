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

async function sign(secret: string, claims: Record<string, unknown>): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer('supabase-demo')
    .setIssuedAt(ISSUED_AT)
    .setExpirationTime(EXPIRES_AT)
    .sign(new TextEncoder().encode(secret));
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
    ...(['owner', 'admin', 'member'] as const).map((name) =>
      sign(jwtSecret, {
        sub: DEMO_USERS[name].id, role: 'authenticated', aud: 'authenticated', email: DEMO_USERS[name].email,
      })),
  ]);
  return { anonKey: anonKey!, serviceRoleKey: serviceRoleKey!, userTokens: { owner: owner!, admin: admin!, member: member! } };
}
