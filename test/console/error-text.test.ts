// The console's words for failures (console/src/error-text.ts), without a browser: every machine
// reason the migrations raise has plain words, and no text the console can show names an RPC or a
// parameter. The browser tests (refusals.test.ts, revoke-many.test.ts) show them on real answers.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { AuthApiError, AuthRetryableFetchError } from '@supabase/supabase-js';
import { describe, expect, it } from 'vitest';
import { BY_REASON, explainError } from '../../console/src/error-text.js';
import { ConflictError, ForbiddenError, InvalidInputError, TransportError, UnexpectedError } from '../../src/client/errors.js';
import { packageRootDir } from '../../src/local/console-build.js';

const MIGRATIONS = path.join(packageRootDir(), 'supabase', 'migrations');

/** Reasons only direct SQL (table rules, service-only RPCs) can meet: the console shows the class's words. */
const NOT_FROM_THE_CONSOLE = new Set([
  'credential_row_incomplete', 'rotation_incomplete', 'revocation_incomplete', 'rotation_columns_required', 'audit_insert_forbidden',
  'previous_secret_incomplete', 'failure_keys_invalid', 'used_at_invalid',
]);

async function migrationsText(): Promise<string> {
  const files = (await readdir(MIGRATIONS)).filter((f) => f.endsWith('.sql')).sort();
  return (await Promise.all(files.map((f) => readFile(path.join(MIGRATIONS, f), 'utf8')))).join('\n');
}

/** Words that would tell a developer, not a person, what to do: RPC names, `_param`s, SQL. */
async function developerWords(): Promise<RegExp> {
  const rpcs = [...(await migrationsText()).matchAll(/create (?:or replace )?function public\.(\w+)/g)].map((m) => m[1]!);
  return new RegExp(`\\b(${[...new Set(rpcs)].join('|')})\\b|(^|[\\s(])_[a-z]+|\\bparameter\\b|\\bRPC\\b|\\bSQL\\b|PGRST|PT409|22023|42501`, 'i');
}

describe('the console\'s words for failures', () => {
  it('every reason the migrations raise has plain words (new reasons need an entry)', async () => {
    const raised = new Set([...(await migrationsText()).matchAll(/raise_error\('\w+',\s*'(\w+)'/g)].map((m) => m[1]!));
    expect(raised.size).toBeGreaterThan(40);
    const missing = [...raised].filter((reason) => !BY_REASON[reason] && !NOT_FROM_THE_CONSOLE.has(reason) && reason !== 'not_brand_admin');
    expect(missing).toEqual([]);
  });

  it('no text names an RPC, a parameter or a SQLSTATE', async () => {
    const words = await developerWords();
    for (const [reason, [message, action]] of Object.entries(BY_REASON)) {
      expect(`${message} ${action ?? ''}`, reason).not.toMatch(words);
    }
  });

  it('a server answer is shown in the console\'s words, not the server\'s hint', async () => {
    const words = await developerWords();
    const answers = [
      new ConflictError('Conflict: the user is already a member of the brand', { status: 409, reason: 'already_member', hint: 'Change their role with set_brand_member_role.' }),
      new InvalidInputError('Invalid input: _brand_id is required', { status: 400, reason: 'brand_id_required', hint: 'Pass the brand\'s id.' }),
      new InvalidInputError('Invalid input: scopes.0: a scope is resource:action in lower case', { status: 0, reason: 'client_validation', hint: 'Fix the parameter before calling the server.' }),
      new ConflictError('Conflict: something new', { status: 409, reason: 'a_reason_from_the_future', hint: 'Call some_new_rpc with _x.' }),
      new UnexpectedError('The response of list_api_credential_records does not match the contract', { status: 200 }),
      new TransportError('TypeError: Failed to fetch', { status: 0, hint: 'Check the API URL and that the server is running.' }),
    ];
    for (const answer of answers) {
      const { message, action } = explainError(answer);
      expect(`${message} ${action ?? ''}`, answer.message).not.toMatch(words);
      expect(message).not.toBe(answer.message);
    }
    expect(explainError(answers[0]).action).toBe('Change their role in the Members table instead.');
    expect(explainError(answers[2]).message).toBe('A scope is not written as resource:action.');
    expect(explainError(answers[3]).code).toBe('conflict');
    // The typed client names the parameter in `field`; the message is then not read at all.
    const named = new InvalidInputError('Invalid input', { status: 0, reason: 'client_validation', hint: null, field: 'scopes.3' });
    expect(explainError(named).message).toBe('A scope is not written as resource:action.');
  });

  it('names the scopes the person wrote wrong when it knows what was typed, and only those', () => {
    const refused = new InvalidInputError('Invalid input: scopes.0: …', { status: 0, reason: 'client_validation', hint: null, field: 'scopes.0', fields: ['scopes.0', 'scopes.2'] });
    const scopes = ['Products:Read', 'orders:read', 'orders'];
    expect(explainError(refused, { scopes })).toMatchObject({
      message: 'The scopes “Products:Read” and “orders” are not written as resource:action.', code: 'scope_invalid',
    });
    const one = new InvalidInputError('Invalid input', { status: 0, reason: 'client_validation', hint: null, field: 'scopes.1' });
    expect(explainError(one, { scopes }).message).toBe('The scope “orders:read” is not written as resource:action.');
    // Without what was typed (or a path it does not hold), the general words: nothing invented.
    expect(explainError(refused).message).toBe('A scope is not written as resource:action.');
    expect(explainError(new InvalidInputError('Invalid input', { status: 0, reason: 'client_validation', hint: null, field: 'scopes.9' }), { scopes }).message)
      .toBe('A scope is not written as resource:action.');
    // A scope listed twice is not a scope written wrong.
    const twice = new InvalidInputError('Invalid input: scopes: scopes must be distinct', { status: 0, reason: 'client_validation', hint: null, field: 'scopes' });
    expect(explainError(twice, { scopes }).code).toBe('scopes_not_distinct');
  });

  it('says a well-written scope over 64 characters is too long, not written wrong', () => {
    const long = `products:${'a'.repeat(60)}`;
    const scopes = [long, 'Orders'];
    const both = new InvalidInputError('Invalid input', { status: 0, reason: 'client_validation', hint: null, field: 'scopes.0', fields: ['scopes.0', 'scopes.1'] });
    expect(explainError(both, { scopes }).message)
      .toBe(`The scope “Orders” is not written as resource:action. The scope “${long}” is longer than 64 characters.`);
    const only = new InvalidInputError('Invalid input', { status: 0, reason: 'client_validation', hint: null, field: 'scopes.0' });
    expect(explainError(only, { scopes })).toMatchObject({
      message: `The scope “${long}” is longer than 64 characters.`, action: 'Shorten it to at most 64 characters.', code: 'scope_invalid',
    });
  });

  it('a 403 names the role held and who can change it, and does not invent a role for a non-member', () => {
    const member = new ForbiddenError('Forbidden: only an owner or admin of the brand may manage its credentials', {
      status: 403, reason: 'not_brand_admin',
      hint: 'Your role in this brand is member; managing credentials needs owner or admin. An owner can change your role.',
    });
    expect(explainError(member)).toEqual({
      message: 'Your role in this brand is member. This needs the role owner or admin.',
      action: 'Ask an owner of the brand to change your role (the person who added you knows who they are).', code: 'not_brand_admin',
      // SPEC §11: the server's message and hint travel along, shown folded under the console's words.
      server: { message: member.message, hint: member.hint },
    });
    const stranger = new ForbiddenError('Forbidden: …', { status: 403, reason: 'not_brand_admin', hint: 'Ask an owner of the brand for the admin role, or check the brand id.' });
    expect(explainError(stranger).message).toBe('You are not an owner or admin of this brand, or it does not exist.');
  });

  it('sign-in failures: auth codes, a network failure and the local stack\'s 503', () => {
    expect(explainError(new AuthApiError('Invalid login credentials', 400, 'invalid_credentials')).message).toBe('Wrong e-mail or password.');
    expect(explainError(new AuthRetryableFetchError('Failed to fetch', 0)).code).toBe('network');
    expect(explainError(new AuthRetryableFetchError('{}', 503)).message).toBe('Sign-in is unavailable on this server right now.');
    expect(explainError(new AuthApiError('something new', 400, 'a_code_from_the_future')).message).toBe('Signing in did not work.');
    expect(explainError(new TypeError('Failed to fetch')).code).toBe('network');
  });
});
