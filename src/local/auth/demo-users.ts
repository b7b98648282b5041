import { DEMO_USERS, type DemoUser } from '../keys.js';
import type { SessionStore } from './store.js';

/**
 * Local passwords of supabase/seed.sql's demo users (documented demo values, printed by
 * `npm start`; local only, never for production). Sign in with the e-mail and this password.
 */
export const DEMO_PASSWORDS: Record<DemoUser, string> = {
  owner: 'owner-demo-password',
  admin: 'admin-demo-password',
  member: 'member-demo-password',
};

/**
 * Gives the demo users their local passwords where they have none (a fresh seed, or a database
 * seeded before local sign-in existed). A password someone changed is left alone.
 */
export async function ensureDemoPasswords(store: SessionStore): Promise<void> {
  for (const name of Object.keys(DEMO_USERS) as DemoUser[]) {
    await store.setMissingPassword(DEMO_USERS[name].id, DEMO_PASSWORDS[name]);
  }
}
