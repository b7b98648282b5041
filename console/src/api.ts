// The console's data layer: supabase-js (auth + rpc) and the project's typed clients over it.
// No RPC shape lives here: parameters, results and their types are the typed clients' (src/client/).
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import type { BrandEvent, BrandMember, MyBrand } from '../../src/client/brand-schemas.js';
import { createBrandsClient } from '../../src/client/brands.js';
import { createCredentialsClient } from '../../src/client/credentials-client.js';
import { createSecretsClient, type BrandSecret } from '../../src/client/secrets.js';
import type { ConsoleConfig } from './config.js';

export type { BrandEvent, BrandMember, BrandSecret, MyBrand };

/** Refuses: the console always hands the typed client a hash made in its Web Worker. */
const noMainThreadHashing = async (): Promise<string> => {
  throw new Error('The console hashes secrets in its Web Worker only.');
};

export function createApi(config: ConsoleConfig) {
  const supabase: SupabaseClient = createClient(config.supabaseUrl, config.anonKey, {
    auth: { persistSession: true, autoRefreshToken: true, detectSessionInUrl: false, storageKey: 'mintid-console-auth' },
  });
  return {
    supabase,
    credentials: createCredentialsClient(supabase, { hashSecret: noMainThreadHashing }),
    brands: createBrandsClient(supabase),
    secrets: createSecretsClient(supabase),
  };
}
export type Api = ReturnType<typeof createApi>;
