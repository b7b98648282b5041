/**
 * The closed set of errors the credentials client throws. Each has a stable `code` for `switch`;
 * invalid input and conflict carry the database's machine `reason` (see the README's table).
 */
export type MintIdErrorCode =
  | 'not_authenticated'
  | 'forbidden'
  | 'invalid_input'
  | 'conflict'
  | 'transport'
  | 'unexpected';

/** What a PostgREST error body holds (supabase-js's PostgrestError has the same fields). */
export interface PostgrestErrorLike {
  code?: string | null;
  message?: string | null;
  details?: string | null;
  hint?: string | null;
}

export abstract class MintIdError extends Error {
  abstract readonly code: MintIdErrorCode;
  /** HTTP status of the response; 0 when no response arrived. */
  readonly status: number;
  /** Machine reason from the database (`details`), e.g. `client_id_taken`; null if none. */
  readonly reason: string | null;
  /** What the caller can do about it. */
  readonly hint: string | null;
  /** The PostgREST / PostgreSQL error code (e.g. `PT409`, `PGRST301`), if any. */
  readonly postgrestCode: string | null;

  constructor(message: string, init: { status: number; reason?: string | null; hint?: string | null; postgrestCode?: string | null }) {
    super(message);
    this.name = new.target.name;
    this.status = init.status;
    this.reason = init.reason ?? null;
    this.hint = init.hint ?? null;
    this.postgrestCode = init.postgrestCode ?? null;
  }
}

/** 401: no valid session, an expired JWT, anon, or a JWT without a user id. */
export class NotAuthenticatedError extends MintIdError {
  readonly code = 'not_authenticated' as const;
}
/** 403: signed in, but not owner/admin of the brand (or not the service role). */
export class ForbiddenError extends MintIdError {
  readonly code = 'forbidden' as const;
}
/** 400: a parameter broke an input rule; `reason` names which (e.g. `scope_invalid`). */
export class InvalidInputError extends MintIdError {
  readonly code = 'invalid_input' as const;
  /**
   * For a refusal by the client's own checks (reason `client_validation`): the parameter refused,
   * as its path in the call's params (`scopes.0`, `expiresAt`); null for the server's refusals.
   */
  readonly field: string | null;
  /**
   * Every parameter path the client's own checks refused (`scopes.0`, `scopes.2`), `field` first;
   * empty for the server's refusals. Paths only: a refused value is never copied into the error.
   */
  readonly fields: readonly string[];

  constructor(message: string, init: { status: number; reason?: string | null; hint?: string | null; postgrestCode?: string | null; field?: string | null; fields?: readonly string[] }) {
    super(message, init);
    this.field = init.field ?? null;
    this.fields = init.fields ?? (this.field ? [this.field] : []);
  }
}
/** 409: the state forbids it (`client_id_taken`, `credential_revoked`, `credential_expired`, `secret_unchanged`). */
export class ConflictError extends MintIdError {
  readonly code = 'conflict' as const;
}
/** No usable answer from the server: network failure, or the database/gateway unavailable (502–504). */
export class TransportError extends MintIdError {
  readonly code = 'transport' as const;
}
/** Anything else: a 5xx from the database, or a response that does not match the contract. */
export class UnexpectedError extends MintIdError {
  readonly code = 'unexpected' as const;
}

/** Turns a supabase-js `rpc()` error and its status into one of the classes above. */
export function toMintIdError(error: PostgrestErrorLike, status: number): MintIdError {
  const message = error.message || `Request failed with status ${status}`;
  // supabase-js reports a network failure as status 0 with the stack trace in `details`: not a reason.
  if (status === 0) {
    return new TransportError(message, { status, hint: 'Check the API URL and that the server is running.' });
  }
  const init = { status, reason: error.details ?? null, hint: error.hint ?? null, postgrestCode: error.code ?? null };
  if (status === 502 || status === 503 || status === 504) return new TransportError(message, init);
  if (status === 401) return new NotAuthenticatedError(message, init);
  if (status === 403) return new ForbiddenError(message, init);
  if (status === 400 && error.code === '22023') return new InvalidInputError(message, init);
  if (status === 409) return new ConflictError(message, init);
  return new UnexpectedError(message, init);
}
