// The console's data layer: supabase-js (auth + rpc) and the project's typed clients over it.
// No RPC shape lives here: parameters and results are the typed client's (src/client/).
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { createCredentialsClient } from '../../src/client/credentials-client.js';
import { toMintIdError } from '../../src/client/errors.js';
import type { ConsoleConfig } from './config.js';

export interface MyBrand { brandId: string; name: string; role: string }
export interface BrandMember { userId: string; email: string | null; role: string; addedAt: string | null }
export interface BrandEvent {
  id: string; subjectType: string; subjectId: string; action: string; actor: string; reason: string | null; occurredAt: string;
  reasonCode?: string | null;
}
export interface BrandSecret { id: string; name: string; description: string | null; createdAt: string; updatedAt: string; lastAccessedAt: string | null }
interface Page<T> { items: T[]; nextCursor: string | null }

/** Refuses: the console always hands the typed client a hash made in its Web Worker. */
const noMainThreadHashing = async (): Promise<string> => {
  throw new Error('The console hashes secrets in its Web Worker only.');
};

export function createApi(config: ConsoleConfig) {
  const supabase: SupabaseClient = createClient(config.supabaseUrl, config.anonKey, {
    auth: { persistSession: true, autoRefreshToken: true, detectSessionInUrl: false, storageKey: 'mintid-console-auth' },
  });
  // TEMPORARY until src/client/brands.ts and src/client/secrets.ts land on main: replaced by their methods.
  type Row = Record<string, unknown>;
  const rpc = async (fn: string, args: Record<string, unknown>) => {
    const { data, error, status } = await supabase.rpc(fn, args);
    if (error) throw toMintIdError(error, status);
    return data as Row;
  };
  const s = (v: unknown) => v as string;
  const page = <T>(data: Row, map: (r: Row) => T): Page<T> => ({ items: (data.items as Row[]).map(map), nextCursor: (data.next_cursor as string | null) ?? null });
  return {
    supabase,
    credentials: createCredentialsClient(supabase, { hashSecret: noMainThreadHashing }),
    async listMyBrands(): Promise<MyBrand[]> {
      const data = await rpc('list_my_brands', {});
      return (data.items as Row[]).map((b) => ({ brandId: s(b.brand_id), name: s(b.name), role: s(b.role) }));
    },
    async createBrand(name: string): Promise<{ brandId: string }> {
      return { brandId: s((await rpc('create_brand', { _name: name })).brand_id) };
    },
    async listBrandMembers(brandId: string): Promise<BrandMember[]> {
      const data = await rpc('list_brand_members', { _brand_id: brandId });
      return (data.items as Row[]).map((m) => ({ userId: s(m.user_id), email: (m.email as string | null) ?? null, role: s(m.role), addedAt: (m.added_at as string | null) ?? null }));
    },
    async addBrandMember(p: { brandId: string; email: string; role: string }) {
      await rpc('add_brand_member', { _brand_id: p.brandId, _email: p.email, _role: p.role });
    },
    async setBrandMemberRole(p: { brandId: string; userId: string; role: string }) {
      await rpc('set_brand_member_role', { _brand_id: p.brandId, _user_id: p.userId, _role: p.role });
    },
    async removeBrandMember(p: { brandId: string; userId: string }) {
      await rpc('remove_brand_member', { _brand_id: p.brandId, _user_id: p.userId });
    },
    async listBrandEvents(p: { brandId: string; cursor?: string }): Promise<Page<BrandEvent>> {
      const data = await rpc('list_brand_events', { _brand_id: p.brandId, _limit: 50, _cursor: p.cursor ?? null });
      return page(data, (e) => ({
        id: s(e.id), subjectType: s(e.subject_type), subjectId: s(e.subject_id), action: s(e.action), actor: s(e.actor),
        reason: (e.reason as string | null) ?? null, occurredAt: s(e.occurred_at), reasonCode: (e.reason_code as string | null) ?? null,
      }));
    },
    async listBrandSecrets(p: { brandId: string; cursor?: string }): Promise<Page<BrandSecret>> {
      const data = await rpc('list_brand_secrets', { _brand_id: p.brandId, _limit: 50, _cursor: p.cursor ?? null });
      return page(data, (x) => ({
        id: s(x.id), name: s(x.name), description: (x.description as string | null) ?? null, createdAt: s(x.created_at),
        updatedAt: s(x.updated_at), lastAccessedAt: (x.last_accessed_at as string | null) ?? null,
      }));
    },
    async createBrandSecret(p: { brandId: string; name: string; value: string; description?: string }) {
      await rpc('create_brand_secret', { _brand_id: p.brandId, _name: p.name, _value: p.value, _description: p.description ?? null });
    },
    async updateBrandSecret(p: { brandId: string; secretId: string; name?: string; value?: string; description?: string }) {
      await rpc('update_brand_secret', {
        _brand_id: p.brandId, _secret_id: p.secretId, _name: p.name ?? null, _value: p.value ?? null, _description: p.description ?? null,
      });
    },
    async deleteBrandSecret(p: { brandId: string; secretId: string }) {
      await rpc('delete_brand_secret', { _brand_id: p.brandId, _secret_id: p.secretId });
    },
  };
}
export type Api = ReturnType<typeof createApi>;
