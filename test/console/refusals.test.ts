// The console's refusals in a real Chromium: what the server (or the typed client) refuses is
// shown in the console's own words (console/src/error-text.ts) with the action to take — never
// an RPC or parameter name from the server's hint —, nothing changes, and nothing secret is sent. Also the static
// build without a config.json, and signing out.
import { createServer, type Server } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleDistDir } from '../../src/local/console-build.js';
import { generateClientId } from '../../src/secrets/generate.js';
import { hashClientSecret } from '../../src/secrets/hash.js';
import { DEMO_BRAND_ID, DEMO_PASSWORDS, DEMO_USERS, findChromium, ownWords, recordFocusOnDialogRemoval, serverDetails, SKIP_MESSAGE, startConsoleStack, type ConsoleStack } from './harness.js';

const chromiumPath = findChromium();
if (!chromiumPath) console.warn(`\n${SKIP_MESSAGE}\n`);
const SLOW = { timeout: 90_000 };

async function signIn(page: Page, stack: ConsoleStack, email: string, password: string): Promise<void> {
  await page.goto(stack.consoleUrl);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

async function signUp(page: Page, stack: ConsoleStack, email: string, password: string): Promise<void> {
  await page.goto(stack.consoleUrl);
  await page.getByRole('button', { name: 'Create an account' }).click();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign up' }).click();
}

const alertText = (page: Page) => page.getByRole('alert').first().textContent();

describe.skipIf(!chromiumPath)('console refusals in Chromium', () => {
  let stack: ConsoleStack;
  beforeAll(async () => {
    stack = await startConsoleStack(chromiumPath!);
  }, 180_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('sign-up: the server refuses a short password (weak_password) and an address already registered', SLOW, async () => {
    const { page } = await stack.newPage();
    await page.goto(stack.consoleUrl);
    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.getByLabel('Email').fill(`short-${Date.now()}@example.test`);
    // Past the browser's own minlength check, to the server's rule.
    await page.getByLabel('Password').evaluate((el) => el.removeAttribute('minlength'));
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await expect.poll(() => alertText(page)).toMatch(/The password is too short\.Use at least 8 characters\./);
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);

    await page.getByLabel('Email').fill(DEMO_USERS.member.email);
    await page.getByLabel('Password').fill('another-long-password');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await expect.poll(() => alertText(page)).toMatch(/An account with this e-mail already exists\.Sign in instead\./);
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
  });

  it('an unknown e-mail gets the same answer as a wrong password', SLOW, async () => {
    const { page } = await stack.newPage();
    const answers: string[] = [];
    for (const email of [`nobody-${Date.now()}@example.test`, DEMO_USERS.owner.email]) {
      await page.goto(stack.consoleUrl);
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill('wrong-password-123');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => alertText(page)).toMatch(/Wrong e-mail or password\./);
      answers.push((await alertText(page))!);
    }
    expect(answers[0]).toBe(answers[1]);
  });

  it('create: a malformed scope is refused before anything is sent, with the rule and what to do', SLOW, async () => {
    const { page } = await stack.newPage();
    await signIn(page, stack, DEMO_USERS.admin.email, DEMO_PASSWORDS.admin);
    const before = stack.requests.length;
    await page.getByRole('button', { name: 'New credential' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'New credential' });
    await dialog.getByLabel('Name').fill('Bad scopes');
    // Two scopes written wrong among three: the alert names both, as they were typed, and not the one that is right.
    await dialog.getByLabel('Scopes').fill('Products:Read, orders products:write');
    await dialog.getByRole('button', { name: 'Create', exact: true }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toMatch(/The scopes “Products:Read” and “orders” are not written as resource:action\./);
    expect(await dialog.getByRole('alert').textContent()).toMatch(/Write scopes in lower case, like products:read/);
    expect(await ownWords(dialog.getByRole('alert'))).not.toMatch(/Fix the parameter|Invalid input|scopes\.\d|products:write/);
    expect(await dialog.getByRole('alert').getAttribute('data-error-code')).toBe('scope_invalid');
    // One wrong scope: named alone.
    await dialog.getByLabel('Scopes').fill('orders:read Orders:Write');
    await dialog.getByRole('button', { name: 'Create', exact: true }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toMatch(/The scope “Orders:Write” is not written as resource:action\./);
    expect(stack.requests.slice(before).filter((r) => r.url.includes('create_api_credential_record'))).toEqual([]);
    // Metadata that is not a JSON object: refused in the dialog.
    await dialog.getByLabel('Scopes').fill('products:read');
    await dialog.getByLabel('Metadata').fill('[1, 2]');
    await dialog.getByRole('button', { name: 'Create', exact: true }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toMatch(/JSON object/);
    const focusOnRemoval = await recordFocusOnDialogRemoval(page);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
    // Escape gave focus back in the same DOM change that removed the dialog.
    expect(await focusOnRemoval()).toEqual(['button: New credential']);
    await page.getByText('No credentials yet.').waitFor();
    // Focus is back on the button that opened the dialog; the keyboard alone opens it again.
    const opener = page.getByRole('button', { name: 'New credential' }).first();
    expect(await opener.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('dialog', { name: 'New credential' }).getByLabel('Name')
      .evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('Escape');
  });

  it('a role taken away while a dialog is open: the 403 names the role held and the role needed, and says who can change it', SLOW, async () => {
    const { page } = await stack.newPage();
    const email = `demoted-${Date.now()}@example.test`;
    await signUp(page, stack, email, 'a-long-enough-password');
    await page.getByRole('heading', { name: 'Create your first brand' }).waitFor();
    await stack.db.rpc('operator', 'add_brand_member', { _brand_id: DEMO_BRAND_ID, _email: email, _role: 'admin' });
    await page.reload();
    await page.getByRole('button', { name: 'New credential' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'New credential' });
    await dialog.getByLabel('Name').fill('Never created');
    await dialog.getByLabel('Scopes').fill('products:read');
    const [row] = await stack.db.admin<{ user_id: string }[]>`select id as user_id from auth.users where email = ${email}`;
    const userId = row!.user_id;
    await stack.db.rpc('operator', 'set_brand_member_role', { _brand_id: DEMO_BRAND_ID, _user_id: userId, _role: 'member' });
    await dialog.getByRole('button', { name: 'Create', exact: true }).click();
    const alert = dialog.getByRole('alert');
    await expect.poll(() => alert.textContent()).toMatch(/Your role in this brand is member\. This needs the role owner or admin\./);
    expect(await alert.textContent()).toMatch(/Ask an owner of the brand to change your role \(the person who added you knows who they are\)\./);
    expect(await alert.getAttribute('data-error-code')).toBe('not_brand_admin');
    expect(await ownWords(alert)).not.toMatch(/Forbidden|managing credentials needs/);
    // SPEC §11: the server's message and hint are there too, folded under the console's words.
    const details = await serverDetails(alert);
    expect(details).toMatch(/Forbidden: only an owner or admin of the brand may manage its credentials/);
    expect(details).toMatch(/Your role in this brand is member; managing credentials needs owner or admin/);
    expect(await page.getByRole('region', { name: 'Client secret' }).count()).toBe(0);
  });

  it('revoke: a credential someone else revoked while the dialog was open answers 409, shown as already revoked', SLOW, async () => {
    const created = await stack.db.rpc<{ credential_id: string }>('operator', 'create_api_credential_record', {
      _brand_id: DEMO_BRAND_ID, _name: 'Revoked elsewhere', _client_id: generateClientId(),
      _client_secret_hash: await hashClientSecret(`mintid_refusal_${Date.now()}`), _scopes: ['products:read'],
    });
    const { page } = await stack.newPage();
    await signIn(page, stack, DEMO_USERS.admin.email, DEMO_PASSWORDS.admin);
    await page.getByRole('button', { name: 'Revoke Revoked elsewhere' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke Revoked elsewhere?' });
    await dialog.getByLabel('Reason', { exact: true }).fill('Too late');
    await stack.db.rpc('operator', 'revoke_api_credential_record', { _brand_id: DEMO_BRAND_ID, _credential_id: created.credential_id, _reason: 'elsewhere' });
    await dialog.getByRole('button', { name: 'Revoke Revoked elsewhere' }).click();
    const alert = dialog.getByRole('alert');
    await expect.poll(() => ownWords(alert)).toBe('This credential has already been revoked, so it can no longer be changed.Reload the page to see the current state.');
    expect(await serverDetails(alert)).toMatch(/revoked/);
    expect(await alert.getAttribute('data-error-code')).toBe('credential_revoked');
    // The other revocation stands, unchanged.
    const [row] = await stack.db.admin<{ revocation_reason: string }[]>`select revocation_reason from mintid.api_credentials where id = ${created.credential_id}`;
    expect(row!.revocation_reason).toBe('elsewhere');
  });

  it('the network fails while the list loads: said plainly, and the list comes back once online', SLOW, async () => {
    const { context, page } = await stack.newPage();
    await signIn(page, stack, DEMO_USERS.admin.email, DEMO_PASSWORDS.admin);
    await page.getByRole('heading', { name: 'Credentials' }).waitFor();
    await context.setOffline(true);
    await page.getByLabel('Status').selectOption('revoked');
    await expect.poll(() => alertText(page)).toBe('The console could not reach the server.Check your connection and try again.');
    expect(await alertText(page)).not.toMatch(/TypeError|Failed to fetch|API URL/);
    await context.setOffline(false);
    await page.getByLabel('Status').selectOption('');
    await expect.poll(() => page.getByRole('alert').count()).toBe(0);
  });

  it('members: the last owner cannot demote themself (409 last_owner shown); an admin sees who may change members', SLOW, async () => {
    const { page } = await stack.newPage();
    await signIn(page, stack, DEMO_USERS.owner.email, DEMO_PASSWORDS.owner);
    await page.getByRole('link', { name: 'Members' }).click();
    const table = page.getByRole('table', { name: 'Members' });
    await expect.poll(() => table.getByRole('row').count()).toBeGreaterThanOrEqual(4);
    const ownRole = page.getByRole('combobox', { name: `Role of ${DEMO_USERS.owner.email}` });
    const sent = () => stack.requests.filter((r) => r.url.includes('set_brand_member_role')).length;
    const before = sent();
    await ownRole.selectOption('member');
    // Picking sends nothing; Save asks first (it gives up the owner role), and Cancel puts it back.
    await page.getByRole('button', { name: `Save role of ${DEMO_USERS.owner.email}` }).click();
    let confirm = page.getByRole('dialog', { name: 'Give up your owner role in Acme Demo Brand?' });
    expect(await confirm.textContent()).toMatch(/another owner has to/);
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    expect(await ownRole.inputValue()).toBe('owner');
    expect(sent()).toBe(before);
    await ownRole.selectOption('member');
    await page.getByRole('button', { name: `Save role of ${DEMO_USERS.owner.email}` }).click();
    confirm = page.getByRole('dialog', { name: 'Give up your owner role in Acme Demo Brand?' });
    await confirm.getByRole('button', { name: 'Change role to member' }).click();
    await expect.poll(() => confirm.getByRole('alert').textContent()).toMatch(/The brand would be left without an owner\.Make another member an owner first\./);
    expect(await ownWords(confirm.getByRole('alert'))).not.toMatch(/Conflict|set_brand_member_role/);
    expect(sent()).toBe(before + 1);
    // No success is claimed.
    expect(await page.getByRole('status').filter({ hasText: 'changed to' }).count()).toBe(0);
    await page.keyboard.press('Escape');
    // Unchanged: still the owner (the select shows the stored role again).
    await expect.poll(() => ownRole.inputValue()).toBe('owner');

    const admin = await stack.newPage();
    await signIn(admin.page, stack, DEMO_USERS.admin.email, DEMO_PASSWORDS.admin);
    await admin.page.getByRole('link', { name: 'Members' }).click();
    const note = admin.page.getByRole('note', { name: 'Your role' });
    await expect.poll(() => note.textContent()).toMatch(/role in Acme Demo Brand is admin.*needs the role owner/);
    // An admin sees the member list, so the note names the owner to ask, and does not send them to the page they are on.
    await expect.poll(() => note.textContent()).toMatch(new RegExp(`ask the owner, ${DEMO_USERS.owner.email.replace('.', '\\.')}\\.`));
    expect(await note.textContent()).not.toMatch(/Members page/);
    expect(await admin.page.getByRole('button', { name: 'Add member' }).count()).toBe(0);
    expect(await admin.page.getByRole('combobox', { name: /Role of/ }).count()).toBe(0);
  });

  it('secrets: a duplicate name is refused (409 secret_name_taken) and the typed value stays out of the page after saving', SLOW, async () => {
    const { page } = await stack.newPage();
    await signIn(page, stack, DEMO_USERS.admin.email, DEMO_PASSWORDS.admin);
    await page.getByRole('link', { name: 'Secrets' }).click();
    await page.getByText('No secrets yet.').waitFor();
    for (const [attempt, value] of [[1, 'first-value-1234'], [2, 'second-value-5678']] as const) {
      await page.getByRole('button', { name: 'New secret' }).first().click();
      const dialog = page.getByRole('dialog', { name: 'New secret' });
      await dialog.getByLabel('Name').fill(attempt === 1 ? 'Partner key' : 'PARTNER KEY');
      await dialog.getByLabel('Value').fill(value);
      await dialog.getByRole('button', { name: 'Save' }).click();
      if (attempt === 1) {
        await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
        await expect.poll(() => page.getByRole('status').filter({ hasText: /^Secret / }).textContent()).toBe('Secret Partner key created.');
      } else {
        await expect.poll(() => dialog.getByRole('alert').textContent()).toMatch(/This brand already has a secret with this name/);
        expect(await dialog.getByRole('alert').textContent()).toMatch(/Choose another name, or edit the existing secret\./);
        expect(await ownWords(dialog.getByRole('alert'))).not.toMatch(/Conflict|_name/);
        await dialog.getByRole('button', { name: 'Cancel' }).click();
        // The refused one is not announced, and the first one's message went when this dialog opened.
        expect(await page.getByRole('status').filter({ hasText: /^Secret / }).count()).toBe(0);
      }
    }
    const table = page.getByRole('table', { name: 'Brand secrets' });
    await expect.poll(() => table.getByRole('row').count()).toBe(2);
    const html = await page.content();
    expect(html).not.toContain('first-value-1234');
    expect(html).not.toContain('second-value-5678');
  });

  it('sign out ends the session: a reload shows the sign-in page', SLOW, async () => {
    const { page } = await stack.newPage();
    await signIn(page, stack, DEMO_USERS.admin.email, DEMO_PASSWORDS.admin);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await page.reload();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
    expect(await page.evaluate(() => localStorage.getItem('mintid-console-auth'))).toBeNull();
  });

  it('the static build without a config.json says what to put next to index.html', SLOW, async () => {
    // dist/console/ served as plain static files (no config.json), as a static host would.
    const root = consoleDistDir();
    const server: Server = createServer(async (req, res) => {
      const relative = decodeURIComponent(new URL(req.url!, 'http://x').pathname).replace(/^\/+/, '') || 'index.html';
      const file = path.join(root, relative);
      if (!file.startsWith(root) || !(await stat(file).then((s) => s.isFile(), () => false))) {
        res.writeHead(404).end('not found');
        return;
      }
      const type = file.endsWith('.js') ? 'text/javascript' : file.endsWith('.css') ? 'text/css' : 'text/html';
      res.writeHead(200, { 'Content-Type': type }).end(await readFile(file));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { page } = await stack.newPage();
      await page.goto(`http://127.0.0.1:${(server.address() as { port: number }).port}/`);
      await page.getByRole('heading', { name: 'The console is not configured' }).waitFor();
      expect(await page.getByRole('alert').textContent()).toMatch(/config\.json is missing/);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe.skipIf(!chromiumPath)('console sign-in when the server\'s local sign-in is unavailable', () => {
  let stack: ConsoleStack;
  beforeAll(async () => {
    // /auth/v1 answers 503 local_signin_unavailable: its supabase_auth_admin login is refused (as with a non-superuser DATABASE_URL).
    stack = await startConsoleStack(chromiumPath!, {
      authDatabaseUrl: (db) => { const url = new URL(db.urls.authAdmin); url.password = 'not-the-auth-admin-password'; return url.toString(); },
    });
  }, 180_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('says sign-in is unavailable on this server, not "{}" or a 500', SLOW, async () => {
    const { page } = await stack.newPage();
    await page.goto(stack.consoleUrl);
    await page.getByLabel('Email').fill(DEMO_USERS.admin.email);
    await page.getByLabel('Password').fill(DEMO_PASSWORDS.admin);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => alertText(page)).toBe('Sign-in is unavailable on this server right now.Ask whoever runs the server: its log says why.');
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
  });
});

