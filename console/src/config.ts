// Run-time configuration: ./config.json next to index.html (the local stack serves it with its URL
// and anon key; a static deployment writes it by hand, see docs/console.md).
import { z } from 'zod';

export const consoleConfigSchema = z.object({
  /** The Supabase project URL, e.g. https://xyz.supabase.co or http://127.0.0.1:54321. */
  supabaseUrl: z.url(),
  /** The project's anon (publishable) key. */
  anonKey: z.string().min(1),
  /** Show the sign-up form (the local stack allows sign-up). */
  signUp: z.boolean().default(false),
  /** Local demo accounts listed on the sign-in page (local stack only). */
  demoAccounts: z.array(z.object({ email: z.string(), password: z.string().nullable().default(null), role: z.string() })).default([]),
});
export type ConsoleConfig = z.output<typeof consoleConfigSchema>;

/** Loads and checks ./config.json; the error says what is missing and where. */
export async function loadConfig(): Promise<ConsoleConfig> {
  let response: Response;
  try {
    response = await fetch('./config.json', { cache: 'no-store' });
  } catch {
    throw new Error('Could not load config.json next to the console.');
  }
  if (!response.ok) throw new Error(`config.json is missing next to index.html (HTTP ${response.status}).`);
  const parsed = consoleConfigSchema.safeParse(await response.json().catch(() => null));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`config.json is not valid: ${issue.path.join('.') || 'root'}: ${issue.message}`);
  }
  return parsed.data;
}
