// The argon2id PHC strings MintID accepts — exactly the rules of the SQL function
// mintid.argon2id_phc_problem (supabase/migrations/20261123000400_credential_input.sql), with the
// same reason codes, checked in the same order. Browser-safe. No message here ever contains the
// string that was checked.
import { z } from 'zod';

/** Default hashing parameters: OWASP's argon2id minimum, inside the accepted window. */
export const ARGON2_PARAMS: Readonly<Argon2Params> = Object.freeze({
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
  saltLength: 16,
  hashLength: 32,
});

/** The window the database accepts (SPEC §5): safe, and affordable for the token endpoint to verify. */
export const ARGON2_WINDOW = Object.freeze({
  memoryCost: { min: 19456, max: 65536 },
  timeCost: { min: 1, max: 4 },
  memoryTimeProduct: { min: 38912, max: 196608 },
  parallelism: { min: 1, max: 4 },
  saltLength: { min: 16, max: 64 },
  hashLength: { min: 32, max: 64 },
});

export interface Argon2Params {
  /** m, in KiB. */
  memoryCost: number;
  /** t, passes. */
  timeCost: number;
  /** p, lanes. */
  parallelism: number;
  /** Salt bytes. */
  saltLength: number;
  /** Hash (tag) bytes. */
  hashLength: number;
}

/** Every reason a PHC string is refused, as the database names them. */
export const PHC_PROBLEMS = [
  'hash_required',
  'hash_not_argon2id',
  'hash_malformed',
  'hash_version_unsupported',
  'hash_params_out_of_range',
  'hash_base64_invalid',
  'hash_salt_length',
  'hash_length',
] as const;
export type PhcProblem = (typeof PHC_PROBLEMS)[number];

/** What each problem means, for messages (never includes the value). */
export const PHC_PROBLEM_MESSAGES: Readonly<Record<PhcProblem, string>> = Object.freeze({
  hash_required: 'a secret hash is required',
  hash_not_argon2id: 'the secret hash must be an argon2id PHC string',
  hash_malformed: 'the secret hash must look like $argon2id$v=19$m=…,t=…,p=…$salt$hash',
  hash_version_unsupported: 'the secret hash must use argon2 version 19',
  hash_params_out_of_range:
    'the argon2id parameters must satisfy 19456 <= m <= 65536, 1 <= t <= 4, 38912 <= m*t <= 196608, 1 <= p <= 4',
  hash_base64_invalid: 'salt and hash must be unpadded canonical standard base64',
  hash_salt_length: 'the salt must be 16 to 64 bytes',
  hash_length: 'the hash must be 32 to 64 bytes',
});

/** A parsed, acceptable argon2id PHC string. */
export interface Argon2idPhc {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
  salt: Uint8Array;
  hash: Uint8Array;
}

export type PhcParseResult = { ok: true; phc: Argon2idPhc } | { ok: false; reason: PhcProblem };

/** A PHC string was refused; `code` is the machine reason. The string itself is never attached. */
export class PhcError extends Error {
  override readonly name = 'PhcError';
  constructor(readonly code: PhcProblem) {
    super(PHC_PROBLEM_MESSAGES[code]);
  }
}

const PHC_PATTERN =
  /^\$argon2id\$v=(0|[1-9][0-9]{0,8})\$m=(0|[1-9][0-9]{0,8}),t=(0|[1-9][0-9]{0,8}),p=(0|[1-9][0-9]{0,8})\$([^$]+)\$([^$]+)$/;

/** Parses a PHC string by the database's rules, reporting the first problem in the database's order. */
export function parseArgon2idPhc(phc: string | null | undefined): PhcParseResult {
  if (phc === null || phc === undefined) return { ok: false, reason: 'hash_required' };
  if (phc.slice(0, 10) !== '$argon2id$') return { ok: false, reason: 'hash_not_argon2id' };
  const parts = PHC_PATTERN.exec(phc);
  if (!parts) return { ok: false, reason: 'hash_malformed' };
  if (parts[1] !== '19') return { ok: false, reason: 'hash_version_unsupported' };
  const params = { memoryCost: Number(parts[2]), timeCost: Number(parts[3]), parallelism: Number(parts[4]) };
  if (!withinWindow(params)) return { ok: false, reason: 'hash_params_out_of_range' };
  const salt = decodeBase64Unpadded(parts[5]!);
  const hash = decodeBase64Unpadded(parts[6]!);
  if (!salt || !hash) return { ok: false, reason: 'hash_base64_invalid' };
  const w = ARGON2_WINDOW;
  if (salt.length < w.saltLength.min || salt.length > w.saltLength.max) return { ok: false, reason: 'hash_salt_length' };
  if (hash.length < w.hashLength.min || hash.length > w.hashLength.max) return { ok: false, reason: 'hash_length' };
  return { ok: true, phc: { ...params, salt, hash } };
}

/** The reason the database would refuse this PHC string, or null when it accepts it. */
export function argon2idPhcProblem(phc: string | null | undefined): PhcProblem | null {
  const result = parseArgon2idPhc(phc);
  return result.ok ? null : result.reason;
}

/** Parses an acceptable PHC string or throws a PhcError naming the reason. */
export function parseArgon2idPhcOrThrow(phc: string | null | undefined): Argon2idPhc {
  const result = parseArgon2idPhc(phc);
  if (!result.ok) throw new PhcError(result.reason);
  return result.phc;
}

/** Formats the parts as `$argon2id$v=19$m=…,t=…,p=…$salt$hash` (unpadded standard base64). */
export function formatArgon2idPhc(phc: Argon2idPhc): string {
  return `$argon2id$v=19$m=${phc.memoryCost},t=${phc.timeCost},p=${phc.parallelism}` +
    `$${encodeBase64Unpadded(phc.salt)}$${encodeBase64Unpadded(phc.hash)}`;
}

/** Throws a RangeError unless hashing with these parameters yields a PHC string the database accepts. */
export function assertArgon2Params(params: Argon2Params): void {
  const w = ARGON2_WINDOW;
  const ints = [params.memoryCost, params.timeCost, params.parallelism, params.saltLength, params.hashLength];
  if (!ints.every(Number.isSafeInteger) || !withinWindow(params)) {
    throw new RangeError(PHC_PROBLEM_MESSAGES.hash_params_out_of_range);
  }
  if (params.saltLength < w.saltLength.min || params.saltLength > w.saltLength.max) {
    throw new RangeError(PHC_PROBLEM_MESSAGES.hash_salt_length);
  }
  if (params.hashLength < w.hashLength.min || params.hashLength > w.hashLength.max) {
    throw new RangeError(PHC_PROBLEM_MESSAGES.hash_length);
  }
}

/**
 * zod schema of an acceptable PHC string. A refusal is one custom issue whose `params.reason` is
 * the database's reason code; zod does not copy the input into issues unless asked to.
 */
export const argon2idPhcSchema = z.string().superRefine((value, ctx) => {
  const reason = argon2idPhcProblem(value);
  if (reason) ctx.addIssue({ code: 'custom', message: PHC_PROBLEM_MESSAGES[reason], params: { reason } });
});

function withinWindow(p: Pick<Argon2Params, 'memoryCost' | 'timeCost' | 'parallelism'>): boolean {
  const w = ARGON2_WINDOW;
  const mt = p.memoryCost * p.timeCost;
  return p.memoryCost >= w.memoryCost.min && p.memoryCost <= w.memoryCost.max &&
    p.timeCost >= w.timeCost.min && p.timeCost <= w.timeCost.max &&
    mt >= w.memoryTimeProduct.min && mt <= w.memoryTimeProduct.max &&
    p.parallelism >= w.parallelism.min && p.parallelism <= w.parallelism.max;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const VALUES = new Map([...ALPHABET].map((c, i) => [c, i]));

/** Unpadded standard base64, the PHC format's B64. */
export function encodeBase64Unpadded(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let k = 0; k < chars; k += 1) out += ALPHABET[(n >> (18 - 6 * k)) & 63];
  }
  return out;
}

/**
 * Decodes unpadded canonical standard base64, or returns null: no padding, no `-`/`_`, no
 * whitespace, no impossible length, and the unused trailing bits must be zero (as the SQL
 * re-encoding check demands).
 */
export function decodeBase64Unpadded(text: string): Uint8Array | null {
  if (text.length === 0 || text.length % 4 === 1) return null;
  const out = new Uint8Array(Math.floor((text.length * 6) / 8));
  let buffer = 0;
  let bits = 0;
  let index = 0;
  for (const char of text) {
    const value = VALUES.get(char);
    if (value === undefined) return null;
    buffer = ((buffer << 6) | value) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[index++] = (buffer >> bits) & 0xff;
    }
  }
  if ((buffer & ((1 << bits) - 1)) !== 0) return null;
  return out;
}
