import { z } from 'zod';
import { BRAND_NAME_MAX, EMAIL_LENGTH, PAGE_LIMIT_MAX } from './limits.js';

export { BRAND_NAME_MAX, EMAIL_LENGTH } from './limits.js';

/** zod schemas of the brand, member and brand-trail RPCs (SPEC §9): the single source of their types. */

const uuid = z.guid();
const timestamp = z.string().min(1);
const limit = z.number().int().min(1).max(PAGE_LIMIT_MAX);
/** Text as the database measures it: code points after trimming spaces, tabs, CR and LF at both ends. */
const trimmedText = (max: number) => z.string().refine((text) => {
  const length = [...text.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '')].length;
  return length >= 1 && length <= max;
}, `must be 1 to ${max} characters after trimming`);

export const brandRole = z.enum(['owner', 'admin', 'member']);

export const createBrandParams = z.object({ name: trimmedText(BRAND_NAME_MAX), ownerUserId: uuid.optional() });
export const brandParams = z.object({ brandId: uuid });
export const addMemberParams = z.object({ brandId: uuid, email: z.string().trim().min(EMAIL_LENGTH.min).max(EMAIL_LENGTH.max).includes('@'), role: brandRole });
export const setMemberRoleParams = z.object({ brandId: uuid, userId: uuid, role: brandRole });
export const removeMemberParams = z.object({ brandId: uuid, userId: uuid });
export const listBrandEventsParams = z.object({ brandId: uuid, limit: limit.optional(), cursor: z.string().min(1).optional() });

export const createBrandResult = z.object({ ok: z.literal(true), brand_id: uuid }).transform((r) => ({ brandId: r.brand_id }));
export const okResult = z.object({ ok: z.literal(true) }).transform(() => ({}));
export const addMemberResult = z.object({ ok: z.literal(true), user_id: uuid }).transform((r) => ({ userId: r.user_id }));

const myBrand = z.object({ brand_id: uuid, name: z.string(), role: brandRole, created_at: timestamp }).strict()
  .transform((b) => ({ brandId: b.brand_id, name: b.name, role: b.role, createdAt: b.created_at }));
const member = z.object({ user_id: uuid, email: z.string().nullable(), role: brandRole, added_at: timestamp }).strict()
  .transform((m) => ({ userId: m.user_id, email: m.email, role: m.role, addedAt: m.added_at }));
const brandEvent = z.object({
  id: uuid, subject_type: z.enum(['brand', 'member', 'credential', 'secret']), subject_id: uuid, action: z.string(),
  actor: z.string(), reason: z.string().nullable(), reason_code: z.string().nullable(),
  details: z.record(z.string(), z.unknown()), occurred_at: timestamp,
}).strict().transform((e) => ({
  id: e.id, subjectType: e.subject_type, subjectId: e.subject_id, action: e.action, actor: e.actor, reason: e.reason,
  reasonCode: e.reason_code, details: e.details, occurredAt: e.occurred_at,
}));

export const listMyBrandsResult = z.object({ ok: z.literal(true), items: z.array(myBrand) }).transform((r) => ({ items: r.items }));
export const listMembersResult = z.object({ ok: z.literal(true), items: z.array(member) }).transform((r) => ({ items: r.items }));
export const listBrandEventsResult = z.object({ ok: z.literal(true), items: z.array(brandEvent), next_cursor: z.string().nullable() })
  .transform((p) => ({ items: p.items, nextCursor: p.next_cursor }));

export type BrandRole = z.infer<typeof brandRole>;
export type CreateBrandParams = z.input<typeof createBrandParams>;
export type AddMemberParams = z.input<typeof addMemberParams>;
export type SetMemberRoleParams = z.input<typeof setMemberRoleParams>;
export type RemoveMemberParams = z.input<typeof removeMemberParams>;
export type ListBrandEventsParams = z.input<typeof listBrandEventsParams>;
export type MyBrand = z.output<typeof myBrand>;
export type BrandMember = z.output<typeof member>;
export type BrandEvent = z.output<typeof brandEvent>;
