// "Revoke selected" in a real Chromium: credentials picked by their checkboxes are revoked in one
// all-or-nothing call (revoke_api_credential_records by ids) after a confirmation that says how
// many and names each; the result is said plainly — also when someone else revoked one of them in
// the meantime (the RPC then answers ok, without that id, and leaves it as it was). Refusals are
// shown in the console's words with "Nothing was revoked.". axe-core at 1280 and 375 px.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateClientId } from '../../src/secrets/generate.js';
import { hashClientSecret } from '../../src/secrets/hash.js';
import {
  axeViolations, DEMO_BRAND_ID, DEMO_PASSWORDS, DEMO_USERS, findChromium, ownWords, recordFocusOnDialogRemoval, SCREENSHOT_DIR, serverDetails, SKIP_MESSAGE, startConsoleStack, type ConsoleStack,
} from './harness.js';

const chromiumPath = findChromium();
if (!chromiumPath) console.warn(`\n${SKIP_MESSAGE}\n`);
const SLOW = { timeout: 90_000 };

async function signIn(page: Page, stack: ConsoleStack, email: string = DEMO_USERS.admin.email, password: string = DEMO_PASSWORDS.admin): Promise<void> {
  await page.goto(stack.consoleUrl);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

const table = (page: Page) => page.getByRole('table', { name: 'Credentials' });
const rowOf = (page: Page, name: string) => table(page).getByRole('row').filter({ hasText: name });
/** The Status cell of a credential's row (the column after Select and Name). */
const statusOf = (page: Page, name: string) => rowOf(page, name).getByRole('cell').nth(2).textContent();

async function expectNoAxeViolations(page: Page, screen: string): Promise<void> {
  const violations = await axeViolations(page);
  expect(violations, `${screen}: ${JSON.stringify(violations, null, 1)}`).toEqual([]);
}

async function shoot(page: Page, name: string): Promise<void> {
  const fullPage = (await page.locator('dialog[open]').count()) === 0;
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}-${page.viewportSize()!.width}.png`), fullPage });
}

describe.skipIf(!chromiumPath)('revoke selected credentials in the console', () => {
  let stack: ConsoleStack;
  let hash: string;
  beforeAll(async () => {
    stack = await startConsoleStack(chromiumPath!);
    hash = await hashClientSecret(`mintid_revoke_many_${Date.now()}`);
  }, 180_000);
  afterAll(async () => {
    await stack?.close();
  });

  /** Creates credentials in the demo brand as an operator; their ids by name. */
  async function credentials(...names: string[]): Promise<Record<string, string>> {
    const ids: Record<string, string> = {};
    for (const name of names) {
      const created = await stack.db.rpc<{ credential_id: string }>('operator', 'create_api_credential_record', {
        _brand_id: DEMO_BRAND_ID, _name: name, _client_id: generateClientId(), _client_secret_hash: hash, _scopes: ['products:read'],
      });
      ids[name] = created.credential_id;
    }
    return ids;
  }
  const revokedIn = async (ids: string[]) => (await stack.db.admin<{ id: string }[]>`
    select id from mintid.api_credentials where id = any(${ids}::uuid[]) and revoked_at is not null`).length;

  it('selects two of three, confirms naming both, revokes them with a reason code (1280 px, axe)', SLOW, async () => {
    const ids = await credentials('Shop A', 'Shop B', 'Shop C');
    const { page } = await stack.newPage({ width: 1280 });
    await signIn(page, stack);
    await rowOf(page, 'Shop C').waitFor();
    const revokeSelected = page.getByRole('button', { name: /^Revoke selected/ });
    expect(await revokeSelected.isDisabled()).toBe(true);
    await page.getByRole('checkbox', { name: 'Select Shop A' }).check();
    await page.getByRole('checkbox', { name: 'Select Shop B' }).check();
    await expect.poll(() => revokeSelected.textContent()).toBe('Revoke selected (2)');
    await shoot(page, 'revoke-many-selected');
    await expectNoAxeViolations(page, 'credentials with a selection, 1280');
    await revokeSelected.click();

    const dialog = page.getByRole('dialog', { name: 'Revoke 2 credentials?' });
    await dialog.waitFor();
    expect(await dialog.getByRole('list', { name: 'Credentials to revoke' }).getByRole('listitem').allTextContents())
      .toEqual([expect.stringContaining('Shop A'), expect.stringContaining('Shop B')]);
    expect(await dialog.getByLabel('Reason', { exact: true }).evaluate((el) => el === document.activeElement)).toBe(true);
    await dialog.getByLabel('Reason code').selectOption('superseded');
    await dialog.getByLabel('Reason', { exact: true }).fill('Replaced by the new shop integration');
    await shoot(page, 'revoke-many-dialog');
    await expectNoAxeViolations(page, 'revoke many dialog, 1280');
    const focusOnRemoval = await recordFocusOnDialogRemoval(page);
    await dialog.getByRole('button', { name: 'Revoke 2 credentials' }).click();

    const result = page.getByRole('region', { name: 'Revoke result' });
    await expect.poll(() => result.textContent()).toMatch(/^Revoked 2 credentials: Shop (A, Shop B|B, Shop A)\./);
    expect(await result.textContent()).toMatch(/Reason code: Superseded by another credential\./);
    expect(await result.evaluate((el) => el === document.activeElement)).toBe(true);
    // The result had focus as the dialog left the document: it never fell to <body>.
    expect((await focusOnRemoval())[0]).toMatch(/^div: Revoked 2 credentials/);
    await expect.poll(() => statusOf(page, 'Shop A')).toMatch(/Revoked/);
    expect(await statusOf(page, 'Shop B')).toMatch(/Revoked/);
    expect(await statusOf(page, 'Shop C')).toMatch(/Active/);
    expect(await page.getByRole('checkbox', { name: 'Select Shop A' }).count()).toBe(0);
    expect(await revokeSelected.textContent()).toBe('Revoke selected');
    expect(await revokedIn([ids['Shop A']!, ids['Shop B']!, ids['Shop C']!])).toBe(2);
    await shoot(page, 'revoke-many-result');
    await expectNoAxeViolations(page, 'revoke result, 1280');
    // One audit record each, with the reason code.
    const events = await stack.db.admin<{ reason_code: string }[]>`
      select details->>'reason_code' as reason_code from mintid.audit_records
      where subject_id = any(${[ids['Shop A']!, ids['Shop B']!]}::uuid[]) and action = 'revoked'`;
    expect(events.map((e) => e.reason_code)).toEqual(['superseded', 'superseded']);
    await page.close();
  });

  it('at 375 px: "Select all on this page" and the dialog fit the phone (axe)', SLOW, async () => {
    await credentials('Phone D');
    const { page } = await stack.newPage({ width: 375 });
    await signIn(page, stack);
    await rowOf(page, 'Phone D').waitFor();
    await page.getByRole('checkbox', { name: 'Select all on this page' }).check();
    const selectedCount = await page.getByRole('checkbox', { name: /^Select (?!all)/ }).evaluateAll((boxes) => boxes.filter((b) => (b as HTMLInputElement).checked).length);
    expect(selectedCount).toBeGreaterThanOrEqual(2);
    await page.getByRole('checkbox', { name: 'Select all on this page' }).uncheck();
    await page.getByRole('checkbox', { name: 'Select Phone D' }).check();
    await shoot(page, 'revoke-many-selected');
    await expectNoAxeViolations(page, 'credentials with a selection, 375');
    await page.getByRole('button', { name: 'Revoke selected (1)' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke 1 credential?' });
    await dialog.getByLabel('Reason', { exact: true }).fill('Phone test');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await shoot(page, 'revoke-many-dialog');
    await expectNoAxeViolations(page, 'revoke many dialog, 375');
    await dialog.getByRole('button', { name: 'Revoke 1 credential' }).click();
    await expect.poll(() => page.getByRole('region', { name: 'Revoke result' }).textContent()).toMatch(/^Revoked 1 credential: Phone D\./);
    await shoot(page, 'revoke-many-result');
    await expectNoAxeViolations(page, 'revoke result, 375');
    await page.close();
  });

  it('one of the selected revoked meanwhile by someone else: the RPC revokes the others and says which it changed; the console names the one left as it was', SLOW, async () => {
    const ids = await credentials('Race E', 'Race F', 'Race G');
    const { page } = await stack.newPage({ width: 1280 });
    await signIn(page, stack);
    await rowOf(page, 'Race G').waitFor();
    for (const name of ['Race E', 'Race F', 'Race G']) await page.getByRole('checkbox', { name: `Select ${name}` }).check();
    await page.getByRole('button', { name: 'Revoke selected (3)' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke 3 credentials?' });
    await dialog.getByLabel('Reason', { exact: true }).fill('Race test');
    // Someone else revokes Race F while the dialog is open.
    await stack.db.rpc('operator', 'revoke_api_credential_record', { _brand_id: DEMO_BRAND_ID, _credential_id: ids['Race F'], _reason: 'revoked elsewhere' });
    const answered = page.waitForResponse((r) => r.url().includes('/rpc/revoke_api_credential_records'));
    await dialog.getByRole('button', { name: 'Revoke 3 credentials' }).click();
    const response = await answered;
    // What the RPC answers: 200 ok, the two it revoked; the already revoked one is not an error and is not in the ids.
    expect(response.status()).toBe(200);
    const body = await response.json() as { ok: boolean; revoked: number; credential_ids: string[] };
    expect(body).toMatchObject({ ok: true, revoked: 2 });
    expect([...body.credential_ids].sort()).toEqual([ids['Race E']!, ids['Race G']!].sort());

    const result = page.getByRole('region', { name: 'Revoke result' });
    await expect.poll(() => result.textContent()).toMatch(/Revoked 2 of the 3 selected credentials: Race E, Race G\./);
    expect(await result.textContent()).toMatch(/Already revoked before you confirmed \(probably by someone else\), so left as they were: Race F\./);
    // Race F keeps the other revocation's reason.
    const [row] = await stack.db.admin<{ revocation_reason: string }[]>`select revocation_reason from mintid.api_credentials where id = ${ids['Race F']!}`;
    expect(row!.revocation_reason).toBe('revoked elsewhere');
    await page.close();
  });

  it('all selected revoked meanwhile: nothing was revoked, said plainly', SLOW, async () => {
    const ids = await credentials('Gone H', 'Gone I');
    const { page } = await stack.newPage({ width: 1280 });
    await signIn(page, stack);
    await rowOf(page, 'Gone I').waitFor();
    await page.getByRole('checkbox', { name: 'Select Gone H' }).check();
    await page.getByRole('checkbox', { name: 'Select Gone I' }).check();
    await page.getByRole('button', { name: 'Revoke selected (2)' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke 2 credentials?' });
    await dialog.getByLabel('Reason', { exact: true }).fill('Too late');
    await stack.db.rpc('operator', 'revoke_api_credential_records', { _brand_id: DEMO_BRAND_ID, _credential_ids: [ids['Gone H'], ids['Gone I']], _reason: 'elsewhere' });
    await dialog.getByRole('button', { name: 'Revoke 2 credentials' }).click();
    await expect.poll(() => page.getByRole('region', { name: 'Revoke result' }).textContent())
      .toMatch(/^Nothing was revoked: all 2 credentials you selected had already been revoked\./);
    await page.close();
  });

  it('a role taken away meanwhile: 403 in the console\'s words, nothing revoked', SLOW, async () => {
    const ids = await credentials('Demoted J', 'Demoted K');
    const email = `bulk-demoted-${Date.now()}@example.test`;
    const { page } = await stack.newPage({ width: 1280 });
    await page.goto(stack.consoleUrl);
    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('a-long-enough-password');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByRole('heading', { name: 'Create your first brand' }).waitFor();
    const added = await stack.db.rpc<{ user_id: string }>('operator', 'add_brand_member', { _brand_id: DEMO_BRAND_ID, _email: email, _role: 'admin' });
    await page.reload();
    await rowOf(page, 'Demoted K').waitFor();
    await page.getByRole('checkbox', { name: 'Select Demoted J' }).check();
    await page.getByRole('checkbox', { name: 'Select Demoted K' }).check();
    await page.getByRole('button', { name: 'Revoke selected (2)' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke 2 credentials?' });
    await dialog.getByLabel('Reason', { exact: true }).fill('Should not happen');
    await stack.db.rpc('operator', 'set_brand_member_role', { _brand_id: DEMO_BRAND_ID, _user_id: added.user_id, _role: 'member' });
    await dialog.getByRole('button', { name: 'Revoke 2 credentials' }).click();
    const alert = dialog.getByRole('alert');
    await expect.poll(() => alert.textContent()).toMatch(/^Nothing was revoked\.Your role in this brand is member\. This needs the role owner or admin\./);
    expect(await alert.textContent()).toMatch(/Ask an owner of the brand to change your role \(the person who added you knows who they are\)\./);
    expect(await ownWords(alert)).not.toMatch(/Forbidden|revoke_api_credential_records|_brand_id/);
    expect(await serverDetails(alert)).toMatch(/Forbidden/);
    expect(await revokedIn([ids['Demoted J']!, ids['Demoted K']!])).toBe(0);
    await shoot(page, 'revoke-many-forbidden');
    await expectNoAxeViolations(page, 'revoke many refused, 1280');
    await page.close();
  });

  it('a reason of spaces only is refused before anything is sent', SLOW, async () => {
    await credentials('Blank L');
    const { page } = await stack.newPage({ width: 1280 });
    await signIn(page, stack);
    await rowOf(page, 'Blank L').waitFor();
    await page.getByRole('checkbox', { name: 'Select Blank L' }).check();
    await page.getByRole('button', { name: 'Revoke selected (1)' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke 1 credential?' });
    await dialog.getByLabel('Reason', { exact: true }).fill('   ');
    const before = stack.requests.length;
    await dialog.getByRole('button', { name: 'Revoke 1 credential' }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toBe('Nothing was revoked.Give a reason of 1 to 500 characters.It is kept in the audit trail.');
    expect(stack.requests.slice(before).filter((r) => r.url.includes('revoke_api_credential_records'))).toEqual([]);
    await page.keyboard.press('Escape');
    await page.close();
  });

  it('the network fails: nothing was revoked, said plainly; back online, the same dialog succeeds', SLOW, async () => {
    const ids = await credentials('Offline M');
    const { context, page } = await stack.newPage({ width: 1280 });
    await signIn(page, stack);
    await rowOf(page, 'Offline M').waitFor();
    await page.getByRole('checkbox', { name: 'Select Offline M' }).check();
    await page.getByRole('button', { name: 'Revoke selected (1)' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke 1 credential?' });
    await dialog.getByLabel('Reason', { exact: true }).fill('Offline test');
    await context.setOffline(true);
    await dialog.getByRole('button', { name: 'Revoke 1 credential' }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent())
      .toBe('Nothing was revoked.The console could not reach the server.Check your connection and try again.');
    expect(await revokedIn([ids['Offline M']!])).toBe(0);
    await context.setOffline(false);
    await dialog.getByRole('button', { name: 'Revoke 1 credential' }).click();
    await expect.poll(() => page.getByRole('region', { name: 'Revoke result' }).textContent()).toMatch(/^Revoked 1 credential: Offline M\./);
    expect(await revokedIn([ids['Offline M']!])).toBe(1);
    await page.close();
  });
});
