import { readParams } from './body.js';
import type { AuthRoute } from './context.js';
import { authError, jsonResponse } from './errors.js';
import { passwordGrantParams } from './params.js';
import { sessionResponse } from './tokens.js';

/** Supabase Auth's message for a wrong password and for an unknown e-mail alike. */
export const INVALID_LOGIN_MESSAGE = 'Invalid login credentials';

/**
 * POST /token?grant_type=password (Supabase Auth's ResourceOwnerPasswordGrant, e-mail only):
 * `{email, password}` → a session. A wrong password and an unknown e-mail answer the same
 * 400 invalid_credentials after the same single bcrypt.
 */
export const passwordGrant: AuthRoute = async (req, ctx) => {
  const params = await readParams(req, 'PasswordGrantParams', passwordGrantParams);
  const email = params.email ?? '';
  const phone = params.phone ?? '';
  if (email !== '' && phone !== '') {
    return authError(req, 400, 'validation_failed', 'Only an email address or phone number should be provided on login.');
  }
  if (phone !== '') return authError(req, 422, 'validation_failed', 'Phone logins are disabled');
  if (email === '') return authError(req, 400, 'validation_failed', 'missing email or phone');
  const outcome = await ctx.store.passwordGrant(email, params.password ?? '');
  if ('error' in outcome) {
    return outcome.error === 'email_not_confirmed'
      ? authError(req, 400, 'email_not_confirmed', 'Email not confirmed')
      : authError(req, 400, 'invalid_credentials', INVALID_LOGIN_MESSAGE);
  }
  return jsonResponse(req, 200, await sessionResponse(ctx.tokens, outcome));
};
