import { randomBytes, randomUUID } from 'node:crypto';
import { createTestDatabase, type ApiCaller, type Caller, type TestDatabase } from './database.js';

export interface BrandFixture {
  brandId: string;
  otherBrandId: string;
  users: { owner: string; admin: string; member: string; otherAdmin: string };
}

/** A brand with an owner, an admin and a member, and a second brand with its own admin. */
export async function seedBrands(db: TestDatabase): Promise<BrandFixture> {
  const brandId = randomUUID();
  const otherBrandId = randomUUID();
  const users = { owner: randomUUID(), admin: randomUUID(), member: randomUUID(), otherAdmin: randomUUID() };
  await db.admin.begin(async (tx) => {
    await tx`insert into mintid.brands (id, name) values (${brandId}, 'Acme'), (${otherBrandId}, 'Globex')`;
    for (const [key, id] of Object.entries(users)) {
      await tx`insert into auth.users (id, email, role, aud) values (${id}, ${`${key}@example.test`}, 'authenticated', 'authenticated')`;
    }
    await tx`insert into mintid.brand_members (brand_id, user_id, role) values
      (${brandId}, ${users.owner}, 'owner'), (${brandId}, ${users.admin}, 'admin'),
      (${brandId}, ${users.member}, 'member'), (${otherBrandId}, ${users.otherAdmin}, 'admin')`;
  });
  return { brandId, otherBrandId, users };
}

/** This file's own database with the brand fixture seeded: `({ db, f } = await openSeededDatabase())`. */
export async function openSeededDatabase(): Promise<{ db: TestDatabase; f: BrandFixture }> {
  const db = await createTestDatabase();
  return { db, f: await seedBrands(db) };
}

/** The claims PostgREST sets for a signed-in Supabase user. */
export function userCaller(userId: string): ApiCaller {
  return { role: 'authenticated', claims: { sub: userId, aud: 'authenticated', email: `${userId}@example.test` } };
}

export const serviceCaller: ApiCaller = { role: 'service_role', claims: { iss: 'supabase' } };
export const anonCaller: ApiCaller = { role: 'anon', claims: {} };
export const noSubCaller: ApiCaller = { role: 'authenticated', claims: { aud: 'authenticated' } };
/** Switched to an API role but carries no claims at all. */
export const noClaimsCaller: ApiCaller = { role: 'authenticated', claims: null };

export type CallerOutcome = 'ok' | '401' | '403' | 'no EXECUTE';

/** Every caller class of SPEC §4 with the outcome the contract gives it on a brand's RPCs. */
export const CALLER_CLASSES: { name: string; outcome: CallerOutcome; caller: (f: BrandFixture) => Caller }[] = [
  { name: 'a session with an API role but no claims', outcome: '401', caller: () => noClaimsCaller },
  { name: 'anon', outcome: 'no EXECUTE', caller: () => anonCaller },
  { name: 'authenticated without sub', outcome: '401', caller: () => noSubCaller },
  { name: 'a member', outcome: '403', caller: (f) => userCaller(f.users.member) },
  { name: 'an admin of another brand', outcome: '403', caller: (f) => userCaller(f.users.otherAdmin) },
  { name: 'an admin', outcome: 'ok', caller: (f) => userCaller(f.users.admin) },
  { name: 'an owner', outcome: 'ok', caller: (f) => userCaller(f.users.owner) },
  { name: 'service_role', outcome: 'ok', caller: () => serviceCaller },
  { name: 'a SQL-console operator', outcome: 'ok', caller: () => 'operator' },
];

/** The PHC string's base64 (standard alphabet, no padding). */
export function b64(bytes: Buffer): string {
  return bytes.toString('base64').replace(/=+$/, '');
}

/** A well-formed argon2id PHC string with random salt and hash (the store checks form, not content). */
export function phc(options: { m?: number; t?: number; p?: number; salt?: number; hash?: number } = {}): string {
  const { m = 19456, t = 2, p = 1, salt = 16, hash = 32 } = options;
  return `$argon2id$v=19$m=${m},t=${t},p=${p}$${b64(randomBytes(salt))}$${b64(randomBytes(hash))}`;
}

let clientCounter = 0;
/** A fresh valid client id. */
export function clientId(prefix = 'client'): string {
  clientCounter += 1;
  return `${prefix}.${process.pid}.${clientCounter}.${randomBytes(4).toString('hex')}`;
}

/** Valid arguments for create_api_credential_record, with overrides. */
export function createArgs(brandId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    _brand_id: brandId,
    _name: 'ERP sync',
    _client_id: clientId(),
    _client_secret_hash: phc(),
    _scopes: ['products:read', 'orders:write'],
    _metadata: { team: 'erp' },
    ...overrides,
  };
}
