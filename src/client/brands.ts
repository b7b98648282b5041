import * as s from './brand-schemas.js';
import { callRpc, parseParams, type RpcClient } from './rpc.js';

/**
 * A typed client over `supabase.rpc()` for brands, members and the brand's audit trail (SPEC §9).
 * Parameters are checked with zod before anything is sent; results are checked against the
 * contract; every failure is one of the MintIdError classes (a 403 carries the hint that names the
 * caller's role and the role needed).
 */
export function createBrandsClient(supabase: RpcClient) {
  return {
    /** Creates a brand; a signed-in user becomes its owner (trusted callers name `ownerUserId`). */
    async createBrand(params: s.CreateBrandParams) {
      const p = parseParams(s.createBrandParams, params);
      return callRpc(supabase, 'create_brand', { _name: p.name, _owner_user_id: p.ownerUserId ?? null }, s.createBrandResult);
    },

    /** The signed-in user's brands with their role, by name. */
    async listMyBrands() {
      return callRpc(supabase, 'list_my_brands', {}, s.listMyBrandsResult);
    },

    /** The brand's members (owner or admin). */
    async listMembers(params: { brandId: string }) {
      const p = parseParams(s.brandParams, params);
      return callRpc(supabase, 'list_brand_members', { _brand_id: p.brandId }, s.listMembersResult);
    },

    /** Adds the user with this e-mail to the brand (owner). */
    async addMember(params: s.AddMemberParams) {
      const p = parseParams(s.addMemberParams, params);
      return callRpc(supabase, 'add_brand_member', { _brand_id: p.brandId, _email: p.email, _role: p.role }, s.addMemberResult);
    },

    /** Changes a member's role (owner); refused with `last_owner` when no owner would remain. */
    async setMemberRole(params: s.SetMemberRoleParams) {
      const p = parseParams(s.setMemberRoleParams, params);
      return callRpc(supabase, 'set_brand_member_role', { _brand_id: p.brandId, _user_id: p.userId, _role: p.role }, s.okResult);
    },

    /** Removes a member (owner, or the member themself); refused with `last_owner` for the last owner. */
    async removeMember(params: s.RemoveMemberParams) {
      const p = parseParams(s.removeMemberParams, params);
      return callRpc(supabase, 'remove_brand_member', { _brand_id: p.brandId, _user_id: p.userId }, s.okResult);
    },

    /** One page of the brand's whole audit trail, newest first; follow `nextCursor`. */
    async listBrandEvents(params: s.ListBrandEventsParams) {
      const p = parseParams(s.listBrandEventsParams, params);
      return callRpc(supabase, 'list_brand_events', {
        _brand_id: p.brandId, _limit: p.limit ?? 50, _cursor: p.cursor ?? null,
      }, s.listBrandEventsResult);
    },
  };
}

export type BrandsClient = ReturnType<typeof createBrandsClient>;
