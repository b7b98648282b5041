import { createHash, randomBytes } from 'node:crypto';
import postgres, { type Sql } from 'postgres';

/** Supabase Auth's user object, as auth.local_user_json builds it. */
export type AuthUser = Record<string, unknown> & { id: string; email: string; app_metadata: Record<string, unknown>; user_metadata: Record<string, unknown> };

/** A session opened or refreshed: its id, its user, and the plaintext refresh token (shown once). */
export interface OpenedSession {
  sessionId: string;
  /** When the user signed in to this session (seconds since the epoch): the `amr` timestamp. */
  authenticatedAt: number;
  user: AuthUser;
  refreshToken: string;
}

export type GrantOutcome<E extends string> = OpenedSession | { error: E };

const USER_KEYS = ['id', 'aud', 'role', 'email', 'email_confirmed_at', 'phone', 'confirmed_at', 'last_sign_in_at',
  'app_metadata', 'user_metadata', 'identities', 'created_at', 'updated_at', 'is_anonymous'];
const IDENTITY_KEYS = ['identity_id', 'id', 'user_id', 'identity_data', 'provider', 'last_sign_in_at', 'created_at', 'updated_at', 'email'];

/** The object with its keys in the given order (jsonb sorts them; Supabase Auth writes its struct's order). */
function ordered(value: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) if (key in value) out[key] = value[key];
  for (const key of Object.keys(value)) if (!(key in out)) out[key] = value[key];
  return out;
}

/** Supabase Auth's user object in its field order. */
function userObject(raw: Record<string, unknown>): AuthUser {
  const identities = Array.isArray(raw.identities)
    ? raw.identities.map((identity: Record<string, unknown>) => ordered(identity, IDENTITY_KEYS))
    : raw.identities;
  return ordered({ ...raw, identities }, USER_KEYS) as AuthUser;
}

/** A fresh refresh token: 192 random bits, base64url (32 characters). */
function newRefreshToken(): string {
  return randomBytes(24).toString('base64url');
}

/** The only form of a refresh token the database ever sees. */
export function refreshTokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * The session store of the local /auth/v1 routes: a small pool logged in as `supabase_auth_admin`
 * calling the functions of src/local/auth.sql, each one statement (one transaction).
 */
export class SessionStore {
  readonly sql: Sql;

  constructor(databaseUrl: string) {
    this.sql = postgres(databaseUrl, {
      max: 4, fetch_types: false, prepare: false, connect_timeout: 5, idle_timeout: 60,
      onnotice: () => {}, connection: { application_name: 'mintid-auth' },
    });
  }

  private async grant<E extends string>(run: (refreshHash: string) => Promise<Record<string, unknown>>): Promise<GrantOutcome<E>> {
    const refreshToken = newRefreshToken();
    const result = await run(refreshTokenDigest(refreshToken));
    if (typeof result.error === 'string') return { error: result.error as E };
    return {
      sessionId: result.session_id as string, authenticatedAt: Number(result.authenticated_at),
      user: userObject(result.user as Record<string, unknown>), refreshToken,
    };
  }

  passwordGrant(email: string, password: string) {
    return this.grant<'invalid_credentials' | 'email_not_confirmed'>(async (hash) => {
      const [row] = await this.sql`select auth.local_password_grant(${email}, ${password}, ${hash}) as result`;
      return row!.result as Record<string, unknown>;
    });
  }

  refreshGrant(refreshToken: string) {
    return this.grant<'refresh_token_not_found' | 'refresh_token_already_used'>(async (hash) => {
      const [row] = await this.sql`select auth.local_refresh_grant(${refreshTokenDigest(refreshToken)}, ${hash}) as result`;
      return row!.result as Record<string, unknown>;
    });
  }

  signup(email: string, password: string, data: Record<string, unknown>) {
    return this.grant<'user_already_exists'>(async (hash) => {
      const [row] = await this.sql`select auth.local_signup(${email}, ${password}, ${this.sql.json(data as never)}, ${hash}) as result`;
      return row!.result as Record<string, unknown>;
    });
  }

  /** The user an access token names, and whether its session still exists; undefined = no such user. */
  async tokenSubject(userId: string, sessionId: string | undefined): Promise<{ user: AuthUser; sessionExists: boolean } | undefined> {
    const [row] = await this.sql`select auth.local_token_subject(${userId}::uuid, ${sessionId ?? null}::uuid) as result`;
    const result = row?.result as { user: AuthUser; session_exists: boolean } | null | undefined;
    return result ? { user: userObject(result.user), sessionExists: result.session_exists } : undefined;
  }

  async logout(userId: string, sessionId: string | undefined, scope: 'global' | 'local' | 'others'): Promise<void> {
    await this.sql`select auth.local_logout(${userId}::uuid, ${sessionId ?? null}::uuid, ${scope})`;
  }

  /** Sets a password where the user has none; true when it did. */
  async setMissingPassword(userId: string, password: string): Promise<boolean> {
    const [row] = await this.sql`select auth.local_set_missing_password(${userId}::uuid, ${password}) as changed`;
    return row!.changed as boolean;
  }

  /** Logs in and checks that the auth functions are there and executable (throws the driver's error otherwise). */
  async probe(): Promise<void> {
    await this.sql`select 'auth.local_password_grant(text, text, text)'::regprocedure,
                          has_function_privilege('auth.local_password_grant(text, text, text)', 'execute') as executable`
      .then(([row]) => {
        if (!row!.executable) throw Object.assign(new Error('auth.local_password_grant is not executable'), { code: '42501' });
      });
  }

  close(): Promise<void> {
    return this.sql.end({ timeout: 5 });
  }
}
