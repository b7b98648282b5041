/**
 * Supabase Auth's error answers (supabase/auth internal/api/errors.go, HandleResponseError), so
 * supabase-js's auth client reads them exactly as it reads hosted ones:
 *
 * - a request with `X-Supabase-Api-Version: 2024-01-01` or later (supabase-js always sends it)
 *   gets `{"code": "<error_code>", "message": "…"}` and the version echoed in the response header;
 * - any other request gets the initial shape `{"code": <status>, "error_code": "…", "msg": "…"}`;
 * - OAuth-style refusals (`refresh_token required`) are `{"error", "error_description"}` in both.
 */

export const API_VERSION_HEADER = 'X-Supabase-Api-Version';
const API_VERSION_2024 = Date.UTC(2024, 0, 1);

/** The closest API version Supabase Auth would pick for the request's header: '2024-01-01' or none. */
export function requestApiVersion(req: Request): '2024-01-01' | undefined {
  const value = req.headers.get(API_VERSION_HEADER);
  if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  const parsed = Date.parse(`${value}T00:00:00Z`);
  return Number.isFinite(parsed) && parsed >= API_VERSION_2024 ? '2024-01-01' : undefined;
}

/** The error codes the local /auth/v1 routes answer with (a subset of Supabase Auth's). */
export type AuthErrorCode =
  | 'bad_json' | 'bad_jwt' | 'email_address_invalid' | 'email_not_confirmed' | 'invalid_credentials'
  | 'local_signin_unavailable' | 'no_authorization' | 'not_found' | 'method_not_allowed' | 'refresh_token_already_used'
  | 'refresh_token_not_found' | 'session_not_found' | 'unexpected_failure' | 'user_already_exists'
  | 'user_not_found' | 'validation_failed' | 'weak_password';

export function jsonResponse(req: Request, status: number, body: unknown, headers: Record<string, string> = {}): Response {
  const version = requestApiVersion(req);
  return new Response(JSON.stringify(body), {
    status,
    headers: {
      'Content-Type': 'application/json',
      'Cache-Control': 'no-store',
      ...(version ? { [API_VERSION_HEADER]: version } : {}),
      ...headers,
    },
  });
}

/** An HTTPError of Supabase Auth, in the shape the request's API version asks for. */
export function authError(req: Request, status: number, code: AuthErrorCode, message: string, extra: Record<string, unknown> = {}): Response {
  const body = requestApiVersion(req)
    ? { code, message, ...extra }
    : { code: status, error_code: code, msg: message, ...extra };
  return jsonResponse(req, status, body);
}

/** Supabase Auth's OAuthError: always 400, `{"error", "error_description"}`. */
export function oauthError(req: Request, error: string, description: string): Response {
  return jsonResponse(req, 400, { error, error_description: description });
}

/** The password rules' refusal (Supabase Auth's WeakPasswordError): 422 with the reasons. */
export function weakPassword(req: Request, message: string, reasons: string[]): Response {
  return authError(req, 422, 'weak_password', message, { weak_password: { reasons } });
}

/** Anything unexpected: Supabase Auth's 500, without the cause (it may name a secret). */
export function unexpectedFailure(req: Request): Response {
  return authError(req, 500, 'unexpected_failure', 'Unexpected failure, please check server logs for more information');
}

/**
 * Local sign-in cannot work (its database login is refused, its functions are missing, or the
 * database is away): 503 with a local code and the cause in words (src/local/auth/availability.ts).
 */
export function signInUnavailableResponse(req: Request, why: string, retryAfter?: number): Response {
  const response = authError(req, 503, 'local_signin_unavailable', `Local sign-in is unavailable: ${why}`);
  if (retryAfter !== undefined) response.headers.set('Retry-After', String(retryAfter));
  return response;
}

/** Thrown by the route helpers to answer with a ready response. */
export class AuthReply extends Error {
  constructor(readonly response: Response) {
    super('auth reply');
  }
}
