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
      user: result.user as AuthUser, refreshToken,
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
    return result ? { user: result.user, sessionExists: result.session_exists } : undefined;
  }

  async logout(userId: string, sessionId: string | undefined, scope: 'global' | 'local' | 'others'): Promise<void> {
    await this.sql`select auth.local_logout(${userId}::uuid, ${sessionId ?? null}::uuid, ${scope})`;
  }

  /** Sets a password where the user has none; true when it did. */
  async setMissingPassword(userId: string, password: string): Promise<boolean> {
    const [row] = await this.sql`select auth.local_set_missing_password(${userId}::uuid, ${password}) as changed`;
    return row!.changed as boolean;
  }

  close(): Promise<void> {
    return this.sql.end({ timeout: 5 });
  }
}
