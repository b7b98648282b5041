// The console (SPEC §11) in a real Chromium, driven the way a person uses it: by roles and
// accessible names. Every request the browser sends is recorded and searched for the plaintext
// secrets the console showed. Screenshots of the main screens at 1280 and 375 px go to
// test-results/console/; axe-core audits each main screen.
import path from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateClientId } from '../../src/secrets/generate.js';
import { hashClientSecret } from '../../src/secrets/hash.js';
import { axeViolations, DEMO_BRAND_ID, recordFocusOnDialogRemoval, DEMO_PASSWORDS, DEMO_USERS, findChromium, ownWords, SCREENSHOT_DIR, serverDetails, SKIP_MESSAGE, startConsoleStack, type ConsoleStack } from './harness.js';

const chromiumPath = findChromium();
if (!chromiumPath) console.warn(`\n${SKIP_MESSAGE}\n`);

const SLOW = { timeout: 120_000 };
/** Secrets the console showed during this file; none may appear in any request. */
const shownSecrets: string[] = [];
/** axe results per screen, printed at the end. */
const audits: { screen: string; width: number; violations: Awaited<ReturnType<typeof axeViolations>> }[] = [];

async function shoot(page: Page, name: string): Promise<void> {
  const width = page.viewportSize()!.width;
  // A modal's backdrop covers the viewport only: dialogs are shot as the viewport shows them.
  const fullPage = (await page.locator('dialog[open]').count()) === 0;
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}-${width}.png`), fullPage });
}

/** Screenshot + axe audit of the current screen. */
async function screen(page: Page, name: string): Promise<void> {
  await shoot(page, name);
  audits.push({ screen: name, width: page.viewportSize()!.width, violations: await axeViolations(page) });
}

async function signIn(page: Page, stack: ConsoleStack, email: string, password: string): Promise<void> {
  await page.goto(stack.consoleUrl);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** Reads the secret from the "Client secret" dialog through its Copy button and the clipboard. */
async function copySecret(page: Page): Promise<{ clientId: string; clientSecret: string }> {
  const region = page.getByRole('region', { name: 'Client secret' });
  await region.waitFor();
  await region.getByRole('button', { name: 'Copy secret' }).click();
  await expect.poll(() => region.getByRole('status').textContent()).toContain('copied');
  const clientSecret = await page.evaluate(() => navigator.clipboard.readText());
  const clientId = (await region.locator('dd code').first().textContent())!.trim();
  expect(clientSecret).toMatch(/^mintid_[0-9A-Za-z]{49}$/);
  shownSecrets.push(clientSecret);
  return { clientId, clientSecret };
}

async function exchange(stack: ConsoleStack, clientId: string, clientSecret: string) {
  const response = await fetch(`${stack.url}/functions/v1/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: `Basic ${btoa(`${clientId}:${clientSecret}`)}` },
    body: 'grant_type=client_credentials',
  });
  return { status: response.status, body: await response.json() as Record<string, unknown> };
}

/**
 * The brand's audit trail as a person reads it on a phone: no line starts with the "·" that joins
 * an action to its subject, and every entry's date sits at the same place (left edge, under its title).
 */
async function checkAuditLayout(page: Page): Promise<void> {
  const entries = await page.getByRole('list', { name: /audit trail of/i }).getByRole('listitem').all();
  expect(entries.length).toBeGreaterThanOrEqual(3);
  const dateLefts = new Set<number>();
  for (const entry of entries) {
    const layout = await entry.evaluate((item) => {
      const action = item.querySelector('strong')!.getBoundingClientRect();
      const walker = document.createTreeWalker(item, NodeFilter.SHOW_TEXT);
      let dot: DOMRect | null = null;
      for (let node = walker.nextNode(); node && !dot; node = walker.nextNode()) {
        const at = node.textContent!.indexOf('·');
        if (at < 0) continue;
        const range = document.createRange();
        range.setStart(node, at);
        range.setEnd(node, at + 1);
        dot = range.getBoundingClientRect();
      }
      const time = item.querySelector('time')!.getBoundingClientRect();
      return { actionTop: Math.round(action.top), dotTop: dot ? Math.round(dot.top) : null, timeLeft: Math.round(time.left), timeTop: time.top, actionBottom: action.bottom };
    });
    if (layout.dotTop !== null) expect(Math.abs(layout.dotTop - layout.actionTop), 'the "·" stays on the action\'s line').toBeLessThanOrEqual(2);
    expect(layout.timeTop).toBeGreaterThanOrEqual(layout.actionBottom - 1);
    dateLefts.add(layout.timeLeft);
  }
  expect([...dateLefts]).toHaveLength(1);
}

const rowOf = (page: Page, name: string) => page.getByRole('table', { name: 'Credentials' }).getByRole('row').filter({ hasText: name });

describe.skipIf(!chromiumPath)('console in Chromium', () => {
  let stack: ConsoleStack;
  beforeAll(async () => {
    stack = await startConsoleStack(chromiumPath!);
  }, 180_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('sign-in page: demo accounts listed; a wrong password shows a plain message', SLOW, async () => {
    for (const width of [1280, 375]) {
      const { page } = await stack.newPage({ width });
      await page.goto(stack.consoleUrl);
      const demo = page.getByRole('region', { name: 'Local demo accounts' });
      await expect.poll(() => demo.getByRole('listitem').filter({ hasText: DEMO_USERS.admin.email }).textContent()).toContain(DEMO_PASSWORDS.admin);
      // "Use" fills the form with the account.
      await demo.getByRole('button', { name: 'Use the demo member account' }).click();
      expect(await page.getByLabel('Email').inputValue()).toBe(DEMO_USERS.member.email);
      await screen(page, 'sign-in');
      // Each e-mail and password is shown whole, on one line, at both widths (typed as shown).
      for (const value of await demo.getByRole('listitem').locator('code').all()) {
        expect(await value.evaluate((el) => {
          const range = document.createRange();
          range.selectNodeContents(el);
          return new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top))).size;
        }), `${await value.textContent()} at ${width} px`).toBe(1);
      }
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      await page.getByLabel('Email').fill(DEMO_USERS.admin.email);
      await page.getByLabel('Password').fill('not-the-password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/Wrong e-mail or password\./);
      expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
      await page.close();
    }
  });

  it('admin: create, copy the secret, exchange it, rotate, revoke with a reason code, audit trail', SLOW, async () => {
    const { page } = await stack.newPage({ width: 1280 });
    await signIn(page, stack, DEMO_USERS.admin.email, DEMO_PASSWORDS.admin);
    await expect.poll(() => page.getByRole('combobox', { name: 'Brand' }).inputValue()).toBe(DEMO_BRAND_ID);
    await page.getByRole('heading', { name: 'No credentials yet.' }).or(page.getByText('No credentials yet.')).waitFor();
    await screen(page, 'credentials-empty');

    // Create: the dialog shows its progress; the secret comes back once, in "Client secret".
    const opener = page.getByRole('button', { name: 'New credential' }).first();
    const focusOnRemoval = await recordFocusOnDialogRemoval(page);
    await opener.click();
    const dialog = page.getByRole('dialog', { name: 'New credential' });
    await expect.poll(() => dialog.getByLabel('Name').evaluate((el) => el === document.activeElement)).toBe(true);
    await dialog.getByLabel('Name').fill('ERP sync');
    await dialog.getByLabel('Scopes').fill('products:read orders:write');
    await dialog.getByLabel('Metadata').fill('{"team": "erp"}');
    await screen(page, 'new-credential');
    await dialog.getByRole('button', { name: 'Create', exact: true }).click();
    await dialog.getByRole('status').filter({ hasText: 'argon2id' }).waitFor();
    await shoot(page, 'new-credential-progress');
    const { clientId, clientSecret } = await copySecret(page);
    // The client ID has its own Copy button too.
    const secretRegion = page.getByRole('region', { name: 'Client secret' });
    await secretRegion.getByRole('button', { name: 'Copy client ID' }).click();
    await expect.poll(() => secretRegion.getByRole('status').textContent()).toBe('Client ID copied.');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(clientId);
    await screen(page, 'client-secret');
    const token = await exchange(stack, clientId, clientSecret);
    expect(token.status).toBe(200);
    const jwks = createRemoteJWKSet(new URL(`${stack.url}/functions/v1/jwks`));
    const { payload } = await jwtVerify(token.body.access_token as string, jwks, { audience: 'mintid' });
    expect(payload).toMatchObject({ client_id: clientId, brand_id: DEMO_BRAND_ID, scope: 'products:read orders:write' });
    await page.getByRole('button', { name: 'I have stored it' }).click();
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
    expect(await opener.evaluate((el) => el === document.activeElement)).toBe(true);
    // Focus moved in the same DOM change that removed each dialog, never sitting on <body> in
    // between (where a screen reader announces the page): "New credential" gave way to "Client
    // secret" with its Copy button focused, and closing that gave focus back to the opener.
    expect(await focusOnRemoval()).toEqual(['button: Copy secret', 'button: New credential']);

    const row = rowOf(page, 'ERP sync');
    await expect.poll(() => row.textContent()).toContain(clientId);
    expect(await row.textContent()).toContain('Active');
    // At 1280 px the table fits its box: no column (Revoke included) is cut off or scrolled away.
    const fit = await page.getByRole('table', { name: 'Credentials' }).evaluate((table) => ({ table: table.scrollWidth, box: table.parentElement!.clientWidth }));
    expect(fit.table).toBeLessThanOrEqual(fit.box);
    await screen(page, 'credentials');

    // Rotate: the reason is empty and required (nothing typed, nothing sent); the grace choice says
    // what it means next to it; a new secret, shown once; without grace the old one stops at once.
    await row.getByRole('button', { name: 'Rotate' }).click();
    const rotate = page.getByRole('dialog', { name: /rotate/i });
    const reason = rotate.getByLabel('Reason');
    expect(await reason.inputValue()).toBe('');
    expect(await rotate.getByLabel('Grace period').inputValue()).toBe('0');
    expect(await rotate.getByText(/The current secret stops working at once/).count()).toBe(1);
    await rotate.getByLabel('Grace period').selectOption('3600');
    await expect.poll(() => rotate.getByText(/keeps working until about/).count()).toBe(1);
    expect(await rotate.getByText(/stops working at once/).count()).toBe(0);
    await rotate.getByLabel('Grace period').selectOption('0');
    await expect.poll(() => rotate.getByText(/stops working at once/).count()).toBe(1);
    await screen(page, 'rotate');
    const beforeRotate = stack.requests.length;
    await rotate.getByRole('button', { name: 'Rotate' }).click();
    expect(await reason.evaluate((el) => (el as HTMLTextAreaElement).validity.valueMissing)).toBe(true);
    await reason.fill('   ');
    await rotate.getByRole('button', { name: 'Rotate' }).click();
    await expect.poll(() => rotate.getByRole('alert').textContent()).toMatch(/Give a reason for the rotation/);
    expect(await page.getByRole('region', { name: 'Client secret' }).count()).toBe(0);
    expect(stack.requests.slice(beforeRotate).filter((r) => r.url.includes('rotate_api_credential_secret_record'))).toEqual([]);
    await reason.fill('Quarterly rotation');
    await rotate.getByRole('button', { name: 'Rotate' }).click();
    const rotated = await copySecret(page);
    expect(rotated.clientId).toBe(clientId);
    expect(rotated.clientSecret).not.toBe(clientSecret);
    expect((await exchange(stack, clientId, rotated.clientSecret)).status).toBe(200);
    expect((await exchange(stack, clientId, clientSecret)).status).toBe(401);
    await page.getByRole('button', { name: 'I have stored it' }).click();

    // Revoke: the confirmation names the credential; cancelling changes nothing.
    await row.getByRole('button', { name: 'Revoke' }).click();
    let confirm = page.getByRole('dialog', { name: 'Revoke ERP sync?' });
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    expect(await row.textContent()).toContain('Active');
    await row.getByRole('button', { name: 'Revoke' }).click();
    confirm = page.getByRole('dialog', { name: 'Revoke ERP sync?' });
    expect(await confirm.textContent()).toContain(clientId);
    // Issued access tokens are not recalled: the dialog says so instead of "stop working now".
    expect(await confirm.textContent()).toMatch(/already holds stay valid until they\s+expire/);
    await confirm.getByLabel('Reason code').selectOption('key_compromise');
    await confirm.getByLabel('Reason', { exact: true }).fill('Secret pasted into a ticket');
    await screen(page, 'revoke-confirm');
    await confirm.getByRole('button', { name: 'Revoke' }).click();
    await expect.poll(() => row.textContent()).toContain('Revoked');
    expect((await exchange(stack, clientId, rotated.clientSecret)).status).toBe(401);

    // Status filter: revoked shows it, active does not.
    await page.getByRole('combobox', { name: 'Status' }).selectOption('active');
    await page.getByText('No active credentials.').waitFor();
    await page.getByRole('combobox', { name: 'Status' }).selectOption('revoked');
    await expect.poll(() => rowOf(page, 'ERP sync').count()).toBe(1);
    await page.getByRole('combobox', { name: 'Status' }).selectOption('');

    // The credential's trail: created, rotated, revoked (with its reason code), newest first.
    await rowOf(page, 'ERP sync').getByRole('button', { name: 'History' }).click();
    const trail = page.getByRole('list', { name: 'Audit trail of ERP sync' });
    await expect.poll(() => trail.getByRole('listitem').count()).toBe(3);
    const items = await trail.getByRole('listitem').allTextContents();
    expect(items[0]).toMatch(/Revoked/);
    expect(items[0]).toMatch(/Key compromise \(the secret leaked\)/);
    expect(items[1]).toMatch(/rotated/i);
    expect(items[2]).toMatch(/Created/);
    await screen(page, 'credential-history');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);

    // The brand's trail shows the same records.
    await page.getByRole('link', { name: 'Audit trail' }).click();
    const brandTrail = page.getByRole('list', { name: /audit trail of/i });
    await expect.poll(() => brandTrail.getByRole('listitem').count()).toBeGreaterThanOrEqual(3);
    await screen(page, 'brand-audit');
    await page.close();
  });

  it('errors are shown in the console\'s words with the action to take (an expiry in the past)', SLOW, async () => {
    const { page } = await stack.newPage({ width: 1280 });
    await signIn(page, stack, DEMO_USERS.admin.email, DEMO_PASSWORDS.admin);
    await page.getByRole('button', { name: 'New credential' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'New credential' });
    await dialog.getByLabel('Name').fill('Too late');
    await dialog.getByLabel('Scopes').fill('products:read');
    await dialog.getByLabel('Expires').fill('2020-01-01T10:00');
    await dialog.getByRole('button', { name: 'Create', exact: true }).click();
    const alert = dialog.getByRole('alert');
    await expect.poll(() => alert.textContent()).toMatch(/The expiry is in the past\./);
    expect(await alert.locator('.notice-hint').textContent()).toBe('Pick a date and time in the future, or leave it empty for no expiry.');
    expect(await ownWords(alert)).not.toMatch(/Invalid input|_expires_at/);
    expect(await page.getByRole('region', { name: 'Client secret' }).count()).toBe(0);
    // The dialog traps focus: Tab from the last control comes back to the first.
    await dialog.getByRole('button', { name: 'Create', exact: true }).focus();
    await page.keyboard.press('Tab');
    expect(await dialog.getByRole('button', { name: 'Close' }).evaluate((el) => el === document.activeElement)).toBe(true);
    await page.close();
  });

  it('member: sees plainly that the role is member and which role managing credentials needs', SLOW, async () => {
    for (const width of [1280, 375]) {
      const { page } = await stack.newPage({ width });
      await signIn(page, stack, DEMO_USERS.member.email, DEMO_PASSWORDS.member);
      const note = page.getByRole('note', { name: 'Your role' });
      await expect.poll(() => note.textContent()).toMatch(/role in Acme Demo Brand is member/);
      expect(await note.textContent()).toMatch(/needs the role owner or admin/);
      // A member cannot see the owners: the note says whom to ask, not a page that would not tell them.
      expect(await note.textContent()).toMatch(/ask the person who added you to the brand/);
      expect(await note.textContent()).not.toMatch(/Members page/);
      expect(await page.getByRole('button', { name: 'New credential' }).count()).toBe(0);
      await screen(page, 'member-role');
      // On the Members page itself the note does not point to the page it is on either.
      await page.getByRole('link', { name: 'Members' }).click();
      await expect.poll(() => note.textContent()).toMatch(/Managing members needs the role owner/);
      expect(await note.textContent()).not.toMatch(/Members page/);
      await page.close();
    }
  });

  it('sign up, create a brand, invite the demo admin as a member; the admin sees the brand', SLOW, async () => {
    const { page } = await stack.newPage({ width: 1280 });
    const email = `newcomer-${Date.now()}@example.test`;
    await page.goto(stack.consoleUrl);
    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Sign up' }).click();
    // The browser's own minlength check stops it; a server refusal would show as an alert.
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
    await page.getByLabel('Password').fill('a-long-enough-password');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.getByRole('heading', { name: 'Create your first brand' }).waitFor();
    await screen(page, 'first-brand');
    await page.getByLabel('Brand name').fill('Newcomer Shop');
    await page.getByRole('button', { name: 'Create brand' }).click();
    await expect.poll(() => page.getByRole('combobox', { name: 'Brand' }).locator('option:checked').textContent()).toContain('Newcomer Shop');

    await page.getByRole('link', { name: 'Members' }).click();
    const members = page.getByRole('table', { name: 'Members' });
    await expect.poll(() => members.getByRole('row').filter({ hasText: email }).count()).toBe(1);
    await page.getByLabel('E-mail of the new member').fill(DEMO_USERS.admin.email);
    await page.getByLabel('Role', { exact: true }).selectOption('member');
    await page.getByRole('button', { name: 'Add member' }).click();
    await expect.poll(() => members.getByRole('row').filter({ hasText: DEMO_USERS.admin.email }).count()).toBe(1);
    // Adding the same person again: the server's 409 already_member, in the console's words (not "set_brand_member_role").
    await page.getByLabel('E-mail of the new member').fill(DEMO_USERS.admin.email);
    await page.getByRole('button', { name: 'Add member' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/This person is already a member of the brand\./);
    expect(await page.getByRole('alert').textContent()).toMatch(/Change their role in the Members table instead\./);
    expect(await ownWords(page.getByRole('alert'))).not.toMatch(/set_brand_member_role|Conflict/);
    expect(await serverDetails(page.getByRole('alert'))).toMatch(/set_brand_member_role/);
    await screen(page, 'members');

    // A role change is deliberate: picking a role sends nothing; Save sends it and says so.
    const roleSent = () => stack.requests.filter((r) => r.url.includes('set_brand_member_role')).length;
    const sentBefore = roleSent();
    const adminRole = page.getByRole('combobox', { name: `Role of ${DEMO_USERS.admin.email}` });
    const status = page.getByRole('status').filter({ hasText: /Role of|added as/ });
    await adminRole.selectOption('admin');
    await page.getByRole('button', { name: `Save role of ${DEMO_USERS.admin.email}` }).waitFor();
    expect(roleSent()).toBe(sentBefore);
    await screen(page, 'members-role-staged');
    await page.getByRole('button', { name: `Save role of ${DEMO_USERS.admin.email}` }).click();
    await expect.poll(() => status.textContent()).toBe(`Role of ${DEMO_USERS.admin.email} changed to admin.`);
    expect(await status.getAttribute('aria-live')).toBe('polite');
    expect(roleSent()).toBe(sentBefore + 1);
    // The stale already_member error went when the new action started.
    expect(await page.getByRole('alert').count()).toBe(0);
    // Undo puts the stored role back without sending anything.
    await adminRole.selectOption('member');
    await page.getByRole('button', { name: `Undo role change of ${DEMO_USERS.admin.email}` }).click();
    expect(await adminRole.inputValue()).toBe('admin');
    expect(await page.getByRole('button', { name: `Save role of ${DEMO_USERS.admin.email}` }).count()).toBe(0);

    // Granting owner asks first; Cancel changes nothing and sends nothing.
    await adminRole.selectOption('owner');
    await page.getByRole('button', { name: `Save role of ${DEMO_USERS.admin.email}` }).click();
    const grant = page.getByRole('dialog', { name: `Make ${DEMO_USERS.admin.email} an owner?` });
    expect(await grant.textContent()).toMatch(/can do everything in Newcomer Shop/);
    await screen(page, 'members-owner-confirm');
    await grant.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
    expect(await adminRole.inputValue()).toBe('admin');
    expect(roleSent()).toBe(sentBefore + 1);

    // A failed add, then a successful role change: the old error does not stay.
    await page.getByLabel('E-mail of the new member').fill(`nobody-${Date.now()}@example.test`);
    await page.getByRole('button', { name: 'Add member' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/No account has this e-mail address\./);
    expect(await status.count()).toBe(0);
    await adminRole.selectOption('member');
    await page.getByRole('button', { name: `Save role of ${DEMO_USERS.admin.email}` }).click();
    await expect.poll(() => status.textContent()).toBe(`Role of ${DEMO_USERS.admin.email} changed to member.`);
    expect(await page.getByRole('alert').count()).toBe(0);

    // A save that fails in the table (someone removed the member meanwhile): its error is shown
    // there, and Undo takes it away with the staged role; the member comes back as they were.
    const [shop] = await stack.db.admin<{ id: string }[]>`select id from mintid.brands where name = 'Newcomer Shop'`;
    const [adminUser] = await stack.db.admin<{ id: string }[]>`select id from auth.users where email = ${DEMO_USERS.admin.email}`;
    await stack.db.rpc('operator', 'remove_brand_member', { _brand_id: shop!.id, _user_id: adminUser!.id });
    await adminRole.selectOption('admin');
    await page.getByRole('button', { name: `Save role of ${DEMO_USERS.admin.email}` }).click();
    await expect.poll(() => page.getByRole('alert').getAttribute('data-error-code')).toBe('member_not_found');
    await page.getByRole('button', { name: `Undo role change of ${DEMO_USERS.admin.email}` }).click();
    expect(await page.getByRole('alert').count()).toBe(0);
    await stack.db.rpc('operator', 'add_brand_member', { _brand_id: shop!.id, _email: DEMO_USERS.admin.email, _role: 'member' });

    // Giving up one's own owner role asks first; as the last owner it is refused, and that error is the only one shown.
    await page.getByLabel('E-mail of the new member').fill(`nobody-else-${Date.now()}@example.test`);
    await page.getByRole('button', { name: 'Add member' }).click();
    await expect.poll(() => page.getByRole('alert').count()).toBe(1);
    await page.getByRole('combobox', { name: `Role of ${email}` }).selectOption('admin');
    await page.getByRole('button', { name: `Save role of ${email}` }).click();
    const giveUp = page.getByRole('dialog', { name: 'Give up your owner role in Newcomer Shop?' });
    await giveUp.getByRole('button', { name: 'Change role to admin' }).click();
    await expect.poll(() => giveUp.getByRole('alert').textContent()).toMatch(/The brand would be left without an owner\./);
    expect(await page.getByRole('alert').count()).toBe(1);
    await giveUp.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => page.getByRole('combobox', { name: `Role of ${email}` }).inputValue()).toBe('owner');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();

    await signIn(page, stack, DEMO_USERS.admin.email, DEMO_PASSWORDS.admin);
    const brand = page.getByRole('combobox', { name: 'Brand' });
    await expect.poll(() => brand.locator('option').allTextContents()).toContain('Newcomer Shop (member)');
    // Switching to it: the role is stated plainly, and nothing to manage is offered.
    await brand.selectOption({ label: 'Newcomer Shop (member)' });
    await expect.poll(() => page.getByRole('note', { name: 'Your role' }).textContent()).toMatch(/role in Newcomer Shop is member/);
    expect(await page.getByRole('button', { name: 'New credential' }).count()).toBe(0);
    // And back: the demo brand's credentials again.
    await brand.selectOption({ label: 'Acme Demo Brand (admin)' });
    await page.getByRole('button', { name: 'New credential' }).first().waitFor();
    await page.close();
  });

  it('brand secrets: add (value visible while typing, never shown again), rename, replace, delete', SLOW, async () => {
    const { page } = await stack.newPage({ width: 1280 });
    await signIn(page, stack, DEMO_USERS.owner.email, DEMO_PASSWORDS.owner);
    await page.getByRole('link', { name: 'Secrets' }).click();
    await page.getByRole('button', { name: 'New secret' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'New secret' });
    const value = `erp-token-${Date.now()}-do-not-leak`;
    await dialog.getByLabel('Name').fill('ERP access token');
    await dialog.getByLabel('Value').fill(value);
    expect(await dialog.getByLabel('Value').inputValue()).toBe(value);
    await screen(page, 'new-secret');
    await dialog.getByRole('button', { name: 'Save' }).click();
    const table = page.getByRole('table', { name: 'Brand secrets' });
    await expect.poll(() => table.getByRole('row').filter({ hasText: 'ERP access token' }).count()).toBe(1);
    // Each change is said in the page's polite live region, as the credentials page does.
    const said = page.getByRole('status').filter({ hasText: /^Secret / });
    await expect.poll(() => said.textContent()).toBe('Secret ERP access token created.');
    expect(await said.getAttribute('aria-live')).toBe('polite');
    expect(await page.content()).not.toContain(value);
    await screen(page, 'secrets');

    const row = table.getByRole('row').filter({ hasText: 'ERP access token' });
    await row.getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByRole('dialog', { name: /edit/i });
    expect(await edit.getByLabel('New value').inputValue()).toBe('');
    await edit.getByLabel('Name').fill('ERP token');
    await edit.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => table.getByRole('row').filter({ hasText: 'ERP token' }).count()).toBe(1);
    await expect.poll(() => said.textContent()).toBe('Secret ERP access token renamed to ERP token.');

    await table.getByRole('row').filter({ hasText: 'ERP token' }).getByRole('button', { name: 'Delete' }).click();
    const confirm = page.getByRole('dialog', { name: /delete/i });
    // Opening the next action's dialog retires the last message.
    expect(await page.getByRole('status').filter({ hasText: /^Secret / }).count()).toBe(0);
    expect(await confirm.textContent()).toMatch(/last read|never been used/i);
    // Plain words: no API names (read_brand_secret) or keys in the confirmation.
    expect(await confirm.textContent()).not.toMatch(/read_brand_secret|service key|_secret/);
    await screen(page, 'secret-delete');
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => table.getByRole('row').filter({ hasText: 'ERP token' }).count()).toBe(0);
    await expect.poll(() => said.textContent()).toBe('Secret ERP token deleted.');
    // The value went to the server once, in create_brand_secret's body, and nowhere else.
    const carrying = stack.requests.filter((r) => `${r.url}${r.body ?? ''}`.includes(value));
    expect(carrying.map((r) => r.url.replace(stack.url, ''))).toEqual(['/rest/v1/rpc/create_brand_secret']);
    await page.close();
  });

  it('375 px: the credentials screen is usable (no horizontal page scroll)', SLOW, async () => {
    const { page } = await stack.newPage({ width: 375, height: 812 });
    await signIn(page, stack, DEMO_USERS.admin.email, DEMO_PASSWORDS.admin);
    await page.getByRole('button', { name: 'New credential' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'New credential' });
    await dialog.getByLabel('Name').fill('Shop backend');
    await dialog.getByLabel('Scopes').fill('orders:read');
    await screen(page, 'new-credential');
    await dialog.getByRole('button', { name: 'Create', exact: true }).click();
    await copySecret(page);
    await screen(page, 'client-secret');
    await page.getByRole('button', { name: 'I have stored it' }).click();
    await expect.poll(() => rowOf(page, 'Shop backend').count()).toBe(1);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await screen(page, 'credentials');
    // The rotate dialog on a phone, with a grace period chosen (its consequence shown next to it).
    await rowOf(page, 'Shop backend').getByRole('button', { name: 'Rotate' }).click();
    const rotate = page.getByRole('dialog', { name: /rotate/i });
    await rotate.getByLabel('Grace period').selectOption('86400');
    await rotate.getByText(/keeps working until about/).waitFor();
    await screen(page, 'rotate');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
    await page.close();
  });

  it('375 px: every section of the owner (audit trail, members, secrets, a credential history and revoke dialog)', SLOW, async () => {
    // An audit entry whose title does not fit one phone line: "Rotation grace ended · credential Console ERP nightly export".
    const created = await stack.db.rpc<{ credential_id: string }>('operator', 'create_api_credential_record', {
      _brand_id: DEMO_BRAND_ID, _name: 'Console ERP nightly export', _client_id: generateClientId(),
      _client_secret_hash: await hashClientSecret(`mintid_audit_${Date.now()}`), _scopes: ['orders:read'],
    });
    await stack.db.rpc('operator', 'rotate_api_credential_secret_record', {
      _brand_id: DEMO_BRAND_ID, _credential_id: created.credential_id, _new_secret_hash: await hashClientSecret(`mintid_audit2_${Date.now()}`),
      _reason: 'Audit layout', _grace_seconds: 3600,
    });
    await stack.db.rpc('operator', 'end_api_credential_rotation_grace', { _brand_id: DEMO_BRAND_ID, _credential_id: created.credential_id, _reason: 'Switched over' });
    const { page } = await stack.newPage({ width: 375, height: 812 });
    await signIn(page, stack, DEMO_USERS.owner.email, DEMO_PASSWORDS.owner);
    await rowOf(page, 'Shop backend').getByRole('button', { name: 'History' }).click();
    await page.getByRole('list', { name: 'Audit trail of Shop backend' }).getByRole('listitem').first().waitFor();
    await screen(page, 'credential-history');
    await page.keyboard.press('Escape');
    await rowOf(page, 'Shop backend').getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('dialog', { name: 'Revoke Shop backend?' }).getByLabel('Reason code').waitFor();
    await screen(page, 'revoke-confirm');
    await page.keyboard.press('Escape');
    for (const [link, name, ready] of [
      ['Audit trail', 'brand-audit', () => page.getByRole('list', { name: /audit trail of/i }).getByRole('listitem').first()],
      ['Members', 'members', () => page.getByRole('table', { name: 'Members' }).getByRole('row').nth(1)],
      ['Secrets', 'secrets', () => page.getByRole('heading', { name: 'Secrets' })],
    ] as const) {
      await page.getByRole('link', { name: link }).click();
      await ready().waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth), name).toBeLessThanOrEqual(375);
      await screen(page, name);
      if (name === 'brand-audit') await checkAuditLayout(page);
      if (name === 'members') {
        // A staged role change and the owner confirmation on a phone; Cancel leaves the role as it was.
        const role = page.getByRole('combobox', { name: `Role of ${DEMO_USERS.member.email}` });
        await role.selectOption('owner');
        await screen(page, 'members-role-staged');
        await page.getByRole('button', { name: `Save role of ${DEMO_USERS.member.email}` }).click();
        await page.getByRole('dialog', { name: `Make ${DEMO_USERS.member.email} an owner?` }).waitFor();
        await screen(page, 'members-owner-confirm');
        await page.getByRole('button', { name: 'Cancel' }).click();
        expect(await role.inputValue()).toBe('member');
      }
    }
    // Secrets on a phone: the announcement after saving, and the delete confirmation in plain words.
    await page.getByRole('button', { name: 'New secret' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'New secret' });
    await dialog.getByLabel('Name').fill('Phone token');
    await dialog.getByLabel('Value').fill(`phone-value-${Date.now()}`);
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: /^Secret / }).textContent()).toBe('Secret Phone token created.');
    await screen(page, 'secrets-announced');
    await page.getByRole('button', { name: 'Delete Phone token' }).click();
    await page.getByRole('dialog', { name: 'Delete Phone token?' }).waitFor();
    await screen(page, 'secret-delete');
    await page.keyboard.press('Escape');
    await page.close();
  });

  it('no request the browser sent contains a plaintext secret', () => {
    expect(shownSecrets.length).toBeGreaterThanOrEqual(3);
    expect(stack.requests.length).toBeGreaterThan(10);
    for (const request of stack.requests) {
      const text = `${request.url}\n${request.body ?? ''}\n${JSON.stringify(request.headers)}`;
      for (const secret of shownSecrets) {
        expect(text.includes(secret) || text.includes(encodeURIComponent(secret)), `${request.method} ${request.url}`).toBe(false);
      }
    }
    // What was sent instead: argon2id hashes.
    expect(stack.requests.some((r) => r.body?.includes('$argon2id$v=19$m=19456,t=2,p=1$'))).toBe(true);
  });

  it('axe-core finds no violations on the main screens', () => {
    const summary = audits.map((a) => `${a.screen}@${a.width}: ${a.violations.length === 0 ? 'clean' : a.violations.map((v) => `${v.id} (${v.impact}) ${v.nodes.join(', ')}`).join('; ')}`);
    console.warn(`axe-core results:\n  ${summary.join('\n  ')}`);
    expect(audits.length).toBeGreaterThan(10);
    expect(audits.filter((a) => a.violations.length > 0).map((a) => `${a.screen}@${a.width}`)).toEqual([]);
  });
});
