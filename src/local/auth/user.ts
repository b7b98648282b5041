import type { AuthRoute } from './context.js';
import { jsonResponse } from './errors.js';
import { authenticate } from './tokens.js';

/** GET /user: the signed-in user's object, as Supabase Auth answers it. */
export const getUser: AuthRoute = async (req, ctx) => {
  const { user } = await authenticate(req, ctx.tokens, ctx.store);
  return jsonResponse(req, 200, user);
};
