// What the server and the typed client say, in the CLI's terms: the RPCs their hints name become
// the `npx mintid …` commands that call them, and their parameters (`_expires_at`, `expiresAt`)
// become the flags that carry them (each option's `param`, default its name in camelCase).
import type { OptionSpec } from './args.js';

/**
 * Each RPC a CLI command calls → that command. `read_brand_secret` (service_role only) and the token
 * service's internal RPCs have none; test/cli/cli-terms.test.ts checks this against the migrations.
 */
export const RPC_COMMANDS: Readonly<Record<string, string>> = {
  create_api_credential_record: 'npx mintid credentials create',
  list_api_credential_records: 'npx mintid credentials list',
  rotate_api_credential_secret_record: 'npx mintid credentials rotate',
  end_api_credential_rotation_grace: 'npx mintid credentials end-grace',
  revoke_api_credential_record: 'npx mintid credentials revoke',
  revoke_api_credential_records: 'npx mintid credentials revoke',
  list_api_credential_events: 'npx mintid credentials events',
  create_brand: 'npx mintid brands create',
  list_my_brands: 'npx mintid brands list',
  list_brand_events: 'npx mintid brands events',
  list_brand_members: 'npx mintid members list',
  add_brand_member: 'npx mintid members add',
  set_brand_member_role: 'npx mintid members set-role',
  remove_brand_member: 'npx mintid members remove',
  create_brand_secret: 'npx mintid secrets create',
  list_brand_secrets: 'npx mintid secrets list',
  update_brand_secret: 'npx mintid secrets update',
  delete_brand_secret: 'npx mintid secrets delete',
};

/** `expires-at` → `expiresAt`: the typed client's name for a flag's parameter unless the option says otherwise. */
const camelCase = (flag: string) => flag.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());

/** The `--flag` of `options` that carries the typed client's parameter `param` (e.g. `brandId` → `--brand`). */
export function flagFor(param: string, options: Record<string, OptionSpec>): string | null {
  for (const [name, spec] of Object.entries(options)) {
    if ((spec.param ?? camelCase(name)) === param) return `--${name}`;
  }
  return null;
}

/** `public.set_brand_member_role` → `'npx mintid members set-role'`; RPCs without a command stay as they are. */
export function rpcsAsCommands(text: string): string {
  return text.replace(/(?<![\w.])(?:public\.)?([a-z]+(?:_[a-z]+)+)\b/g, (all, rpc: string) =>
    (RPC_COMMANDS[rpc] ? `'${RPC_COMMANDS[rpc]}'` : all));
}

/** The database's parameter names (`_owner_user_id`) → the command's flags (`--owner`); unknown ones stay. */
export function paramsAsFlags(text: string, options: Record<string, OptionSpec>): string {
  return text.replace(/(?<![\w$])_([a-z]+(?:_[a-z]+)*)\b/g, (all, param: string) => flagFor(camelCase(param.replace(/_/g, '-')), options) ?? all);
}

/** A server hint as the CLI prints it: commands instead of RPCs, flags instead of parameters. */
export function hintInCliTerms(hint: string, options: Record<string, OptionSpec>): string {
  return paramsAsFlags(rpcsAsCommands(hint), options);
}
