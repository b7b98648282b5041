// The typed client of the brand secret RPCs (SPEC §12). zod is the single source of their
// parameter and result shapes; the console and the CLI use these methods.
import { z } from 'zod';
import { PAGE_LIMIT_MAX, SECRET_DESCRIPTION_MAX, SECRET_NAME_MAX, SECRET_NAME_PATTERN, SECRET_VALUE_MAX_BYTES } from './limits.js';
import { callRpc, parseParams, type RpcClient } from './rpc.js';

export { SECRET_DESCRIPTION_MAX, SECRET_NAME_MAX, SECRET_NAME_PATTERN, SECRET_VALUE_MAX_BYTES } from './limits.js';

const uuid = z.guid();
const timestamp = z.string().min(1);
const limit = z.number().int().min(1).max(PAGE_LIMIT_MAX);
const trim = (text: string) => text.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');

const secretName = z.string().refine((n) => SECRET_NAME_PATTERN.test(trim(n)),
  `must be 1 to ${SECRET_NAME_MAX} characters of A-Z a-z 0-9 space . _ - after trimming`);
// The value is never echoed: zod's issue carries only this message.
// NUL (U+0000) cannot be PostgreSQL text, and a server that refuses it may log the JSON around it.
const secretValue = z.string().refine((v) => {
  const bytes = new TextEncoder().encode(v).length;
  return bytes >= 1 && bytes <= SECRET_VALUE_MAX_BYTES && !v.includes('\0');
}, `must be 1 to ${SECRET_VALUE_MAX_BYTES} bytes of UTF-8, without NUL (U+0000)`);
const secretDescription = z.string().refine((d) => [...trim(d)].length <= SECRET_DESCRIPTION_MAX,
  `must be at most ${SECRET_DESCRIPTION_MAX} characters after trimming`);

export const createBrandSecretParams = z.object({
  brandId: uuid, name: secretName, value: secretValue, description: secretDescription.nullable().optional(),
});
export const updateBrandSecretParams = z.object({
  brandId: uuid, secretId: uuid,
  name: secretName.nullable().optional(), value: secretValue.nullable().optional(), description: secretDescription.nullable().optional(),
}).refine((p) => p.name != null || p.value != null || p.description != null, {
  message: 'pass at least one of name, value, description', path: ['name'],
});
export const secretRefParams = z.object({ brandId: uuid, secretId: uuid });
export const listBrandSecretsParams = z.object({ brandId: uuid, limit: limit.optional(), cursor: z.string().min(1).optional() });

export const createBrandSecretResult = z.object({ ok: z.literal(true), secret_id: uuid }).transform((r) => ({ secretId: r.secret_id }));
export const updateBrandSecretResult = z.object({ ok: z.literal(true), secret_id: uuid, updated_at: timestamp })
  .transform((r) => ({ secretId: r.secret_id, updatedAt: r.updated_at }));
export const deleteBrandSecretResult = z.object({ ok: z.literal(true), secret_id: uuid, deleted_at: timestamp.optional() })
  .transform((r) => ({ secretId: r.secret_id, deletedAt: r.deleted_at ?? null }));
// strict(): an item holding anything more (a value, a ciphertext) is refused as off-contract.
const brandSecretItem = z.object({
  id: uuid, name: z.string(), description: z.string().nullable(), created_at: timestamp, updated_at: timestamp,
  last_accessed_at: timestamp.nullable(),
}).strict().transform((i) => ({
  id: i.id, name: i.name, description: i.description, createdAt: i.created_at, updatedAt: i.updated_at,
  lastAccessedAt: i.last_accessed_at,
}));
export const listBrandSecretsResult = z.object({ ok: z.literal(true), items: z.array(brandSecretItem), next_cursor: z.string().nullable() })
  .transform((p) => ({ items: p.items, nextCursor: p.next_cursor }));
export const readBrandSecretResult = z.object({ ok: z.literal(true), secret_id: uuid, name: z.string(), value: z.string() })
  .transform((r) => ({ secretId: r.secret_id, name: r.name, value: r.value }));

export type CreateBrandSecretParams = z.input<typeof createBrandSecretParams>;
export type UpdateBrandSecretParams = z.input<typeof updateBrandSecretParams>;
export type BrandSecretRefParams = z.input<typeof secretRefParams>;
export type ListBrandSecretsParams = z.input<typeof listBrandSecretsParams>;
/** A secret as listed: name, description and times — never its value. */
export type BrandSecret = z.output<typeof brandSecretItem>;
/** What read_brand_secret returns (service role only). */
export type BrandSecretValue = z.output<typeof readBrandSecretResult>;

/**
 * Brand secrets over `supabase.rpc()`: parameters checked with zod before anything is sent,
 * results checked against the contract, every failure one of the MintIdError classes. A value
 * goes in through create/update and comes back only through `readBrandSecret`, which only the
 * service role may call (a backend or edge function; see supabase/functions/_shared/brand-secrets.ts).
 */
export function createSecretsClient(supabase: RpcClient) {
  return {
    /** Creates a secret; returns its id (references are by id, so renaming later breaks nothing). */
    async createBrandSecret(params: CreateBrandSecretParams) {
      const p = parseParams(createBrandSecretParams, params);
      return callRpc(supabase, 'create_brand_secret', {
        _brand_id: p.brandId, _name: p.name, _value: p.value, _description: p.description ?? null,
      }, createBrandSecretResult);
    },

    /** Renames, re-describes and/or replaces the value; omitted fields stay as they are. */
    async updateBrandSecret(params: UpdateBrandSecretParams) {
      const p = parseParams(updateBrandSecretParams, params);
      return callRpc(supabase, 'update_brand_secret', {
        _brand_id: p.brandId, _secret_id: p.secretId, _name: p.name ?? null, _value: p.value ?? null,
        _description: p.description ?? null,
      }, updateBrandSecretResult);
    },

    /** Deletes a secret: the value is destroyed; the audit trail keeps the record. */
    async deleteBrandSecret(params: BrandSecretRefParams) {
      const p = parseParams(secretRefParams, params);
      return callRpc(supabase, 'delete_brand_secret', { _brand_id: p.brandId, _secret_id: p.secretId }, deleteBrandSecretResult);
    },

    /** One page of the brand's secrets, newest first; follow `nextCursor`. Never a value. */
    async listBrandSecrets(params: ListBrandSecretsParams) {
      const p = parseParams(listBrandSecretsParams, params);
      return callRpc(supabase, 'list_brand_secrets', {
        _brand_id: p.brandId, _limit: p.limit ?? 50, _cursor: p.cursor ?? null,
      }, listBrandSecretsResult);
    },

    /** The value, for server-side code holding the service key; users are refused (403). */
    async readBrandSecret(params: BrandSecretRefParams): Promise<BrandSecretValue> {
      const p = parseParams(secretRefParams, params);
      return callRpc(supabase, 'read_brand_secret', { _brand_id: p.brandId, _secret_id: p.secretId }, readBrandSecretResult);
    },
  };
}

export type SecretsClient = ReturnType<typeof createSecretsClient>;
