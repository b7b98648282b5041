// The limits of the typed client's parameters, as the database checks them. The zod schemas
// (schemas.ts, brand-schemas.ts, secrets.ts) are built from these, and the CLI says them in its
// rules; this file imports nothing, so the CLI can read it without loading zod (`--help` stays instant).

/** A scope: resource:action in lower case, 3 to 64 characters; a credential holds 1 to 50 distinct ones. */
export const SCOPE_PATTERN = /^[a-z][a-z0-9_.-]*:[a-z][a-z0-9_.-]*$/;
export const SCOPE_LENGTH = { min: 3, max: 64 } as const;
export const MAX_SCOPES = 50;
/** A client id: 3 to 128 characters of A-Z a-z 0-9 . _ - */
export const CLIENT_ID_LENGTH = { min: 3, max: 128 } as const;
export const CLIENT_ID_PATTERN = new RegExp(`^[A-Za-z0-9._-]{${CLIENT_ID_LENGTH.min},${CLIENT_ID_LENGTH.max}}$`);
/** Trimmed text, in characters: a credential's name, a reason (kept in the audit trail), a brand's name. */
export const CREDENTIAL_NAME_MAX = 120;
export const REASON_MAX = 500;
export const BRAND_NAME_MAX = 200;
/** A member's e-mail: 3 to 320 characters (trimmed) with an @. */
export const EMAIL_LENGTH = { min: 3, max: 320 } as const;
/** Items per page of every list. */
export const PAGE_LIMIT_MAX = 200;
/** Credentials one bulk revocation may name. */
export const MAX_CREDENTIAL_IDS = 1000;
/** Why a credential was revoked (SPEC §13). */
export const REVOCATION_REASON_CODES = ['unspecified', 'key_compromise', 'superseded', 'integration_retired', 'policy_violation', 'unused'] as const;
/** How long the previous secret keeps working after a rotation: 0 (none) to 604800 s (7 days). */
export const MAX_GRACE_SECONDS = 604_800;
/** A secret's name: 1–100 characters of A-Z a-z 0-9 space . _ - after trimming, as the database checks it. */
export const SECRET_NAME_MAX = 100;
export const SECRET_NAME_PATTERN = new RegExp(`^[A-Za-z0-9 ._-]{1,${SECRET_NAME_MAX}}$`);
/** A value is 1–16384 bytes of UTF-8, kept as given (no trimming). */
export const SECRET_VALUE_MAX_BYTES = 16384;
export const SECRET_DESCRIPTION_MAX = 500;
