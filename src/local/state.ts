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

/** The logins of the embedded server, each with its own random password. */
export interface EmbeddedPasswords {
  /** `supabase_admin`, the superuser. */
  superuser: string;
  /** `postgres`, the migration owner and SQL-console login. */
  owner: string;
  authenticator: string;
  /** `supabase_auth_admin`, the login of the local /auth/v1 routes. */
  authAdmin: string;
}

/**
 * Random per-install passwords of the embedded server's logins (never the well-known `postgres`:
 * any local user could log in as the superuser and run programs as you), created on first use
 * in `.mintid/embedded-passwords.json` (mode 0600). `created` tells an install that predates the
 * file, whose server still has the old demo passwords, to change them.
 */
export async function localEmbeddedPasswords(stateDir: string): Promise<{ value: EmbeddedPasswords; created: boolean }> {
  const make = () => randomBytes(24).toString('base64url');
  const name = path.join(stateDir, 'embedded-passwords.json');
  const file = await readOrCreate(stateDir, 'embedded-passwords.json',
    async () => JSON.stringify({ superuser: make(), owner: make(), authenticator: make(), authAdmin: make() }));
  const value = JSON.parse(file.value) as Partial<EmbeddedPasswords>;
  if (![value.superuser, value.owner, value.authenticator].every((p) => typeof p === 'string' && p.length >= 16)) {
    throw new Error(`${name} is damaged; delete it and the server's data (db/) to start afresh.`);
  }
  if (typeof value.authAdmin !== 'string') {
    // A file from before the local sign-in login existed: add its password.
    value.authAdmin = make();
    await writeFile(name, `${JSON.stringify(value)}\n`, { mode: 0o600 });
  }
  return { value: value as EmbeddedPasswords, created: file.created };
}

/** A random password for the `authenticator` login on a DATABASE_URL server, kept in `.mintid/`. */
export async function localAuthenticatorPassword(stateDir: string): Promise<string> {
  return (await readOrCreate(stateDir, 'authenticator-password', async () => randomBytes(24).toString('base64url'))).value;
}

/** A random password for the `supabase_auth_admin` login (local /auth/v1) on a DATABASE_URL server, kept in `.mintid/`. */
export async function localAuthAdminPassword(stateDir: string): Promise<string> {
  return (await readOrCreate(stateDir, 'auth-admin-password', async () => randomBytes(24).toString('base64url'))).value;
}
