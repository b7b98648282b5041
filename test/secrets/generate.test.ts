import { describe, expect, it } from 'vitest';
import {
  CLIENT_ID_PREFIX, generateClientId, generateClientSecret, isWellFormedClientSecret,
} from '../../src/secrets/generate.js';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** The secret with the character at `index` replaced by a different base62 character. */
function changeCharacter(secret: string, index: number, step = 1): string {
  const current = BASE62.indexOf(secret[index]!);
  return secret.slice(0, index) + BASE62[(current + step) % 62] + secret.slice(index + 1);
}

describe('generateClientSecret', () => {
  it('starts with the mintid_ prefix and has 56 base62 characters after it in total', () => {
    const secret = generateClientSecret();
    expect(secret.startsWith('mintid_')).toBe(true);
    expect(secret).toMatch(/^mintid_[0-9A-Za-z]{49}$/);
    expect(secret).toHaveLength(56);
  });

  it('carries at least 256 bits of randomness (43 base62 characters before the checksum)', () => {
    expect(43 * Math.log2(62)).toBeGreaterThanOrEqual(256);
  });

  it('never repeats across many secrets', () => {
    const secrets = new Set(Array.from({ length: 2000 }, generateClientSecret));
    expect(secrets.size).toBe(2000);
  });

  it('uses every base62 character with roughly equal frequency (entropy sanity check)', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 2000; i += 1) {
      for (const c of generateClientSecret().slice(7, 50)) counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    expect(counts.size).toBe(62);
    const expected = (2000 * 43) / 62; // ≈ 1387 per character
    for (const count of counts.values()) {
      expect(count).toBeGreaterThan(expected * 0.8);
      expect(count).toBeLessThan(expected * 1.2);
    }
  });

  it('is recognised as well formed', () => {
    for (let i = 0; i < 100; i += 1) expect(isWellFormedClientSecret(generateClientSecret())).toBe(true);
  });
});

describe('isWellFormedClientSecret', () => {
  it('detects any single changed character in the random part or the checksum', () => {
    const secret = generateClientSecret();
    for (let index = 7; index < secret.length; index += 1) {
      expect(isWellFormedClientSecret(changeCharacter(secret, index)), `position ${index}`).toBe(false);
    }
  });

  it('detects two swapped adjacent characters', () => {
    let secret = generateClientSecret();
    while (secret[20] === secret[21]) secret = generateClientSecret();
    const swapped = secret.slice(0, 20) + secret[21] + secret[20] + secret.slice(22);
    expect(isWellFormedClientSecret(swapped)).toBe(false);
  });

  it('refuses another prefix, a truncated or extended secret, and non-strings', () => {
    const secret = generateClientSecret();
    expect(isWellFormedClientSecret(`mintix_${secret.slice(7)}`)).toBe(false);
    expect(isWellFormedClientSecret(secret.slice(7))).toBe(false);
    expect(isWellFormedClientSecret(secret.slice(0, -1))).toBe(false);
    expect(isWellFormedClientSecret(`${secret}0`)).toBe(false);
    expect(isWellFormedClientSecret(` ${secret}`)).toBe(false);
    expect(isWellFormedClientSecret(undefined)).toBe(false);
    expect(isWellFormedClientSecret(42)).toBe(false);
  });

  it('refuses a secret whose random part contains a character outside base62', () => {
    const secret = generateClientSecret();
    expect(isWellFormedClientSecret(`${secret.slice(0, 10)}-${secret.slice(11)}`)).toBe(false);
  });
});

describe('generateClientId', () => {
  it('produces a valid client id with the default prefix', () => {
    const id = generateClientId();
    expect(id.startsWith(CLIENT_ID_PREFIX)).toBe(true);
    expect(id).toMatch(/^mintid_ci_[0-9A-Za-z]{22}$/);
  });

  it('accepts a custom prefix and stays within the database pattern', () => {
    expect(generateClientId('erp.sync-')).toMatch(/^erp\.sync-[0-9A-Za-z]{22}$/);
    expect(generateClientId('')).toMatch(/^[A-Za-z0-9._-]{3,128}$/);
  });

  it('never repeats', () => {
    expect(new Set(Array.from({ length: 1000 }, () => generateClientId())).size).toBe(1000);
  });

  it('refuses a prefix with characters the database refuses', () => {
    expect(() => generateClientId('erp sync/')).toThrow(RangeError);
  });

  it('refuses a prefix that would make the id longer than 128 characters', () => {
    expect(() => generateClientId('x'.repeat(107))).toThrow(RangeError);
    expect(generateClientId('x'.repeat(106))).toHaveLength(128);
  });
});
