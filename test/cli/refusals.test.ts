// What the CLI says before anything reaches the server, through the real binary against the real
// gateway: a value the typed client refuses is a usage error (exit 2) naming the flag and the rule
// in plain words, with nothing stored; an explicitly empty value names the empty flag; missing
// connection options say how to get them. Errors of the server keep their exit codes.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { Command } from '../../src/cli/args.js';
import { brandsCommand, membersCommand } from '../../src/cli/brands.js';
import { flagFor, paramsAsFlags } from '../../src/cli/cli-terms.js';
import { credentialsCommand } from '../../src/cli/credentials.js';
import { secretsCommand } from '../../src/cli/secrets.js';
import * as b from '../../src/client/brand-schemas.js';
import * as c from '../../src/client/schemas.js';
import { createBrandSecretParams, listBrandSecretsParams, secretRefParams, updateBrandSecretParams } from '../../src/client/secrets.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { apiEnv, mintidRunner } from '../support/cli.js';

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi();
});
afterAll(() => t.close());

/** Runs `mintid …` as the brand's owner, with `input` on standard input (closed at once when absent). */
const mintid = mintidRunner(() => apiEnv(t, t.tokens.owner));

/** How many credentials and secrets the test brand holds (nothing refused may add one). */
const stored = async () => (await t.db.admin`select
  (select count(*) from mintid.api_credentials where brand_id = ${t.brandId})::int as credentials,
  (select count(*) from mintid.brand_secrets where brand_id = ${t.brandId})::int as secrets,
  (select count(*) from mintid.brand_members where brand_id = ${t.brandId})::int as members`)[0];

const VALIDATOR_WORDS = /Too (big|small)|expected|Invalid input|client_validation|Fix the parameter/;
const uuid = '00000000-0000-4000-8000-000000000000';
const longScope = `products:${'r'.repeat(60)}`;

describe('a value the typed client refuses before calling the server', () => {
  it.each([
    [['credentials', 'list', '--limit', '500'], '--limit must be at most 200'],
    [['credentials', 'events', '--limit', '201'], '--limit must be at most 200'],
    [['credentials', 'list', '--limit', '0'], '--limit must be at least 1'],
    [['brands', 'events', '--limit', '0'], '--limit must be at least 1'],
    [['secrets', 'list', '--limit', '999'], '--limit must be at most 200'],
    [['credentials', 'create', '--name', 'x', '--scopes', 'a,a'], '--scopes: "a" is not a scope (resource:action in lower case, e.g. products:read)'],
    [['credentials', 'create', '--name', 'x', '--scopes', 'products:read,orders:write,Bad'], '--scopes: "Bad" is not a scope'],
    [['credentials', 'create', '--name', 'x', '--scopes', 'products:read,products:read'], '--scopes: "products:read" is given twice; name each scope once'],
    [['credentials', 'create', '--name', 'x', '--scopes', ' , '], '--scopes needs at least one scope'],
    [['credentials', 'create', '--name', 'x', '--scopes', Array.from({ length: 51 }, (_, i) => `s${i}:read`).join(',')], '--scopes takes at most 50 scopes (51 given)'],
    [['credentials', 'create', '--name', 'x', '--scopes', `orders:read,${longScope}`], '--scopes: scope 2 is longer than 64 characters'],
    [['credentials', 'create', '--name', '   ', '--scopes', 'a:b'], '--name must be 1 to 120 characters (spaces at either end do not count)'],
    [['credentials', 'create', '--name', 'n'.repeat(121), '--scopes', 'a:b'], '--name must be 1 to 120 characters'],
    [['credentials', 'create', '--name', 'x', '--scopes', 'a:b', '--client-id', 'has space'], '--client-id must be 3 to 128 characters of A-Z a-z 0-9 . _ -'],
    [['credentials', 'create', '--name', 'x', '--scopes', 'a:b', '--metadata', '[1]'], '--metadata must be a JSON object'],
    [['credentials', 'revoke', '--credentials', `${uuid},nope`, '--reason', 'r'], '--credentials: id 2 ("nope") is not a UUID'],
    [['credentials', 'rotate', '--credential', uuid, '--reason', ' \t '], '--reason must be 1 to 500 characters'],
    [['members', 'add', '--email', 'nobody', '--role', 'admin'], '--email must be an e-mail address'],
    [['brands', 'create', '--name', '  '], '--name must be 1 to 200 characters'],
  ])('%j: exit 2, naming the flag and the rule in plain words, with nothing stored', async (args, message) => {
    const before = await stored();
    const run = await mintid(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`mintid: ${message}`);
    expect(run.stderr).not.toMatch(VALIDATOR_WORDS);
    expect(run.stderr).toContain(`Run 'mintid ${args.slice(0, 2).join(' ')} --help' for usage.`);
    expect(await stored()).toEqual(before);
  });

  it('says the same as a JSON usage error with --json', async () => {
    const run = await mintid(['credentials', 'create', '--name', 'x', '--scopes', 'a,a', '--json']);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stderr).error).toEqual({
      code: 'usage', message: '--scopes: "a" is not a scope (resource:action in lower case, e.g. products:read)', reason: null,
      hint: "Run 'mintid credentials create --help'.",
    });
  });

  it('refuses a secret name without echoing the value read from standard input', async () => {
    const value = `never-echo-${randomUUID()}`;
    const before = await stored();
    const run = await mintid(['secrets', 'create', '--name', 'bad/name'], { input: value });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--name must be 1 to 100 characters of A-Z a-z 0-9 space . _ -');
    expect(run.stdout + run.stderr).not.toContain(value);
    expect(await stored()).toEqual(before);
  });

  it('refuses a secret value that is too long by its rule, never by echoing it', async () => {
    const value = `x${randomUUID()}`.padEnd(16_385, 'y');
    const run = await mintid(['secrets', 'create', '--name', 'too long'], { input: value });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('the value (read from standard input or the prompt) must be 1 to 16384 bytes of UTF-8');
    expect(run.stderr).not.toContain(value.slice(0, 20));
  });

  it('still sends a value the client accepts: the server answers (exit 0)', async () => {
    const run = await mintid(['credentials', 'list', '--limit', '200', '--json']);
    expect(run.code, run.stderr).toBe(0);
  });

  it('keeps the server\'s own refusals as they were (exit 5 with its reason)', async () => {
    const run = await mintid(['credentials', 'create', '--name', 'x', '--scopes', 'a:b', '--expires-at', '2020-01-01T00:00:00Z', '--json']);
    expect(run.code).toBe(5);
    expect(JSON.parse(run.stderr).error).toMatchObject({ code: 'invalid_input', reason: 'expires_at_not_future' });
  });
});

describe('an explicitly empty flag value', () => {
  it.each([
    [['credentials', 'create', '--name', 'x', '--scopes', ''], '--scopes was given an empty value; it is required: --scopes <a:b,c:d>'],
    [['credentials', 'create', '--name', '', '--scopes', 'a:b'], '--name was given an empty value; it is required'],
    [['credentials', 'create', '--name=', '--scopes', 'a:b'], '--name was given an empty value'],
    [['credentials', 'create', '--name', 'x', '--scopes', 'a:b', '--client-id', ''], '--client-id was given an empty value; give it one, or leave the flag out'],
    [['credentials', 'create', '--name', 'x', '--scopes', 'a:b', '--metadata', ''], '--metadata was given an empty value'],
    [['credentials', 'rotate', '--credential', uuid, '--reason', ''], '--reason was given an empty value'],
    [['credentials', 'list', '--cursor', ''], '--cursor was given an empty value'],
    [['credentials', 'list', '--brand', ''], '--brand was given an empty value; give it one, or leave the flag out to use MINTID_BRAND_ID'],
    [['members', 'add', '--email', '', '--role', 'admin'], '--email was given an empty value'],
    // secrets check their required options late (after refusing --value), but an empty one is still said as required.
    [['secrets', 'create', '--name', ''], '--name was given an empty value; it is required: --name <text>'],
    [['secrets', 'update', '--secret', ''], '--secret was given an empty value; it is required: --secret <uuid>'],
    [['secrets', 'update', '--secret', uuid, '--name', ''], '--name was given an empty value; give it one, or leave the flag out'],
  ])('%j: exit 2 naming the empty flag, not "missing required option"', async (args, message) => {
    const before = await stored();
    const run = await mintid(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`mintid: ${message}`);
    expect(run.stderr).not.toContain('missing required option');
    expect(await stored()).toEqual(before);
  });

  it('takes --description "" as no description (an update clears it)', async () => {
    const created = await mintid(['secrets', 'create', '--name', `described ${randomUUID().slice(0, 8)}`, '--description', 'old', '--json'], { input: 'v' });
    expect(created.code, created.stderr).toBe(0);
    const { secret_id } = JSON.parse(created.stdout) as { secret_id: string };
    const cleared = await mintid(['secrets', 'update', '--secret', secret_id, '--description', '']);
    expect(cleared.code, cleared.stderr).toBe(0);
    const [row] = await t.db.admin`select description from mintid.brand_secrets where id = ${secret_id}`;
    expect(row?.description).toBe('');
  });

  it('refuses --value "" with the reason values never come from the command line', async () => {
    const run = await mintid(['secrets', 'create', '--name', 'x', '--value', '']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--value refused');
    expect(run.stderr).not.toContain('was given an empty value');
  });
});

describe('missing connection options', () => {
  it('say how to get them for the local stack: eval "$(npx mintid env)" while npm start runs', async () => {
    const run = await mintid(['credentials', 'list'], { env: { MINTID_KEY: undefined, MINTID_BRAND_ID: undefined } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('missing required options --brand (or MINTID_BRAND_ID), --key (or MINTID_KEY)');
    expect(run.stderr).toMatch(/\n {2}hint: For the local stack, run eval "\$\(npx mintid env\)" in this terminal while `npm start` runs/);
  });

  it('say it once, in the JSON hint too', async () => {
    const run = await mintid(['members', 'list', '--json'], { env: { MINTID_KEY: undefined, MINTID_BRAND_ID: undefined } });
    expect(run.code).toBe(2);
    const { hint } = JSON.parse(run.stderr).error as { hint: string };
    expect(hint.match(/npx mintid env/g)).toHaveLength(1);
    expect(hint).toContain('npm start');
  });

  it('do not add that hint when only a flag without a local default is missing', async () => {
    const run = await mintid(['credentials', 'create', '--scopes', 'a:b']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('missing required option --name');
    expect(run.stderr).not.toContain('hint:');
  });
});

describe('every option that carries a parameter of the typed client', () => {
  /** Options that carry no parameter of the typed client (connection, output, or refused outright). */
  const NOT_PARAMS = new Set(['url', 'key', 'token', 'json', 'all', 'replace-value', 'value']);
  const leaves = (command: Command, path: string[]): [string, Command][] => (command.subcommands
    ? Object.entries(command.subcommands).flatMap(([name, sub]) => leaves(sub, [...path, name]))
    : [[path.join(' '), command]]);
  const commands = [['credentials', credentialsCommand], ['brands', brandsCommand], ['members', membersCommand], ['secrets', secretsCommand]] as const;
  const all = commands.flatMap(([name, command]) => leaves(command, [name]));

  it('is found in every command group', () => {
    expect(all.length).toBeGreaterThan(12);
  });

  it.each(all)('%s declares the rule said when the client refuses it', (_path, command) => {
    const without = Object.entries(command.options ?? {}).filter(([name, spec]) => !NOT_PARAMS.has(name) && !spec.rule).map(([name]) => name);
    expect(without).toEqual([]);
  });

  /**
   * What each command sends: the params schemas of the typed client's methods it calls, and the
   * parameters no flag carries (hashes the client makes, a value read from standard input).
   */
  const SENDS: Record<string, { schemas: z.ZodObject[]; internal?: string[] }> = {
    'credentials create': { schemas: [c.createCredentialParams, c.createCredentialRecordParams], internal: ['clientSecretHash'] },
    'credentials list': { schemas: [c.listCredentialsParams] },
    'credentials rotate': { schemas: [c.rotateSecretParams, c.rotateSecretRecordParams], internal: ['newSecretHash'] },
    'credentials revoke': { schemas: [c.revokeCredentialParams, c.revokeCredentialsParams] },
    'credentials end-grace': { schemas: [c.endRotationGraceParams] },
    'credentials events': { schemas: [c.listEventsParams, b.brandParams] },
    'brands list': { schemas: [] },
    'brands create': { schemas: [b.createBrandParams] },
    'brands events': { schemas: [b.listBrandEventsParams, b.brandParams] },
    'members list': { schemas: [b.brandParams] },
    'members add': { schemas: [b.addMemberParams] },
    'members set-role': { schemas: [b.setMemberRoleParams] },
    'members remove': { schemas: [b.removeMemberParams] },
    'secrets create': { schemas: [createBrandSecretParams], internal: ['value'] },
    'secrets list': { schemas: [listBrandSecretsParams] },
    'secrets update': { schemas: [updateBrandSecretParams], internal: ['value'] },
    'secrets delete': { schemas: [secretRefParams] },
  };
  const snake = (param: string) => param.replace(/[A-Z]/g, (ch) => `_${ch.toLowerCase()}`);

  it('knows what every command sends (a new command gets a line in SENDS)', () => {
    expect(all.map(([path]) => path).sort()).toEqual(Object.keys(SENDS).sort());
  });

  it.each(all)('%s has a flag for every parameter of the typed client it sends, by its client and its server name', (path, command) => {
    const { schemas, internal = [] } = SENDS[path]!;
    const keys = [...new Set(schemas.flatMap((schema) => Object.keys(schema.shape)))];
    // The allowance names parameters these schemas have (so it cannot outlive them).
    expect(internal.filter((key) => !keys.includes(key))).toEqual([]);
    const options = command.options ?? {};
    const sent = keys.filter((key) => !internal.includes(key));
    // A client refusal names `credentialId`; the server says `_credential_id`: both must become the flag.
    const unmapped = sent.filter((key) => flagFor(key, options) === null || paramsAsFlags(`_${snake(key)}`, options) !== flagFor(key, options));
    expect(unmapped).toEqual([]);
  });
});
