// Server hints in the CLI's terms: an RPC a hint names becomes the `npx mintid …` command that
// calls it, a parameter the flag that carries it. The map is checked against the migrations (every
// exposed RPC has a command or is known to have none) and against the command tree (every command
// it names exists), so it cannot drift.
import { randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hintInCliTerms, RPC_COMMANDS, rpcsAsCommands } from '../../src/cli/cli-terms.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { mintidRunner } from '../support/cli.js';

const migrations = fileURLToPath(new URL('../../supabase/migrations/', import.meta.url));

/** Exposed RPCs no CLI command calls: service-only reads and the token service's own. */
const WITHOUT_COMMAND = ['read_brand_secret', 'lookup_api_credential_for_token', 'record_api_credential_use',
  'check_token_auth_failures', 'record_token_auth_failure'];

const run = mintidRunner(() => ({ DATABASE_URL: undefined }));

describe('the map from RPCs to CLI commands', () => {
  it('covers every RPC the migrations expose, but for those known to have no command', async () => {
    const files = (await readdir(migrations)).filter((f) => f.endsWith('.sql'));
    const sql = (await Promise.all(files.map((f) => readFile(`${migrations}${f}`, 'utf8')))).join('\n');
    const exposed = new Set([...sql.matchAll(/create (?:or replace )?function public\.([a-z_]+)/g)].map((m) => m[1]!));
    expect(exposed.size).toBeGreaterThan(15);
    expect([...exposed].filter((rpc) => !RPC_COMMANDS[rpc] && !WITHOUT_COMMAND.includes(rpc))).toEqual([]);
    expect(Object.keys(RPC_COMMANDS).filter((rpc) => !exposed.has(rpc))).toEqual([]);
  });

  it.each(Object.entries(RPC_COMMANDS))('%s → %s, a command that exists', async (_rpc, command) => {
    const result = await run([...command.split(' ').slice(2), '--help']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.startsWith(`Usage: mintid ${command.split(' ').slice(2).join(' ')}`)).toBe(true);
  });
});

describe('hintInCliTerms', () => {
  it('says the command instead of the RPC, with or without public.', () => {
    expect(rpcsAsCommands('Change their role with set_brand_member_role instead.'))
      .toBe("Change their role with 'npx mintid members set-role' instead.");
    expect(rpcsAsCommands('Rotate with public.rotate_api_credential_secret_record.')).toBe("Rotate with 'npx mintid credentials rotate'.");
  });

  it('leaves RPCs without a command, and words that only look like one, as they are', () => {
    expect(rpcsAsCommands('Read it with read_brand_secret.')).toBe('Read it with read_brand_secret.');
    expect(rpcsAsCommands('mintid.set_brand_member_role_x and not_brand_owner')).toBe('mintid.set_brand_member_role_x and not_brand_owner');
  });

  it('says the flag instead of a parameter the command has, and leaves others', () => {
    const options = { owner: { type: 'string', param: 'ownerUserId', description: '' }, name: { type: 'string', description: '' } } as const;
    expect(hintInCliTerms('Omit _owner_user_id (you become the owner), then add others with add_brand_member.', options))
      .toBe("Omit --owner (you become the owner), then add others with 'npx mintid members add'.");
    expect(hintInCliTerms('Check _new_secret_hash.', options)).toBe('Check _new_secret_hash.');
  });
});

describe('a server hint printed by the CLI', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi();
  });
  afterAll(() => t.close());
  const as = (token: string) => ({ MINTID_URL: t.url, MINTID_KEY: t.keys.anonKey, MINTID_TOKEN: token, MINTID_BRAND_ID: t.brandId });

  it('names `npx mintid members set-role` when members add meets an existing member (exit 6)', async () => {
    const result = await run(['members', 'add', '--email', 'member@example.test', '--role', 'admin'], { env: as(t.tokens.owner) });
    expect(result.code).toBe(6);
    expect(result.stderr).toContain('(already_member)');
    expect(result.stderr).toContain("hint: Change their role with 'npx mintid members set-role' instead.");
    expect(result.stderr).not.toContain('set_brand_member_role');
  });

  it('names `npx mintid members add` when set-role meets a user who is not a member (exit 5)', async () => {
    const result = await run(['members', 'set-role', '--user', randomUUID(), '--role', 'admin', '--json'], { env: as(t.tokens.owner) });
    expect(result.code).toBe(5);
    const { error } = JSON.parse(result.stderr) as { error: { reason: string; hint: string } };
    expect(error.reason).toBe('member_not_found');
    expect(error.hint).toBe("Check the user id, or add them with 'npx mintid members add'.");
  });

  it('keeps a hint without an RPC as the server wrote it', async () => {
    const result = await run(['members', 'add', '--email', 'x@example.test', '--role', 'member'], { env: as(t.tokens.admin) });
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('hint: Your role in this brand is admin; managing members needs owner.');
  });
});
