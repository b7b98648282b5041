// The human output of list and audit-trail commands: a count that says whether it is one page or
// all, how to get the next page, and actors shown by e-mail (--json output is never changed here).
import type { SupabaseClient } from '@supabase/supabase-js';

/** What a listing was asked for and what came back, for its last line. */
export interface PageSummary {
  count: number;
  /** Singular noun: `credential`, `event`, `secret`. */
  noun: string;
  nextCursor: string | null;
  /** The --cursor the listing started from, if any. */
  cursor?: string | undefined;
  /** Whether --all followed every page; `hasAll`: whether the command has --all at all. */
  all?: boolean;
  hasAll?: boolean;
}

/** `1 credential`, `3 credentials`: how every list and summary of the CLI counts. */
export const counted = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

/**
 * `2 credentials on this page; more: --cursor <c> (or --all for every page)`, `2 credentials on
 * this page, the last`, or `3 credentials` when nothing is left out.
 */
export function pageSummary(p: PageSummary): string {
  if (p.nextCursor) {
    return `${counted(p.count, p.noun)} on this page; more: --cursor ${p.nextCursor}${p.hasAll ? ' (or --all for every page)' : ''}`;
  }
  if (p.cursor && !p.all) return `${counted(p.count, p.noun)} on this page, the last`;
  return `${counted(p.count, p.noun)}${p.cursor ? ' from that cursor on' : ''}`;
}

/** One page from `first` (a --cursor), or with `all` every page from there on, following next_cursor. */
export async function followPages<T>(all: boolean, fetchPage: (cursor?: string) => Promise<{ items: T[]; nextCursor: string | null }>,
  first?: string): Promise<{ items: T[]; nextCursor: string | null }> {
  let page = await fetchPage(first);
  const items = [...page.items];
  while (all && page.nextCursor) {
    page = await fetchPage(page.nextCursor);
    items.push(...page.items);
  }
  return { items, nextCursor: page.nextCursor };
}

/**
 * The e-mail of each member of the brand, by user id, from the member list (owners and admins may
 * read it); empty when it cannot be read, so the actor is then shown by id.
 */
export async function memberEmails(supabase: SupabaseClient, brandId: string): Promise<Map<string, string>> {
  const { createBrandsClient } = await import('../client/brands.js');
  try {
    const { items } = await createBrandsClient(supabase).listMembers({ brandId });
    return new Map(items.filter((m) => m.email).map((m) => [m.userId, m.email!]));
  } catch {
    return new Map();
  }
}

/** An event's actor: the member's e-mail where the member list knows it, else as recorded (a user id, `service_role`, `postgres`). */
export const actorLabel = (actor: string, emails: Map<string, string>) => emails.get(actor) ?? actor;

/** What an audit record's details say changed, in words (`role member → admin`); '' when they carry nothing to show. */
export function detailsSummary(action: string, details: Record<string, unknown>): string {
  const text = (key: string) => (typeof details[key] === 'string' ? details[key] : null);
  switch (action) {
    case 'member_role_changed':
      return text('role') ? `role ${text('previous_role') ?? '?'} → ${text('role')}` : '';
    case 'member_added':
      return text('role') ? `as ${text('role')}` : '';
    case 'member_removed':
      return text('role') ? `was ${text('role')}` : '';
    case 'secret_updated':
      // Which fields changed, never to what (SPEC §12).
      return Array.isArray(details.changed) && details.changed.length > 0 ? `changed ${details.changed.join(', ')}` : '';
    default:
      return '';
  }
}
