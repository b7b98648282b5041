// What the console says when something fails: plain words for a brand administrator, and where
// it helps the action to take in the console. One table, keyed by the stable codes of the API —
// the database's machine reason (`details`, docs/errors.md), then the typed client's error class,
// then supabase-js's auth codes. The server's own message and hint (SPEC §11) are the API's words
// for developers (they name RPCs and parameters such as `_brand_id`): the console shows them too,
// under "Details from the server", after its own words.
import { isAuthError } from '@supabase/supabase-js';
import { InvalidInputError, MintIdError } from '../../src/client/errors.js';
import { SCOPE_LENGTH, SCOPE_PATTERN } from '../../src/client/limits.js';

export interface ErrorText {
  /** What went wrong, in plain words. */
  message: string;
  /** What to do about it in the console; null when there is nothing useful to add. */
  action: string | null;
  /** The stable code it was chosen by (a reason, a class code or an auth code), for support and tests. */
  code: string;
  /** The server's own message and hint, when the server answered with an API error; else null. */
  server?: { message: string; hint: string | null } | null;
}

type Entry = readonly [message: string, action: string | null];

const RELOAD = 'Reload the page to see the current state.';
const NAME: Entry = ['The name is empty or too long.', 'Use 1 to 120 characters for a credential, 1 to 200 for a brand.'];
const EXPIRY_UNUSABLE: Entry = ['The expiry is not a usable date.', 'Pick a date and time before the year 9999, or leave it empty for no expiry.'];
const REASON: Entry = ['Give a reason of 1 to 500 characters.', 'It is kept in the audit trail.'];
const SECRET_NOT_PREPARED: Entry = ['The new secret could not be prepared in this browser.', 'Reload the page and try again.'];
const CREDENTIAL_GONE: Entry = ['This credential is not in this brand (any more).', RELOAD];
const MEMBER_GONE: Entry = ['This person is not a member of the brand (any more).', 'Reload the Members page.'];
const SECRET_GONE: Entry = ['This secret no longer exists.', 'Reload the Secrets page.'];
const BRAND_GONE: Entry = ['This brand could not be found.', 'Pick a brand from the Brand menu.'];
const SESSION_ENDED: Entry = ['Your session has ended.', 'Sign out, then sign in again.'];
const RECORD_FIXED: Entry = ['This record can no longer be changed.', RELOAD];

/** By the database's machine reason (docs/errors.md); the same words wherever the reason comes from. Exported for the test that checks every reason the migrations raise is here. */
export const BY_REASON: Record<string, Entry> = {
  // 401
  jwt_required: SESSION_ENDED, jwt_sub_missing: SESSION_ENDED, role_mismatch: SESSION_ENDED,
  // 403 (not_brand_admin is built below: it names the caller's role when the server told it)
  not_brand_owner: ['Only an owner of this brand can change its members.', 'Ask an owner to make the change, or to make you an owner on the Members page.'],
  owner_not_caller: ['You can only create brands that you own yourself.', null],
  service_role_required: ['A secret\'s value is for server-side code only; the console never shows it.', null],
  // 400
  brand_id_required: BRAND_GONE, brand_not_found: BRAND_GONE,
  credential_id_required: CREDENTIAL_GONE, credential_not_found: CREDENTIAL_GONE,
  name_required: NAME, name_length: NAME,
  name_invalid: ['Secret names are up to 100 letters, digits, spaces, dots, underscores and hyphens.', 'Change the name and save again.'],
  client_id_required: ['The client ID is not valid.', 'Close the dialog and create the credential again: the console makes a new client ID.'],
  client_id_invalid: ['The client ID is not valid.', 'Close the dialog and create the credential again: the console makes a new client ID.'],
  scopes_required: ['Give at least one scope.', 'Write scopes like products:read, separated by spaces or commas.'],
  scopes_count: ['Give 1 to 50 scopes.', 'Remove scopes the integration does not need.'],
  scope_invalid: ['A scope is not written as resource:action.', 'Write scopes in lower case, like products:read or orders.items:write.'],
  scopes_not_distinct: ['A scope is listed twice.', 'List each scope once.'],
  metadata_not_object: ['Metadata must be a JSON object.', 'Write it like {"team": "erp"}, or leave the field empty.'],
  metadata_too_large: ['The metadata is too large (at most 8 KB).', 'Keep only the keys you search by.'],
  expires_at_not_future: ['The expiry is in the past.', 'Pick a date and time in the future, or leave it empty for no expiry.'],
  expires_at_not_finite: EXPIRY_UNUSABLE, expires_at_out_of_range: EXPIRY_UNUSABLE,
  reason_required: REASON, reason_length: REASON,
  reason_code_invalid: ['That reason code is not one of the offered ones.', 'Choose a reason code from the list.'],
  grace_seconds_out_of_range: ['The grace period must be between none and 7 days.', 'Choose a shorter grace period.'],
  status_invalid: ['That status filter is not known.', 'Choose a status from the filter.'],
  limit_out_of_range: ['Too many rows were asked for at once.', RELOAD],
  cursor_invalid: ['This page of results is no longer valid.', 'Go back to the first page.'],
  selector_required: ['Select at least one credential.', null],
  too_many_credentials: ['At most 1000 credentials can be revoked at once.', 'Select fewer and revoke the rest in a second step.'],
  credential_ids_invalid: ['The selection of credentials is not valid.', 'Reload the page and select again.'],
  hash_required: SECRET_NOT_PREPARED, hash_not_argon2id: SECRET_NOT_PREPARED, hash_malformed: SECRET_NOT_PREPARED,
  hash_version_unsupported: SECRET_NOT_PREPARED, hash_params_out_of_range: SECRET_NOT_PREPARED,
  hash_base64_invalid: SECRET_NOT_PREPARED, hash_salt_length: SECRET_NOT_PREPARED, hash_length: SECRET_NOT_PREPARED,
  user_required: ['Sign in with your own account to see your brands.', null],
  owner_user_id_required: ['Sign in with your own account to create a brand.', null],
  user_not_found: ['No account has this e-mail address.', 'Ask the person to sign up first, then add them.'],
  email_required: ['Enter the person\'s e-mail address.', null],
  email_invalid: ['This is not an e-mail address.', 'Enter the address the person signed up with.'],
  role_invalid: ['Choose the role owner, admin or member.', null],
  user_id_required: MEMBER_GONE, member_not_found: MEMBER_GONE,
  secret_id_required: SECRET_GONE, secret_not_found: SECRET_GONE,
  value_invalid: ['The value must be 1 to 16384 bytes.', 'Shorten the value, or split it into several secrets.'],
  description_too_long: ['The description is too long (at most 500 characters).', 'Shorten the description.'],
  nothing_to_update: ['Nothing was changed.', 'Change the name, the value or the description, then save.'],
  // 409
  client_id_taken: ['This client ID is already taken.', 'Create the credential again: the console makes a new client ID.'],
  credential_revoked: ['This credential has already been revoked, so it can no longer be changed.', RELOAD],
  credential_expired: ['This credential has expired, so it can no longer be rotated.', 'Create a new credential instead; you may still revoke this one.'],
  secret_unchanged: ['The new secret is the same as the current one.', 'Rotate again.'],
  no_rotation_grace: ['There is no grace period to end: the previous secret already stopped working.', RELOAD],
  already_member: ['This person is already a member of the brand.', 'Change their role in the Members table instead.'],
  last_owner: ['The brand would be left without an owner.', 'Make another member an owner first.'],
  secret_name_taken: ['This brand already has a secret with this name (upper and lower case count as the same).', 'Choose another name, or edit the existing secret.'],
  secret_value_missing: ['This secret\'s value is missing.', 'Set a new value for it.'],
  credential_identity_immutable: RECORD_FIXED, credential_delete_forbidden: RECORD_FIXED, event_immutable: RECORD_FIXED,
  secret_deleted: RECORD_FIXED, secret_delete_forbidden: RECORD_FIXED, secret_identity_immutable: RECORD_FIXED, previous_secret_immutable: RECORD_FIXED,
};

/** By the typed client's error class, when the reason is not in the table. */
const BY_CLASS: Record<string, Entry> = {
  not_authenticated: SESSION_ENDED,
  forbidden: ['You are not allowed to do this in this brand.', 'Ask an owner of the brand for the role you need.'],
  invalid_input: ['Something in the form is not valid.', 'Check the fields and try again.'],
  conflict: ['This could not be done in the current state.', RELOAD],
  unexpected: ['Something went wrong on the server.', 'Try again. If it keeps happening, tell whoever runs your MintID server.'],
};
const NETWORK: Entry = ['The console could not reach the server.', 'Check your connection and try again.'];
const SERVER_AWAY: Entry = ['The server is unavailable for the moment.', 'Try again in a minute.'];

/** By supabase-js's auth error codes (docs/errors.md, local sign-in). */
const BY_AUTH_CODE: Record<string, Entry> = {
  invalid_credentials: ['Wrong e-mail or password.', null],
  weak_password: ['The password is too short.', 'Use at least 8 characters.'],
  user_already_exists: ['An account with this e-mail already exists.', 'Sign in instead.'],
  email_exists: ['An account with this e-mail already exists.', 'Sign in instead.'],
  email_address_invalid: ['This is not an e-mail address the server accepts.', null],
  email_not_confirmed: ['Your e-mail address is not confirmed yet.', 'Open the confirmation e-mail, then sign in.'],
  validation_failed: ['The e-mail or password is not valid.', 'Check both and try again.'],
  session_not_found: SESSION_ENDED, refresh_token_not_found: SESSION_ENDED, refresh_token_already_used: SESSION_ENDED,
  bad_jwt: SESSION_ENDED, user_not_found: SESSION_ENDED,
};
const SIGN_IN_UNAVAILABLE: Entry = ['Sign-in is unavailable on this server right now.', 'Ask whoever runs the server: its log says why.'];
const AUTH_FALLBACK: Entry = ['Signing in did not work.', 'Try again.'];

/** Fields of the typed client's parameters, for what it refuses before sending (reason `client_validation`). */
const BY_FIELD: Record<string, string> = {
  brandId: 'brand_not_found', credentialId: 'credential_not_found', credentialIds: 'credential_ids_invalid', name: 'name_length',
  clientId: 'client_id_invalid', clientSecretHash: 'hash_malformed', newSecretHash: 'hash_malformed', scopes: 'scope_invalid',
  metadata: 'metadata_not_object', metadataContains: 'metadata_not_object', expiresAt: 'expires_at_not_finite', reason: 'reason_length',
  reasonCode: 'reason_code_invalid', graceSeconds: 'grace_seconds_out_of_range', status: 'status_invalid', limit: 'limit_out_of_range',
  cursor: 'cursor_invalid', email: 'email_invalid', role: 'role_invalid', userId: 'member_not_found', secretId: 'secret_not_found',
  value: 'value_invalid', description: 'description_too_long',
};

const text = (entry: Entry, code: string): ErrorText => ({ message: entry[0], action: entry[1], code });

/** A 403 `not_brand_admin`: the role needed and, when the server named it, the role the caller holds. */
function notBrandAdmin(hint: string | null): ErrorText {
  const held = /Your role in this brand is (owner|admin|member)\b/.exec(hint ?? '')?.[1];
  if (held) {
    return {
      message: `Your role in this brand is ${held}. This needs the role owner or admin.`,
      action: 'Ask an owner of the brand to change your role (the person who added you knows who they are).',
      code: 'not_brand_admin',
    };
  }
  return {
    message: 'You are not an owner or admin of this brand, or it does not exist.',
    action: 'Pick another brand, or ask an owner of this brand to add you as an admin.',
    code: 'not_brand_admin',
  };
}

/**
 * What the person typed, as the refused call got it (e.g. `{ scopes: ['Products:Read', 'orders'] }`),
 * so a refusal can show their own input back to them in their browser. Only fields listed here
 * are ever shown; never pass a secret.
 */
export interface SubmittedInput {
  scopes?: readonly string[];
}

const quoted = (items: string[]) => items.map((item) => `“${item}”`);
const listed = (items: string[]) => (items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`);

/** A scope refused for its form: which ones, when the console knows what was typed. */
function scopeInvalid(paths: readonly string[], input: SubmittedInput | undefined): Entry {
  const offending = [...new Set(paths.filter((p) => /^scopes\.\d+$/.test(p))
    .map((p) => input?.scopes?.[Number(p.split('.')[1])]).filter((s): s is string => typeof s === 'string'))];
  if (offending.length === 0) return BY_REASON.scope_invalid!;
  // Well written but over the 64 characters a scope may have: say that, not "not resource:action".
  const tooLong = offending.filter((scope) => scope.length > SCOPE_LENGTH.max && SCOPE_PATTERN.test(scope));
  const badlyWritten = offending.filter((scope) => !tooLong.includes(scope));
  const sentences: string[] = [];
  if (badlyWritten.length) {
    const one = badlyWritten.length === 1;
    sentences.push(`The ${one ? 'scope' : 'scopes'} ${listed(quoted(badlyWritten))} ${one ? 'is' : 'are'} not written as resource:action.`);
  }
  if (tooLong.length) {
    const one = tooLong.length === 1;
    sentences.push(`The ${one ? 'scope' : 'scopes'} ${listed(quoted(tooLong))} ${one ? 'is' : 'are'} longer than ${SCOPE_LENGTH.max} characters.`);
  }
  return [sentences.join(' '), badlyWritten.length ? BY_REASON.scope_invalid![1] : `Shorten ${tooLong.length === 1 ? 'it' : 'them'} to at most ${SCOPE_LENGTH.max} characters.`];
}

/** The typed client's own refusal: the parameter it names (`field`, e.g. `scopes.0`) → the reason of that parameter. */
function clientValidation(error: MintIdError, input: SubmittedInput | undefined): ErrorText {
  // The client names the parameter in `field`; an error built without it (older client) says it in the message.
  const path = (error instanceof InvalidInputError ? error.field : null) ?? /^Invalid input: ([A-Za-z0-9_.]+)/.exec(error.message)?.[1] ?? '';
  const field = path.split('.')[0]!;
  let reason = BY_FIELD[field];
  if (field === 'scopes' && /distinct/.test(error.message)) reason = 'scopes_not_distinct';
  if (field === 'credentialIds' && /1000|too big/i.test(error.message)) reason = 'too_many_credentials';
  if (reason === 'scope_invalid') return text(scopeInvalid(error instanceof InvalidInputError && error.fields.length ? error.fields : [path], input), reason);
  if (reason && BY_REASON[reason]) return text(BY_REASON[reason]!, reason);
  return text(BY_CLASS.invalid_input!, 'client_validation');
}

/**
 * The plain words for any failure the console meets (never an RPC or parameter name), and the
 * server's own message and hint where it answered. `input` is what the person typed into the
 * refused form, for naming their own mistake ("The scope “orders” is not …").
 */
export function explainError(error: unknown, input?: SubmittedInput): ErrorText {
  if (error instanceof MintIdError) {
    if (error.reason === 'client_validation') return clientValidation(error, input);
    if (error.code !== 'transport') return { ...explainApiError(error), server: { message: error.message, hint: error.hint } };
  }
  return explainOther(error);
}

/** An error the API answered (not the typed client's own check, not a transport failure). */
function explainApiError(error: MintIdError): ErrorText {
  if (error.reason === 'not_brand_admin') return notBrandAdmin(error.hint);
  const byReason = error.reason ? BY_REASON[error.reason] : undefined;
  if (byReason) return text(byReason, error.reason!);
  return text(BY_CLASS[error.code] ?? BY_CLASS.unexpected!, error.code);
}

function explainOther(error: unknown): ErrorText {
  if (error instanceof MintIdError) {
    return text(error.status === 0 ? NETWORK : SERVER_AWAY, error.status === 0 ? 'network' : 'unavailable');
  }
  if (isAuthError(error)) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && BY_AUTH_CODE[code]) return text(BY_AUTH_CODE[code]!, code);
    const status = error.status ?? 0;
    // supabase-js reads no body for a 5xx (AuthRetryableFetchError): 0 is the network, 503 the local stack's local_signin_unavailable.
    if (error.name === 'AuthRetryableFetchError' && !status) return text(NETWORK, 'network');
    if (status === 503) return text(SIGN_IN_UNAVAILABLE, 'local_signin_unavailable');
    if (status >= 500) return text(SERVER_AWAY, 'unavailable');
    return text(AUTH_FALLBACK, typeof code === 'string' ? code : 'auth');
  }
  // A fetch that never got an answer (TypeError: Failed to fetch / NetworkError …).
  if (error instanceof TypeError && /fetch|network/i.test(error.message)) return text(NETWORK, 'network');
  // The console's own refusals (e.g. metadata that is not JSON) are already written for people.
  if (error instanceof Error && error.message) return { message: error.message, action: null, code: 'console' };
  return text(BY_CLASS.unexpected!, 'unexpected');
}
