// `mintid brands …` and `mintid members …`: the brand and member RPCs (SPEC §9) through the typed client.
import { choiceFlag, intFlag, uuidFlag, type Command, type OptionSpec, type ParsedArgs } from './args.js';
import { textRule } from './client-refusals.js';
import {
  brandOption, connectionOptions, connectSupabase, EXIT_CODES_TEXT, pageOptions, printer, reportError, type ActionContext, type Print,
} from './connection.js';
import { EXIT } from './exit-codes.js';
import { actorLabel, counted, detailsSummary, memberEmails, pageSummary } from './list-output.js';
import type { BrandsClient } from '../client/brands.js';
import { BRAND_NAME_MAX, EMAIL_LENGTH } from '../client/limits.js';

type Values = ParsedArgs['values'];

const ROLES = ['owner', 'admin', 'member'] as const;
const roleOption = {
  role: { type: 'string', value: 'role', required: true, rule: 'must be one of owner, admin, member', description: 'owner, admin or member' },
} as const satisfies Record<string, OptionSpec>;
const userOption = {
  user: { type: 'string', value: 'uuid', required: true, param: 'userId', rule: 'must be a UUID', description: "the member's user id" },
} as const satisfies Record<string, OptionSpec>;

/** A subcommand: flags are checked first (usage errors), then the API is called. */
function subcommand(spec: Omit<Command, 'run' | 'options'> & { options: Record<string, OptionSpec> },
  action: (client: BrandsClient, v: Values, print: Print, context: ActionContext) => Promise<void>): Command {
  const options = { ...spec.options, ...connectionOptions };
  return {
    ...spec,
    options,
    epilogue: EXIT_CODES_TEXT,
    async run({ values, json }) {
      const print = printer(json);
      try {
        const supabase = await connectSupabase(values);
        const { createBrandsClient } = await import('../client/brands.js');
        await action(createBrandsClient(supabase), values, print, { supabase, json });
        return EXIT.ok;
      } catch (error) {
        return reportError(json, error, { options, values });
      }
    },
  };
}

const brandsList = subcommand({ summary: 'the brands you are a member of, with your role', options: {} }, async (client, _v, print) => {
  const result = await client.listMyBrands();
  print([...result.items.map((b) => `${b.brandId}  ${b.role.padEnd(6)}  ${b.name}`), counted(result.items.length, 'brand')].join('\n'), result);
});

const brandsCreate = subcommand({
  summary: 'create a brand; you become its owner (with the service key: --owner names the owner)',
  options: {
    name: { type: 'string', value: 'text', required: true, rule: textRule(BRAND_NAME_MAX), description: `the brand name (1-${BRAND_NAME_MAX} characters)` },
    owner: { type: 'string', value: 'uuid', param: 'ownerUserId', rule: 'must be a UUID', description: "the owner's user id (trusted callers only)" },
  },
}, async (client, v, print) => {
  const ownerUserId = uuidFlag(v, 'owner');
  const result = await client.createBrand({ name: v.name as string, ...(ownerUserId ? { ownerUserId } : {}) });
  print(`Created brand ${result.brandId}\n  export MINTID_BRAND_ID=${result.brandId}`, result);
});

const brandsEvents = subcommand({
  summary: "the brand's whole audit trail (brand, members, credentials, secrets), newest first",
  options: {
    ...brandOption,
    ...pageOptions,
  },
}, async (client, v, print, { supabase, json }) => {
  const brandId = uuidFlag(v, 'brand')!;
  const limit = intFlag(v, 'limit');
  // The member list turns actors' user ids into e-mails (asked alongside the trail); --json keeps
  // the trail as recorded (and asks nothing more).
  const [page, emails] = await Promise.all([
    client.listBrandEvents({ brandId, ...(limit !== undefined ? { limit } : {}), ...(v.cursor ? { cursor: v.cursor as string } : {}) }),
    json ? new Map<string, string>() : memberEmails(supabase, brandId),
  ]);
  const lines = page.items.map((e) => {
    const changed = detailsSummary(e.action, e.details);
    return `${e.occurredAt}  ${`${e.subjectType}:${e.action}`.padEnd(28)}  ${e.subjectId}  by ${actorLabel(e.actor, emails)}` +
      `${changed ? `  ${changed}` : ''}${e.reason ? `  "${e.reason}"` : ''}`;
  });
  print([...lines, pageSummary({ count: page.items.length, noun: 'event', nextCursor: page.nextCursor, cursor: v.cursor as string | undefined })]
    .join('\n'), page);
});

const membersList = subcommand({ summary: "the brand's members (owner or admin)", options: { ...brandOption } }, async (client, v, print) => {
  const result = await client.listMembers({ brandId: uuidFlag(v, 'brand')! });
  print([...result.items.map((m) => `${m.userId}  ${m.role.padEnd(6)}  ${m.email ?? ''}`), counted(result.items.length, 'member')].join('\n'), result);
});

const membersAdd = subcommand({
  summary: 'add a user (by the e-mail they signed up with) to the brand (owner)',
  options: {
    ...brandOption,
    email: {
      type: 'string', value: 'address', required: true, rule: `must be an e-mail address (${EMAIL_LENGTH.min} to ${EMAIL_LENGTH.max} characters with an @)`,
      description: "the user's e-mail",
    },
    ...roleOption,
  },
}, async (client, v, print) => {
  const role = choiceFlag(v, 'role', ROLES)!;
  const brandId = uuidFlag(v, 'brand')!;
  const result = await client.addMember({ brandId, email: v.email as string, role });
  print(`Added ${result.userId} as ${role}`, result);
});

const membersSetRole = subcommand({
  summary: "change a member's role (owner); the last owner cannot be demoted",
  options: { ...brandOption, ...userOption, ...roleOption },
}, async (client, v, print) => {
  const role = choiceFlag(v, 'role', ROLES)!;
  const brandId = uuidFlag(v, 'brand')!;
  const userId = uuidFlag(v, 'user')!;
  await client.setMemberRole({ brandId, userId, role });
  print(`${userId} is now ${role}`, { ok: true, userId, role });
});

const membersRemove = subcommand({
  summary: 'remove a member (owner, or yourself); the last owner cannot be removed',
  options: { ...brandOption, ...userOption },
}, async (client, v, print) => {
  const brandId = uuidFlag(v, 'brand')!;
  const userId = uuidFlag(v, 'user')!;
  await client.removeMember({ brandId, userId });
  print(`Removed ${userId}`, { ok: true, userId });
});

/** `mintid brands <list|create|events>`. */
export const brandsCommand: Command = {
  summary: 'your brands: list, create, audit trail',
  subcommands: { list: brandsList, create: brandsCreate, events: brandsEvents },
  epilogue: EXIT_CODES_TEXT,
};

/** `mintid members <list|add|set-role|remove>`. */
export const membersCommand: Command = {
  summary: "a brand's members: list, add, set-role, remove",
  subcommands: { list: membersList, add: membersAdd, 'set-role': membersSetRole, remove: membersRemove },
  epilogue: EXIT_CODES_TEXT,
};
