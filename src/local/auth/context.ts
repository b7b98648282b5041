import type { SessionStore } from './store.js';
import type { TokenConfig } from './tokens.js';

/** What every /auth/v1 route works with. */
export interface AuthContext {
  store: SessionStore;
  tokens: TokenConfig;
}

export type AuthRoute = (req: Request, ctx: AuthContext) => Promise<Response>;
