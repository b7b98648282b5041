import type { AuthRoute } from './context.js';
import { authError } from './errors.js';
import { authenticate } from './tokens.js';

const SCOPES = ['global', 'local', 'others'] as const;

/**
 * POST /logout?scope=global|local|others (Supabase Auth's Logout): ends the sessions the scope
 * names — every session of the user (global, the default), this token's session (local), or all
 * but it (others) — and with them their refresh tokens. 204. A token without a session_id ends
 * every session of its user, as Supabase Auth does.
 */
export const logout: AuthRoute = async (req, ctx) => {
  const raw = new URL(req.url).searchParams.get('scope') ?? '';
  const scope = raw === '' ? 'global' : SCOPES.find((s) => s === raw);
  if (!scope) return authError(req, 400, 'validation_failed', `Unsupported logout scope ${JSON.stringify(raw)}`);
  const { user, sessionId } = await authenticate(req, ctx.tokens, ctx.store);
  await ctx.store.logout(user.id, sessionId, scope);
  return new Response(null, { status: 204 });
};
