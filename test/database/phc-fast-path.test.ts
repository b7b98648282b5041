// The argon2id PHC check's fast path (migration 20261201000900) never accepts what the full parse
// (mintid.argon2id_phc_reason) refuses, and never refuses with a reason of its own: over the
// corner cases of the window and thousands of single-character mutations of valid strings, both
// answer the same for every string.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.close());

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** Deterministic pseudo-random numbers, so a failure reproduces. */
function generator(seed: number) {
  let state = seed >>> 0;
  return (n: number) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % n;
  };
}
const b64 = (bytes: number, seed: number) =>
  Buffer.from(Array.from({ length: bytes }, (_, i) => (i * 37 + seed * 11) & 0xff)).toString('base64').replace(/=+$/, '');

/** Strings on and around every edge of the window (parameters, lengths, trailing bits). */
function corners(): string[] {
  const out: string[] = [];
  const params = ['m=19456,t=2,p=1', 'm=19455,t=2,p=1', 'm=65536,t=3,p=4', 'm=65537,t=1,p=1', 'm=38912,t=1,p=1',
    'm=38911,t=1,p=1', 'm=49152,t=4,p=1', 'm=49153,t=4,p=1', 'm=19456,t=5,p=1', 'm=19456,t=0,p=1', 'm=19456,t=2,p=0',
    'm=19456,t=2,p=5', 'm=019456,t=2,p=1', 'm=1945600000,t=2,p=1', 'm=999999999,t=1,p=1', 'm=19456,t=02,p=1', 'm=0,t=2,p=1'];
  for (const p of params) out.push(`$argon2id$v=19$${p}$${b64(16, 1)}$${b64(32, 2)}`);
  for (const saltBytes of [15, 16, 17, 18, 63, 64, 65]) {
    for (const hashBytes of [31, 32, 33, 34, 63, 64, 65]) out.push(`$argon2id$v=19$m=19456,t=2,p=1$${b64(saltBytes, 3)}$${b64(hashBytes, 4)}`);
  }
  // Non-canonical trailing bits: every last character for salts and hashes of each length % 4.
  for (const last of ALPHABET) {
    out.push(`$argon2id$v=19$m=19456,t=2,p=1$${b64(16, 5).slice(0, -1)}${last}$${b64(32, 6)}`); // 22 chars: % 4 = 2
    out.push(`$argon2id$v=19$m=19456,t=2,p=1$${b64(17, 5).slice(0, -1)}${last}$${b64(32, 6)}`); // 23 chars: % 4 = 3
    out.push(`$argon2id$v=19$m=19456,t=2,p=1$${b64(18, 5)}$${b64(32, 6).slice(0, -1)}${last}`); // 43 chars: % 4 = 3
    out.push(`$argon2id$v=19$m=19456,t=2,p=1$${b64(18, 5)}$${b64(34, 6).slice(0, -1)}${last}`); // 46 chars: % 4 = 2
  }
  out.push(`$argon2id$v=19$m=19456,t=2,p=1$${b64(18, 5)}=$${b64(32, 6)}`, `$argon2id$v=19$m=19456,t=2,p=1$${b64(18, 5)}$${b64(32, 6)}$`,
    `$argon2id$v=19$m=19456,t=2,p=1$${b64(18, 5)}$${b64(32, 6)}\n`, `$argon2id$v=19$m=19456,t=2,p=1$$${b64(32, 6)}`,
    `$argon2id$v=19$m=19456,t=2,p=1,x=1$${b64(18, 5)}$${b64(32, 6)}`, `$argon2id$v=20$m=19456,t=2,p=1$${b64(18, 5)}$${b64(32, 6)}`,
    `$argon2id$v=19$m=19456,t=2,p=1$${b64(16, 5)}`, '', '$argon2id$');
  return out;
}

/** Valid strings with one character replaced, inserted or deleted at a random place. */
function mutations(count: number): string[] {
  const rand = generator(20261201);
  const chars = `${ALPHABET}$=,-_.: \u00e9\u0000`.replace('\u0000', '');
  const out: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const base = `$argon2id$v=19$m=${19456 + rand(46081)},t=${1 + rand(4)},p=${1 + rand(4)}$${b64(16 + rand(49), i)}$${b64(32 + rand(33), i + 1)}`;
    const at = rand(base.length);
    const c = chars[rand(chars.length)]!;
    const kind = rand(3);
    out.push(kind === 0 ? base.slice(0, at) + c + base.slice(at + 1) : kind === 1 ? base.slice(0, at) + c + base.slice(at) : base.slice(0, at) + base.slice(at + 1));
    out.push(base);
  }
  return out;
}

async function disagreements(strings: string[]) {
  return db.admin<{ phc: string; fast: string | null; full: string | null }[]>`
    select s.phc, mintid.argon2id_phc_problem(s.phc) as fast, mintid.argon2id_phc_reason(s.phc) as full
    from unnest(${strings}::text[]) as s(phc)
    where mintid.argon2id_phc_problem(s.phc) is distinct from mintid.argon2id_phc_reason(s.phc)`;
}

describe('the PHC fast path', () => {
  it('answers like the full parse on every corner of the window', async () => {
    const strings = corners();
    expect(strings.length).toBeGreaterThan(300);
    expect(await disagreements(strings)).toEqual([]);
  });

  it('accepts the valid corners and refuses the invalid ones (the comparison is not vacuous)', async () => {
    const rows = await db.admin<{ accepted: number; refused: number }[]>`
      select count(*) filter (where mintid.argon2id_phc_problem(s) is null)::int as accepted,
             count(*) filter (where mintid.argon2id_phc_problem(s) is not null)::int as refused
      from unnest(${corners()}::text[]) s`;
    expect(rows[0]!.accepted).toBeGreaterThan(20);
    expect(rows[0]!.refused).toBeGreaterThan(200);
  });

  it('answers like the full parse on 4,000 mutated strings', async () => {
    expect(await disagreements(mutations(2000))).toEqual([]);
  });

  it('refuses null and non-argon2id input with the full parse reasons', async () => {
    const [row] = await db.admin<{ n: string | null; plain: string | null; other: string | null }[]>`
      select mintid.argon2id_phc_problem(null) as n, mintid.argon2id_phc_problem('mintid_plaintext_secret') as plain,
             mintid.argon2id_phc_problem('$argon2i$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXoxMjM0NTY') as other`;
    expect(row).toEqual({ n: 'hash_required', plain: 'hash_not_argon2id', other: 'hash_not_argon2id' });
  });

  it('is private like the rest of the rules', async () => {
    const rows = await db.admin<{ fn: string; granted: boolean }[]>`
      select p.oid::regprocedure::text as fn,
             has_function_privilege('authenticated', p.oid, 'execute') or has_function_privilege('anon', p.oid, 'execute')
               or has_function_privilege('service_role', p.oid, 'execute') as granted
      from pg_proc p where p.proname in ('argon2id_phc_problem', 'argon2id_phc_reason')`;
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => !r.granted)).toBe(true);
  });
});
