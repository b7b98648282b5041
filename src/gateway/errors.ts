import { redactDatabaseError } from './redact.js';

/**
 * Every failure the gateway answers, in PostgREST's wire shape `{code, message, details, hint}`,
 * and the single SQLSTATE→HTTP mapping (POSTGREST.md §5). Nothing else in the gateway picks a
 * status for a database error.
 */

/** The PostgREST error body. */
export interface ErrorBody {
  code: string;
  message: string;
  details: string | null;
  hint: string | null;
}

/** An error answered as-is: status, PostgREST body and extra headers (WWW-Authenticate, …). */
export class ApiError extends Error {
  readonly status: number;
  readonly body: ErrorBody;
  readonly headers: Record<string, string>;

  constructor(status: number, body: ErrorBody, headers: Record<string, string> = {}) {
    super(body.message);
    this.name = 'ApiError';
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}

/** A PostgREST-generated error (PGRSTxxx) with optional details and hint. */
export function pgrst(status: number, code: string, message: string, details: string | null = null, hint: string | null = null,
  headers: Record<string, string> = {}): ApiError {
  return new ApiError(status, { code, message, details, hint }, headers);
}

/** PGRST301/303: a token that cannot be used; the message travels in WWW-Authenticate too. */
export function jwtError(code: 'PGRST301' | 'PGRST303', message: string, details: string | null = null): ApiError {
  const description = message.replace(/["\\]/g, '\\$&');
  return pgrst(401, code, message, details, null, {
    'WWW-Authenticate': `Bearer error="invalid_token", error_description="${description}"`,
  });
}

/** Connection-level failures of postgres.js (the server is gone or unreachable). */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN',
  'CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_DESTROYED', 'CONNECTION_ENDED',
]);

/**
 * admin_shutdown, crash_shutdown, cannot_connect_now: the server went away under a session or
 * refuses connections while starting. PostgREST reports them as connection errors (PGRST000/001,
 * 503) because they reach it at connect or through its pool; the table below would say 500 for two.
 */
const RESTARTING_CODES = new Set(['57P01', '57P02', '57P03']);

/** How long a client should wait before retrying a 503 (seconds). */
export const RETRY_AFTER_SECONDS = 1;

/**
 * PostgREST's mapSQLtoHTTP, checked top to bottom. `authenticated` means the effective role is
 * not the anon role: 42501 is then 403 ("you may not"), else 401 ("who are you?").
 */
export function statusForSqlState(code: string, message: string, authenticated: boolean): number {
  const is = (...prefixes: string[]) => prefixes.some((p) => code.startsWith(p));
  if (is('08')) return 503;
  if (is('09')) return 500;
  if (is('0L', '0P')) return 403;
  if (code === '23503' || code === '23505') return 409;
  if (code === '25006') return 405;
  if (code === '21000') return message.endsWith('requires a WHERE clause') ? 400 : 500;
  if (code === '22023') return message.startsWith('role') && message.endsWith('does not exist') ? 401 : 400;
  if (is('25')) return 500;
  if (is('28')) return 403;
  if (is('2D', '38', '39', '3B', '40')) return 500;
  if (code === '53400') return 500;
  if (is('53')) return 503;
  if (is('54', '55')) return 500;
  if (code === '57P01') return 503;
  if (is('57', '58', 'F0', 'HV')) return 500;
  if (code === 'P0001') return 400;
  if (is('P0', 'XX')) return 500;
  if (code === '42883') return message.startsWith('function xmlagg(') ? 406 : 404;
  if (code === '42P01') return 404;
  if (code === '42P17') return 500;
  if (code === '42501') return authenticated ? 403 : 401;
  if (is('PT')) return /^PT\d{3}$/.test(code) ? Number(code.slice(2)) : 500;
  return 400;
}

interface DatabaseErrorLike {
  code?: unknown;
  message?: unknown;
  detail?: unknown;
  hint?: unknown;
  severity?: unknown;
  where?: unknown;
}

const textOrNull = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** True when the error means "no usable database connection" rather than a failed statement. */
export function isConnectionError(error: unknown): boolean {
  const e = error as DatabaseErrorLike | null;
  return !!e && typeof e === 'object' && e.severity === undefined && typeof e.code === 'string' && CONNECTION_CODES.has(e.code);
}

const PGRST121 = 'Could not parse JSON in the "RAISE SQLSTATE \'PGRST\'" error';
const MESSAGE_HINT = "MESSAGE must be a JSON object with obligatory keys: 'code', 'message' and optional keys: 'details', 'hint'.";
const DETAIL_HINT = "DETAIL must be a JSON object with obligatory keys: 'status', 'headers' and optional key: 'status_text'.";

function parseJson(text: string | null): unknown {
  if (text === null) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const optionalString = (v: unknown) => v === undefined || typeof v === 'string';

/** `RAISE SQLSTATE 'PGRST'`: status, headers and body fully chosen by the function (§5.3). */
function customRaise(message: string, detail: string | null): ApiError {
  const body = parseJson(message);
  if (!isRecord(body) || typeof body.code !== 'string' || typeof body.message !== 'string'
    || !optionalString(body.details) || !optionalString(body.hint)) {
    return pgrst(500, 'PGRST121', PGRST121, `Invalid JSON value for MESSAGE: '${message}'`, MESSAGE_HINT);
  }
  if (detail === null) return pgrst(500, 'PGRST121', PGRST121, 'DETAIL is missing in the RAISE statement', DETAIL_HINT);
  const meta = parseJson(detail);
  const headers = isRecord(meta) && isRecord(meta.headers) ? meta.headers : undefined;
  if (!isRecord(meta) || !Number.isInteger(meta.status) || !headers || !Object.values(headers).every((v) => typeof v === 'string')
    || !optionalString(meta.status_text)) {
    return pgrst(500, 'PGRST121', PGRST121, `Invalid JSON value for DETAIL: '${detail}'`, DETAIL_HINT);
  }
  return new ApiError(meta.status as number, {
    code: body.code, message: body.message, details: textOrNull(body.details), hint: textOrNull(body.hint),
  }, headers as Record<string, string>);
}

/**
 * Turns whatever the database layer threw into the answer PostgREST would give: a PostgreSQL
 * error through the SQLSTATE table, a lost connection into 503 PGRST000 (or PGRST001 when the
 * connection broke while in use).
 */
export function fromDatabaseError(error: unknown, authenticated: boolean): ApiError {
  if (error instanceof ApiError) return error;
  const e = (error ?? {}) as DatabaseErrorLike;
  if (isConnectionError(error)) {
    const code = e.code === 'ECONNREFUSED' || e.code === 'CONNECT_TIMEOUT' || e.code === 'ENOTFOUND' ? 'PGRST000' : 'PGRST001';
    return pgrst(503, code, 'Database connection error. Retry later.', connectionDetails(e.code as string));
  }
  if (typeof e.code !== 'string' || e.severity === undefined) {
    return pgrst(500, 'PGRSTX00', 'Internal server error', null, null);
  }
  const message = String(e.message ?? '');
  const detail = textOrNull(e.detail);
  if (e.code === 'PGRST') return customRaise(message, detail);
  // The database is restarting or shutting down (at connect, or killing our session): retry later.
  if (RESTARTING_CODES.has(e.code) && (e.severity === 'FATAL' || e.severity === 'PANIC')) {
    return pgrst(503, e.code === '57P03' ? 'PGRST000' : 'PGRST001', 'Database connection error. Retry later.', 'the database server is restarting');
  }
  const status = statusForSqlState(e.code, message, authenticated);
  const headers: Record<string, string> = status === 401 ? { 'WWW-Authenticate': 'Bearer' } : {};
  return new ApiError(status, redactDatabaseError({ code: e.code, message, details: detail, hint: textOrNull(e.hint) }, textOrNull(e.where)), headers);
}

/** A short, secret-free description of a connection failure. */
function connectionDetails(code: string): string {
  if (code === 'ECONNREFUSED') return 'connection refused: the database server is not accepting connections';
  if (code === 'CONNECT_TIMEOUT') return 'timed out while connecting to the database server';
  return `the database connection failed (${code})`;
}

/** Serialises an error with the headers PostgREST v14 puts on every error response. */
export function errorResponse(error: ApiError, method = 'GET'): Response {
  const text = JSON.stringify(error.body);
  const headers = new Headers(error.headers);
  headers.set('Content-Type', 'application/json; charset=utf-8');
  headers.set('Proxy-Status', `PostgREST; error=${error.body.code}`);
  if (error.status === 503) headers.set('Retry-After', String(RETRY_AFTER_SECONDS));
  const status = error.status >= 200 && error.status <= 599 ? error.status : 500;
  if (method === 'HEAD') return new Response(null, { status, headers });
  headers.set('Content-Length', String(Buffer.byteLength(text)));
  return new Response(text, { status, headers });
}
