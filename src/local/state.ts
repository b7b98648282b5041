import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generateSigningKey } from '../secrets/signing-key.js';

/** Reads a file of the state directory, or creates it (owner-only) from `make` on first use. */
async function readOrCreate(stateDir: string, name: string, make: () => Promise<string>): Promise<{ value: string; created: boolean }> {
  const file = path.join(stateDir, name);
  try {
    return { value: (await readFile(file, 'utf8')).trim(), created: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(stateDir, { recursive: true, mode: 0o755 });
  const value = await make();
  await writeFile(file, `${value}\n`, { mode: 0o600, flag: 'wx' });
  await chmod(file, 0o600);
  return { value, created: true };
}

/**
 * The local token signing keys (a JSON array of private JWKs, as MINTID_SIGNING_KEYS holds them),
 * created on the first start and kept in `.mintid/signing-keys.json` (mode 0600).
 */
export function localSigningKeys(stateDir: string) {
  return readOrCreate(stateDir, 'signing-keys.json', async () => JSON.stringify([await generateSigningKey()]));
}

/** A random password for the `authenticator` login on a DATABASE_URL server, kept in `.mintid/`. */
export async function localAuthenticatorPassword(stateDir: string): Promise<string> {
  return (await readOrCreate(stateDir, 'authenticator-password', async () => randomBytes(24).toString('base64url'))).value;
}

/** A random password for the `supabase_auth_admin` login (local /auth/v1) on a DATABASE_URL server, kept in `.mintid/`. */
export async function localAuthAdminPassword(stateDir: string): Promise<string> {
  return (await readOrCreate(stateDir, 'auth-admin-password', async () => randomBytes(24).toString('base64url'))).value;
}
