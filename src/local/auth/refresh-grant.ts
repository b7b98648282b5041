import { readParams } from './body.js';
import type { AuthRoute } from './context.js';
import { authError, jsonResponse, oauthError } from './errors.js';
import { refreshTokenGrantParams } from './params.js';
import { sessionResponse } from './tokens.js';

/**
 * POST /token?grant_type=refresh_token (Supabase Auth's RefreshTokenGrant): `{refresh_token}` →
 * a new session with a new refresh token; the presented one is spent. Stricter than Supabase Auth:
 * a spent token is refused at once (no 10-second reuse interval, no "parent of the active token"
 * allowance), and its whole session's tokens are revoked, as Supabase Auth does outside the interval.
 */
export const refreshGrant: AuthRoute = async (req, ctx) => {
  const params = await readParams(req, 'RefreshTokenGrantParams', refreshTokenGrantParams);
  const token = params.refresh_token ?? '';
  if (token === '') return oauthError(req, 'invalid_request', 'refresh_token required');
  const outcome = await ctx.store.refreshGrant(token);
  if ('error' in outcome) {
    return outcome.error === 'refresh_token_already_used'
      ? authError(req, 400, 'refresh_token_already_used', 'Invalid Refresh Token: Already Used')
      : authError(req, 400, 'refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found');
  }
  return jsonResponse(req, 200, await sessionResponse(ctx.tokens, outcome));
};
