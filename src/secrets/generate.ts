// Client secrets and client ids. Browser-safe: only crypto.getRandomValues and plain arithmetic.

/** Every client secret starts with this, so secret scanners can recognise a leaked one. */
export const CLIENT_SECRET_PREFIX = 'mintid_';
/** The default prefix of generated client ids. */
export const CLIENT_ID_PREFIX = 'mintid_ci_';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** 43 base62 characters carry 43·log2(62) ≈ 256.03 bits. */
const SECRET_RANDOM_LENGTH = 43;
/** CRC32 < 2^32 < 62^6, so six base62 digits hold any checksum. */
const CHECKSUM_LENGTH = 6;
const CLIENT_ID_RANDOM_LENGTH = 22; // ≈ 131 bits
const SECRET_PATTERN = new RegExp(`^${CLIENT_SECRET_PREFIX}[0-9A-Za-z]{${SECRET_RANDOM_LENGTH + CHECKSUM_LENGTH}}$`);
const CLIENT_ID_PATTERN = /^[A-Za-z0-9._-]{3,128}$/;

/**
 * A new client secret: `mintid_`, 43 uniformly random base62 characters (≥ 256 bits), then a
 * 6-character base62 CRC32 of the random part. The checksum lets a scanner tell a real secret
 * from random text offline; it adds no secrecy. Length: 56 characters.
 */
export function generateClientSecret(): string {
  const random = randomBase62(SECRET_RANDOM_LENGTH);
  return `${CLIENT_SECRET_PREFIX}${random}${checksum(random)}`;
}

/** True when the text has the shape of a MintID client secret and its checksum matches. */
export function isWellFormedClientSecret(text: unknown): boolean {
  if (typeof text !== 'string' || !SECRET_PATTERN.test(text)) return false;
  const random = text.slice(CLIENT_SECRET_PREFIX.length, CLIENT_SECRET_PREFIX.length + SECRET_RANDOM_LENGTH);
  return checksum(random) === text.slice(-CHECKSUM_LENGTH);
}

/**
 * A new client id: the prefix followed by 22 random base62 characters, e.g.
 * `mintid_ci_4fZ…`. The prefix must itself be made of `A-Za-z0-9._-` and leave room for the
 * random part within the 128-character limit the database enforces.
 */
export function generateClientId(prefix: string = CLIENT_ID_PREFIX): string {
  const id = `${prefix}${randomBase62(CLIENT_ID_RANDOM_LENGTH)}`;
  if (!CLIENT_ID_PATTERN.test(id)) {
    throw new RangeError('client id prefix must be at most 106 characters of A-Z, a-z, 0-9, ".", "_" or "-"');
  }
  return id;
}

/** Uniform base62 text by rejection sampling (bytes ≥ 248 are dropped, so `% 62` has no bias). */
function randomBase62(length: number): string {
  let out = '';
  const buffer = new Uint8Array(length * 2);
  while (out.length < length) {
    crypto.getRandomValues(buffer);
    for (const byte of buffer) {
      if (byte < 248) out += BASE62[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

/** CRC32 (IEEE) of the ASCII text as fixed-width base62. */
function checksum(ascii: string): string {
  let value = crc32(ascii);
  let out = '';
  for (let i = 0; i < CHECKSUM_LENGTH; i += 1) {
    out = BASE62[value % 62] + out;
    value = Math.floor(value / 62);
  }
  return out;
}

let crcTable: Uint32Array | undefined;
function crc32(ascii: string): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n += 1) {
      let c = n;
      for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < ascii.length; i += 1) crc = crcTable[(crc ^ ascii.charCodeAt(i)) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
