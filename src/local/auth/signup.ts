import { readParams } from './body.js';
import type { AuthRoute } from './context.js';
import { authError, jsonResponse, weakPassword } from './errors.js';
import { signupParams } from './params.js';
import { sessionResponse } from './tokens.js';

/** Supabase Auth's default minimum password length (the local stack keeps it). */
export const PASSWORD_MIN_LENGTH = 8;
/** bcrypt reads at most 72 bytes; Supabase Auth refuses longer passwords. */
export const PASSWORD_MAX_BYTES = 72;

// Supabase Auth's check is a parse of the address; this is the same spirit: one @, a dot in the domain, no spaces.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * POST /signup (Supabase Auth's Signup with e-mail confirmation off, as local projects run it):
 * `{email, password, data?}` → the new user, signed in at once (a session). Password rules:
 * 422 weak_password under 8 characters, 422 validation_failed over 72 bytes. An address that is
 * already registered → 422 user_already_exists, Supabase Auth's answer with autoconfirm on.
 */
export const signup: AuthRoute = async (req, ctx) => {
  const params = await readParams(req, 'SignupParams', signupParams);
  const email = (params.email ?? '').trim();
  const password = params.password ?? '';
  if (password === '') return authError(req, 422, 'validation_failed', 'Signup requires a valid password');
  if ([...password].length < PASSWORD_MIN_LENGTH) {
    return weakPassword(req, `Password should be at least ${PASSWORD_MIN_LENGTH} characters.`, ['length']);
  }
  if (Buffer.byteLength(password) > PASSWORD_MAX_BYTES) {
    return authError(req, 422, 'validation_failed', `Password cannot be longer than ${PASSWORD_MAX_BYTES} characters`);
  }
  if (email !== '' && (params.phone ?? '') !== '') {
    return authError(req, 422, 'validation_failed', 'Only an email address or phone number should be provided on signup.');
  }
  if ((params.phone ?? '') !== '') return authError(req, 422, 'validation_failed', 'Phone signups are disabled');
  if (email === '') return authError(req, 400, 'validation_failed', 'To signup, please provide your email');
  if (email.length > 255) return authError(req, 400, 'validation_failed', 'An email address is too long');
  if (!EMAIL.test(email)) return authError(req, 400, 'email_address_invalid', 'Unable to validate email address: invalid format');
  const outcome = await ctx.store.signup(email, password, params.data ?? {});
  if ('error' in outcome) return authError(req, 422, 'user_already_exists', 'User already registered');
  return jsonResponse(req, 200, await sessionResponse(ctx.tokens, outcome));
};
