/**
 * Why local sign-in cannot work right now, in words an operator can act on. The /auth/v1 routes
 * reach the database as their own login (`supabase_auth_admin`, set up by the platform step only
 * when it runs as a superuser); when that login is refused, the local auth functions are missing,
 * or the database is away, every route answers 503 `local_signin_unavailable` with this text
 * instead of a 500. Never a URL, a password or the driver's own message (it may quote either).
 */

/** What to do when the login itself is the problem (the platform step could not prepare it). */
const NEEDS_SUPERUSER = 'Local sign-in needs the platform step to run as a superuser: use the embedded database '
  + '(leave DATABASE_URL unset) or a DATABASE_URL of a superuser, then restart.';

export interface Unavailable {
  /** Stable key of the cause, for logging each cause once. */
  cause: 'login_refused' | 'login_missing' | 'functions_missing' | 'database_unreachable';
  /** Sentence for the error message and the log: why, and what to do. */
  why: string;
  /** Seconds to wait before retrying, for causes that heal by themselves. */
  retryAfter?: number;
}

const UNREACHABLE = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EAI_AGAIN',
  'CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED',
  // admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections
  '57P01', '57P02', '57P03', '53300',
]);

/** The cause when `error` (from the session store) means local sign-in is unavailable; else null (a bug: 500). */
export function signInUnavailable(error: unknown): Unavailable | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return null;
  // invalid_password: the login exists but its password is not the one this stack holds.
  if (code === '28P01') {
    return { cause: 'login_refused', why: `the database refused the supabase_auth_admin login (wrong password). ${NEEDS_SUPERUSER}` };
  }
  // invalid_authorization_specification: no such role, no LOGIN, or pg_hba refuses it.
  if (code === '28000') {
    return { cause: 'login_missing', why: `the database has no supabase_auth_admin login this stack may use. ${NEEDS_SUPERUSER}` };
  }
  // undefined_function, invalid_schema_name, undefined_table, insufficient_privilege: auth.local_* not installed here.
  if (code === '42883' || code === '3F000' || code === '42P01' || code === '42501') {
    return { cause: 'functions_missing', why: `the database lacks the local auth functions (auth.local_*). ${NEEDS_SUPERUSER}` };
  }
  if (UNREACHABLE.has(code)) {
    return { cause: 'database_unreachable', why: 'the database cannot be reached right now. Try again shortly.', retryAfter: 5 };
  }
  return null;
}
