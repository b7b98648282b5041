import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Sql } from 'postgres';
import { packageRoot } from '../package-root.js';

/** Passwords the platform sets; both optional (an empty string keeps what the server has). */
export interface PlatformOptions {
  /** Password for the `authenticator` login the gateway connects as. */
  authenticatorPassword?: string;
  /** Password for the migration owner when this creates it as a login (the embedded server). */
  ownerPassword?: string;
  /** Password for the `supabase_auth_admin` login of the local /auth/v1 routes (src/local/auth.sql). */
  authAdminPassword?: string;
}

export interface Platform {
  /** The non-superuser role that owns the migrations, like hosted Supabase's `postgres`. */
  ownerRole: string;
}

// Read from the sources in the build too (tsc copies no .sql files).
const platformSqlUrl = path.join(packageRoot, 'src/local/platform.sql');
const authSqlUrl = path.join(packageRoot, 'src/local/auth.sql');
/** The local stand-in for Supabase Vault, applied where the `supabase_vault` extension is absent. */
const vaultSqlUrl = path.join(packageRoot, 'src/local/vault.sql');

/**
 * Chooses the migration owner: `postgres` where it is not a superuser (hosted Supabase, the
 * embedded server, where it is created), else `mintid_owner` (a plain PostgreSQL whose `postgres`
 * is the superuser). A non-superuser session owns the migrations itself.
 */
async function chooseOwnerRole(sql: Sql): Promise<{ ownerRole: string; superuser: boolean }> {
  const [session] = await sql<{ superuser: boolean; user: string; postgres_super: boolean | null }[]>`
    select (select rolsuper from pg_roles where rolname = current_user) as superuser,
           current_user as user,
           (select rolsuper from pg_roles where rolname = 'postgres') as postgres_super`;
  if (!session!.superuser) return { ownerRole: session!.user, superuser: false };
  return { ownerRole: session!.postgres_super ? 'mintid_owner' : 'postgres', superuser: true };
}

async function platformMissing(sql: Sql): Promise<string[]> {
  const [row] = await sql<{ missing: string[] }[]>`
    select array_remove(array[
      case when not exists (select 1 from pg_roles where rolname = 'anon') then 'role anon' end,
      case when not exists (select 1 from pg_roles where rolname = 'authenticated') then 'role authenticated' end,
      case when not exists (select 1 from pg_roles where rolname = 'service_role') then 'role service_role' end,
      case when not exists (select 1 from pg_roles where rolname = 'authenticator') then 'role authenticator' end,
      case when to_regclass('auth.users') is null then 'table auth.users' end,
      case when to_regprocedure('auth.uid()') is null then 'function auth.uid()' end,
      case when to_regprocedure('auth.jwt()') is null then 'function auth.jwt()' end,
      case when not exists (select 1 from pg_extension where extname = 'pgcrypto') then 'extension pgcrypto' end,
      case when to_regprocedure('vault.create_secret(text, text, text, uuid)') is null
             or to_regclass('vault.decrypted_secrets') is null then 'Supabase Vault (vault.create_secret, vault.decrypted_secrets)' end
    ], null) as missing`;
  return row!.missing;
}

/** Sets the authenticator's password from a privileged non-superuser login, or explains why it cannot. */
async function setAuthenticatorPassword(sql: Sql, password: string): Promise<void> {
  try {
    // The password travels as a bind parameter, so no statement text (or server log line) holds it.
    await sql.begin(async (tx) => {
      await tx`select set_config('mintid.authenticator_password', ${password}, true)`;
      await tx.unsafe(`do $$ begin
        execute format('alter role authenticator with login password %L', current_setting('mintid.authenticator_password'));
      end $$`);
    });
  } catch (error) {
    throw new Error(
      `This login cannot set the password of the authenticator role (${(error as { code?: string }).code ?? 'error'}). ` +
        'Use a superuser DATABASE_URL for the local stack, or a login with CREATEROLE and ADMIN on authenticator.',
    );
  }
}

/**
 * Creates, where missing, what hosted Supabase already provides: the API roles, `authenticator`,
 * the `extensions` schema with pgcrypto, a minimal `auth` schema and the `vault` interface of
 * Supabase Vault (src/local/vault.sql). Needs a superuser unless
 * everything is already there (as on hosted Supabase, where this only checks).
 */
export async function ensurePlatform(sql: Sql, options: PlatformOptions = {}): Promise<Platform> {
  const { ownerRole, superuser } = await chooseOwnerRole(sql);
  if (!superuser) {
    const missing = await platformMissing(sql);
    if (missing.length > 0) {
      throw new Error(
        `The database lacks Supabase platform objects (${missing.join(', ')}) and this login is not a superuser ` +
          'that could create them. Point DATABASE_URL at a Supabase database, or at a superuser login.',
      );
    }
    if (options.authenticatorPassword) await setAuthenticatorPassword(sql, options.authenticatorPassword);
    return { ownerRole };
  }
  const [script, authScript, vaultScript] = await Promise.all(
    [platformSqlUrl, authSqlUrl, vaultSqlUrl].map((file) => readFile(file, 'utf8')));
  await sql.begin(async (tx) => {
    await tx`select set_config('mintid.owner_role', ${ownerRole}, true),
                    set_config('mintid.owner_password', ${options.ownerPassword ?? ''}, true),
                    set_config('mintid.authenticator_password', ${options.authenticatorPassword ?? ''}, true),
                    set_config('mintid.auth_admin_password', ${options.authAdminPassword ?? ''}, true),
                    pg_advisory_xact_lock(hashtext('mintid.platform'))`;
    await tx.unsafe(script!);
    await tx.unsafe(authScript!);
    // Where the real Supabase Vault extension is installed, it is used as it is.
    const [vault] = await tx<{ installed: boolean }[]>`
      select exists (select 1 from pg_extension where extname = 'supabase_vault') as installed`;
    if (!vault!.installed) await tx.unsafe(vaultScript!);
  });
  return { ownerRole };
}
