// The console's data layer: supabase-js (auth + rpc) and the project's typed clients over it.
// No RPC shape lives here: parameters and results are the typed client's (src/client/).
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { createCredentialsClient } from '../../src/client/credentials-client.js';
import { toMintIdError } from '../../src/client/errors.js';
import type { ConsoleConfig } from './config.js';

export interface MyBrand {
  brandId: string;
  name: string;
  role: string;
}

/** Refuses: the console always hands the typed client a hash made in its Web Worker. */
const noMainThreadHashing = async (): Promise<string> => {
  throw new Error('The console hashes secrets in its Web Worker only.');
};

export function createApi(config: ConsoleConfig) {
  const supabase: SupabaseClient = createClient(config.supabaseUrl, config.anonKey, {
    auth: { persistSession: true, autoRefreshToken: true, detectSessionInUrl: false, storageKey: 'mintid-console-auth' },
  });
  // TEMPORARY until src/client/brands.ts lands on main (audit helper): replaced by its methods.
  const rpc = async (fn: string, args: Record<string, unknown>) => {
    const { data, error, status } = await supabase.rpc(fn, args);
    if (error) throw toMintIdError(error, status);
    return data as Record<string, unknown>;
  };
  return {
    supabase,
    credentials: createCredentialsClient(supabase, { hashSecret: noMainThreadHashing }),
    async listMyBrands(): Promise<MyBrand[]> {
      const data = await rpc('list_my_brands', {});
      return (data.items as { brand_id: string; name: string; role: string }[]).map((b) => ({ brandId: b.brand_id, name: b.name, role: b.role }));
    },
    async createBrand(name: string): Promise<{ brandId: string }> {
      const data = await rpc('create_brand', { _name: name });
      return { brandId: data.brand_id as string };
    },
  };
}
export type Api = ReturnType<typeof createApi>;
