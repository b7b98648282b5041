// The TypeScript PHC rules against the database's mintid.argon2id_phc_problem: same reasons, always.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import {
  ARGON2_PARAMS, PHC_PROBLEM_MESSAGES, PhcError, argon2idPhcProblem, argon2idPhcSchema, assertArgon2Params,
  decodeBase64Unpadded, encodeBase64Unpadded, formatArgon2idPhc, parseArgon2idPhc, parseArgon2idPhcOrThrow,
  type PhcProblem,
} from '../../src/secrets/phc.js';

/** Deterministic bytes, so failures reproduce. */
const bytes = (length: number, seed = 7) => Uint8Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff);
const b64 = (length: number, seed?: number) => encodeBase64Unpadded(bytes(length, seed));
const SALT = b64(16, 1);
const HASH = b64(32, 2);
const make = (params = 'm=19456,t=2,p=1', salt = SALT, hash = HASH, head = '$argon2id$v=19') => `${head}$${params}$${salt}$${hash}`;
const VALID = make();

/** The table both validators must agree on: [behaviour, PHC string, expected reason]. */
const CASES: [string, string | null, PhcProblem | null][] = [
  ['accepts the default parameters', VALID, null],
  ['accepts the largest window corner', make('m=65536,t=3,p=4'), null],
  ['accepts m·t at its upper bound', make('m=49152,t=4,p=1'), null],
  ['accepts m·t at its lower bound', make('m=38912,t=1,p=1'), null],
  ['accepts a 64-byte salt and a 64-byte hash', make(undefined, b64(64), b64(64)), null],
  ['accepts a 17-byte salt (one trailing base64 group of 3)', make(undefined, b64(17)), null],
  ['refuses null', null, 'hash_required'],
  ['refuses an empty string', '', 'hash_not_argon2id'],
  ['refuses a plaintext secret', 'mintid_0123456789abcdefghijABCDEFGHIJ0123456789abcdef', 'hash_not_argon2id'],
  ['refuses bcrypt', '$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW', 'hash_not_argon2id'],
  ['refuses argon2i', make(undefined, undefined, undefined, '$argon2i$v=19'), 'hash_not_argon2id'],
  ['refuses argon2d', make(undefined, undefined, undefined, '$argon2d$v=19'), 'hash_not_argon2id'],
  ['refuses an upper-case algorithm', make(undefined, undefined, undefined, '$ARGON2ID$v=19'), 'hash_not_argon2id'],
  ['refuses version 16', make(undefined, undefined, undefined, '$argon2id$v=16'), 'hash_version_unsupported'],
  ['refuses version 20', make(undefined, undefined, undefined, '$argon2id$v=20'), 'hash_version_unsupported'],
  ['refuses a missing version', `$argon2id$m=19456,t=2,p=1$${SALT}$${HASH}`, 'hash_malformed'],
  ['refuses a zero-padded version', make(undefined, undefined, undefined, '$argon2id$v=019'), 'hash_malformed'],
  ['refuses reordered parameters', make('t=2,m=19456,p=1'), 'hash_malformed'],
  ['refuses an extra parameter', make('m=19456,t=2,p=1,keyid=abc'), 'hash_malformed'],
  ['refuses a data parameter', make('m=19456,t=2,p=1,data=YWJj'), 'hash_malformed'],
  ['refuses a missing parameter', make('m=19456,t=2'), 'hash_malformed'],
  ['refuses a zero-padded parameter', make('m=019456,t=2,p=1'), 'hash_malformed'],
  ['refuses a ten-digit parameter', make('m=1000000000,t=2,p=1'), 'hash_malformed'],
  ['refuses a missing hash segment', `$argon2id$v=19$m=19456,t=2,p=1$${SALT}`, 'hash_malformed'],
  ['refuses an extra segment', `${VALID}$${HASH}`, 'hash_malformed'],
  ['refuses an empty salt', make(undefined, ''), 'hash_malformed'],
  ['refuses m below 19456', make('m=19455,t=2,p=1'), 'hash_params_out_of_range'],
  ['refuses m above 65536', make('m=65537,t=1,p=1'), 'hash_params_out_of_range'],
  ['refuses a nine-digit m', make('m=999999999,t=2,p=1'), 'hash_params_out_of_range'],
  ['refuses t = 0', make('m=65536,t=0,p=1'), 'hash_params_out_of_range'],
  ['refuses t above 4', make('m=19456,t=5,p=1'), 'hash_params_out_of_range'],
  ['refuses m·t below 38912', make('m=19456,t=1,p=1'), 'hash_params_out_of_range'],
  ['refuses m·t above 196608', make('m=65536,t=4,p=1'), 'hash_params_out_of_range'],
  ['refuses p = 0', make('m=19456,t=2,p=0'), 'hash_params_out_of_range'],
  ['refuses p above 4', make('m=19456,t=2,p=5'), 'hash_params_out_of_range'],
  ['refuses url-safe base64 (-)', make(undefined, `${SALT.slice(0, 5)}-${SALT.slice(6)}`), 'hash_base64_invalid'],
  ['refuses url-safe base64 (_)', make(undefined, undefined, `${HASH.slice(0, 5)}_${HASH.slice(6)}`), 'hash_base64_invalid'],
  ['refuses padded base64', make(undefined, `${SALT}==`), 'hash_base64_invalid'],
  ['refuses non-canonical trailing bits', make(undefined, `${SALT.slice(0, -1)}${nudge(SALT.at(-1)!)}`), 'hash_base64_invalid'],
  ['refuses an impossible base64 length', make(undefined, `${SALT}AAA`), 'hash_base64_invalid'],
  ['refuses whitespace inside base64', make(undefined, `${SALT.slice(0, 8)} ${SALT.slice(8)}`), 'hash_base64_invalid'],
  ['refuses a trailing newline', `${VALID}\n`, 'hash_base64_invalid'],
  ['refuses non-ASCII base64', make(undefined, `${SALT.slice(0, -2)}é${SALT.at(-1)}`), 'hash_base64_invalid'],
  ['refuses a 15-byte salt', make(undefined, b64(15)), 'hash_salt_length'],
  ['refuses a 65-byte salt', make(undefined, b64(65)), 'hash_salt_length'],
  ['refuses a 31-byte hash', make(undefined, undefined, b64(31)), 'hash_length'],
  ['refuses a 65-byte hash', make(undefined, undefined, b64(65)), 'hash_length'],
];

/** The base64 character one step up with the same top bits: a set low bit makes the encoding non-canonical. */
function nudge(char: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  return alphabet[alphabet.indexOf(char) + 1]!;
}

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.close());

async function databaseProblems(values: (string | null)[]): Promise<(string | null)[]> {
  const rows = await db.admin<{ problem: string | null }[]>`
    select mintid.argon2id_phc_problem(e #>> '{}') as problem
    from jsonb_array_elements(${db.admin.json(values)}) with ordinality as u(e, i) order by i`;
  return rows.map((r) => r.problem);
}

describe('argon2idPhcProblem', () => {
  it.each(CASES)('%s', (_behaviour, value, reason) => {
    expect(argon2idPhcProblem(value)).toBe(reason);
  });

  it('gives the same reason as the database for every case of the table', async () => {
    const sql = await databaseProblems(CASES.map(([, value]) => value));
    expect(sql).toEqual(CASES.map(([, , reason]) => reason));
  });

  it('agrees with the database on hundreds of random mutations of a valid string', async () => {
    const alphabet = 'Aa0+/-_=$,:.9 zZmtpv\n\té';
    let seed = 12345;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const mutants: string[] = [];
    for (let i = 0; i < 600; i += 1) {
      let s = make(`m=${[19456, 38912, 65536, 19455][random(4)]},t=${random(6)},p=${random(6)}`, b64(14 + random(4)), b64(30 + random(4)));
      for (let k = 0, n = 1 + random(3); k < n; k += 1) {
        const at = random(s.length);
        const op = random(3);
        const c = alphabet[random(alphabet.length)]!;
        s = op === 0 ? s.slice(0, at) + c + s.slice(at + 1) : op === 1 ? s.slice(0, at) + c + s.slice(at) : s.slice(0, at) + s.slice(at + 1);
      }
      mutants.push(s);
    }
    const sql = await databaseProblems(mutants);
    const ts = mutants.map((m) => argon2idPhcProblem(m));
    expect(ts).toEqual(sql);
    expect(new Set(ts).size).toBeGreaterThanOrEqual(6); // the mutations reach most reasons
  });
});

describe('parseArgon2idPhc', () => {
  it('returns the parameters, salt and hash of an acceptable string', () => {
    const result = parseArgon2idPhc(make('m=65536,t=3,p=4'));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.phc).toMatchObject({ memoryCost: 65536, timeCost: 3, parallelism: 4 });
    expect(result.phc.salt).toEqual(bytes(16, 1));
    expect(result.phc.hash).toEqual(bytes(32, 2));
  });

  it('round-trips through formatArgon2idPhc', () => {
    const parsed = parseArgon2idPhcOrThrow(VALID);
    expect(formatArgon2idPhc(parsed)).toBe(VALID);
  });

  it('throws a PhcError carrying the reason and never the string', () => {
    const plaintext = 'mintid_a-plaintext-secret-that-must-not-leak';
    let caught: unknown;
    try {
      parseArgon2idPhcOrThrow(plaintext);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(PhcError);
    expect((caught as PhcError).code).toBe('hash_not_argon2id');
    expect(JSON.stringify(caught)).not.toContain(plaintext);
    expect((caught as PhcError).message).not.toContain(plaintext);
  });
});

describe('argon2idPhcSchema', () => {
  it('accepts an acceptable PHC string', () => {
    expect(argon2idPhcSchema.safeParse(VALID).success).toBe(true);
  });

  it('reports the database reason in the issue params without echoing the input', () => {
    const secret = 'mintid_plaintext-in-a-form-field';
    const result = argon2idPhcSchema.safeParse(secret);
    expect(result.success).toBe(false);
    const issue = result.error!.issues[0]!;
    expect(issue).toMatchObject({ code: 'custom', params: { reason: 'hash_not_argon2id' }, message: PHC_PROBLEM_MESSAGES.hash_not_argon2id });
    expect(JSON.stringify(result.error!.issues)).not.toContain(secret);
  });

  it('refuses a non-string', () => {
    expect(argon2idPhcSchema.safeParse(42).success).toBe(false);
  });
});

describe('base64 helpers', () => {
  it('encode and decode every length from 0 to 70 bytes', () => {
    for (let n = 1; n <= 70; n += 1) {
      const encoded = encodeBase64Unpadded(bytes(n));
      expect(encoded).toBe(Buffer.from(bytes(n)).toString('base64').replace(/=+$/, ''));
      expect(decodeBase64Unpadded(encoded)).toEqual(bytes(n));
    }
  });

  it('refuses the empty string, padding and non-canonical endings', () => {
    expect(decodeBase64Unpadded('')).toBeNull();
    expect(decodeBase64Unpadded('QQ==')).toBeNull();
    expect(decodeBase64Unpadded('QR')).toBeNull();
    expect(decodeBase64Unpadded('QUF')).toBeNull();
  });
});

describe('ARGON2_PARAMS and assertArgon2Params', () => {
  it('defaults to the OWASP minimum, inside the accepted window', () => {
    expect(ARGON2_PARAMS).toEqual({ memoryCost: 19456, timeCost: 2, parallelism: 1, saltLength: 16, hashLength: 32 });
    expect(() => assertArgon2Params(ARGON2_PARAMS)).not.toThrow();
  });

  it.each([
    ['m too small', { memoryCost: 8192 }],
    ['m·t too large', { memoryCost: 65536, timeCost: 4 }],
    ['p too large', { parallelism: 8 }],
    ['salt too short', { saltLength: 8 }],
    ['hash too long', { hashLength: 128 }],
    ['a fractional parameter', { memoryCost: 19456.5 }],
  ])('refuses %s', (_name, override) => {
    expect(() => assertArgon2Params({ ...ARGON2_PARAMS, ...override })).toThrow(RangeError);
  });
});
