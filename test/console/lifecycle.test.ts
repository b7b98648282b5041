// Credential lifecycle in the console (SPEC §13) in a real Chromium: a rotation with a grace
// period keeps the previous secret working and shows it in the table until "End grace"; the
// rejected uses of a revoked credential show up; keyset paging over more than one page.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateClientId } from '../../src/secrets/generate.js';
import { hashClientSecret } from '../../src/secrets/hash.js';
import { DEMO_BRAND_ID, DEMO_PASSWORDS, DEMO_USERS, findChromium, SKIP_MESSAGE, startConsoleStack, type ConsoleStack } from './harness.js';

const chromiumPath = findChromium();
if (!chromiumPath) console.warn(`\n${SKIP_MESSAGE}\n`);
const SLOW = { timeout: 90_000 };

async function signIn(page: Page, stack: ConsoleStack): Promise<void> {
  await page.goto(stack.consoleUrl);
  await page.getByLabel('Email').fill(DEMO_USERS.admin.email);
  await page.getByLabel('Password').fill(DEMO_PASSWORDS.admin);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

const shownSecrets: string[] = [];

async function copySecret(page: Page): Promise<{ clientId: string; clientSecret: string }> {
  const region = page.getByRole('region', { name: 'Client secret' });
  await region.getByRole('button', { name: 'Copy secret' }).click();
  await expect.poll(() => region.getByRole('status').textContent()).toContain('copied');
  const clientSecret = await page.evaluate(() => navigator.clipboard.readText());
  shownSecrets.push(clientSecret);
  return { clientSecret, clientId: (await region.locator('dd code').first().textContent())!.trim() };
}

async function exchangeStatus(stack: ConsoleStack, clientId: string, clientSecret: string): Promise<number> {
  const response = await fetch(`${stack.url}/functions/v1/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: `Basic ${btoa(`${clientId}:${clientSecret}`)}` },
    body: 'grant_type=client_credentials',
  });
  await response.body?.cancel();
  return response.status;
}

const rowOf = (page: Page, name: string) => page.getByRole('table', { name: 'Credentials' }).getByRole('row').filter({ hasText: name });
/** The cell of a row under the column header named `header` (the table's columns, as a person reads them). */
async function cellOf(page: Page, name: string, header: string) {
  const headers = (await page.getByRole('table', { name: 'Credentials' }).getByRole('columnheader').allTextContents()).map((t) => t.trim());
  const index = headers.indexOf(header);
  if (index < 0) throw new Error(`no column ${header} in ${headers.join(', ')}`);
  return rowOf(page, name).getByRole('cell').nth(index);
}

describe.skipIf(!chromiumPath)('credential lifecycle in the console', () => {
  let stack: ConsoleStack;
  beforeAll(async () => {
    stack = await startConsoleStack(chromiumPath!);
  }, 180_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('rotate with a grace period: both secrets work, the table shows the grace, "End grace" stops the old one', SLOW, async () => {
    const { page } = await stack.newPage();
    await signIn(page, stack);
    await page.getByRole('button', { name: 'New credential' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'New credential' });
    await dialog.getByLabel('Name').fill('Partner sync');
    await dialog.getByLabel('Scopes').fill('orders:read');
    await dialog.getByRole('button', { name: 'Create', exact: true }).click();
    const first = await copySecret(page);
    await page.getByRole('button', { name: 'I have stored it' }).click();

    await rowOf(page, 'Partner sync').getByRole('button', { name: 'Rotate' }).click();
    const rotate = page.getByRole('dialog', { name: /rotate/i });
    await rotate.getByLabel('Grace period').selectOption('86400');
    await rotate.getByRole('button', { name: 'Rotate' }).click();
    await expect.poll(() => page.getByRole('dialog', { name: 'Client secret' }).textContent()).toMatch(/previous secret keeps working until/);
    const second = await copySecret(page);
    await page.getByRole('button', { name: 'I have stored it' }).click();
    expect(await exchangeStatus(stack, first.clientId, first.clientSecret)).toBe(200);
    expect(await exchangeStatus(stack, second.clientId, second.clientSecret)).toBe(200);

    const row = rowOf(page, 'Partner sync');
    await expect.poll(async () => (await cellOf(page, 'Partner sync', 'Grace')).textContent()).toMatch(/previous secret until/);
    await row.getByRole('button', { name: 'End grace now' }).click();
    const end = page.getByRole('dialog', { name: /end the grace period of Partner sync/i });
    await end.getByRole('button', { name: 'End grace' }).click();
    await expect.poll(async () => (await cellOf(page, 'Partner sync', 'Grace')).textContent()).toBe('—');
    expect(await exchangeStatus(stack, first.clientId, first.clientSecret)).toBe(401);
    expect(await exchangeStatus(stack, second.clientId, second.clientSecret)).toBe(200);

    // A second "End grace" has nothing to end: the server's 409 is shown (the row no longer offers it).
    expect(await row.getByRole('button', { name: 'End grace now' }).count()).toBe(0);
  });

  it('rejected uses: the correct secret of a revoked credential is refused and counted in the table', SLOW, async () => {
    const { page } = await stack.newPage();
    await signIn(page, stack);
    await page.getByRole('button', { name: 'New credential' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'New credential' });
    await dialog.getByLabel('Name').fill('Retired shop');
    await dialog.getByLabel('Scopes').fill('orders:read');
    await dialog.getByRole('button', { name: 'Create', exact: true }).click();
    const issued = await copySecret(page);
    await page.getByRole('button', { name: 'I have stored it' }).click();
    await rowOf(page, 'Retired shop').getByRole('button', { name: 'Revoke' }).click();
    const confirm = page.getByRole('dialog', { name: 'Revoke Retired shop?' });
    await confirm.getByLabel('Reason code').selectOption('integration_retired');
    await confirm.getByLabel('Reason', { exact: true }).fill('Shop closed');
    await confirm.getByRole('button', { name: 'Revoke' }).click();
    await expect.poll(() => rowOf(page, 'Retired shop').textContent()).toMatch(/Revoked.*Integration retired/);
    expect(await exchangeStatus(stack, issued.clientId, issued.clientSecret)).toBe(401);
    expect(await exchangeStatus(stack, issued.clientId, issued.clientSecret)).toBe(401);
    // Rejected uses are batched (flushed every second here, visible within 60 s per the contract).
    await expect.poll(async () => {
      await page.getByRole('combobox', { name: 'Status' }).selectOption('revoked');
      await page.getByRole('combobox', { name: 'Status' }).selectOption('');
      return (await cellOf(page, 'Retired shop', 'Rejected uses')).textContent();
    }, { timeout: 20_000, interval: 1_000 }).toMatch(/^2/);
    expect(await rowOf(page, 'Retired shop').getByRole('button', { name: 'Rotate' }).count()).toBe(0);
    expect(await rowOf(page, 'Retired shop').getByRole('button', { name: 'Revoke' }).count()).toBe(0);
  });

  it('paging: more credentials than a page, Next page and Previous page walk the keyset cursor', SLOW, async () => {
    const hash = await hashClientSecret(`mintid_paging_${Date.now()}`);
    for (let i = 0; i < 23; i += 1) {
      await stack.db.rpc('operator', 'create_api_credential_record', {
        _brand_id: DEMO_BRAND_ID, _name: `Bulk ${String(i).padStart(2, '0')}`, _client_id: generateClientId(),
        _client_secret_hash: hash, _scopes: ['products:read'],
      });
    }
    const { page } = await stack.newPage();
    await signIn(page, stack);
    const table = page.getByRole('table', { name: 'Credentials' });
    await expect.poll(() => table.getByRole('row').count()).toBe(21); // header + 20
    expect(await table.getByRole('row').nth(1).textContent()).toContain('Bulk 22');
    expect(await page.getByRole('button', { name: 'Previous page' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Next page' }).click();
    await expect.poll(() => table.getByRole('row').nth(1).textContent()).toContain('Bulk 02');
    const second = await table.getByRole('row').allTextContents();
    expect(second.some((text) => text.includes('Bulk 22'))).toBe(false);
    await page.getByRole('button', { name: 'Previous page' }).click();
    await expect.poll(() => table.getByRole('row').nth(1).textContent()).toContain('Bulk 22');

    // A change made on page 2 goes back to page 1, loaded once (not once for the cursor and once more).
    await page.getByRole('button', { name: 'Next page' }).click();
    await expect.poll(() => table.getByRole('row').nth(1).textContent()).toContain('Bulk 02');
    await page.getByRole('button', { name: 'Revoke Bulk 01' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke Bulk 01?' });
    await dialog.getByLabel('Reason', { exact: true }).fill('Paging test');
    const before = stack.requests.length;
    await dialog.getByRole('button', { name: 'Revoke Bulk 01' }).click();
    await expect.poll(() => page.getByText('Page 1', { exact: true }).count()).toBe(1);
    await expect.poll(() => table.getByRole('row').nth(1).textContent()).toContain('Bulk 22');
    expect(stack.requests.slice(before).filter((r) => r.url.includes('list_api_credential_records'))).toHaveLength(1);
  });

  it('no request the browser sent holds a secret it showed (rotations with grace included)', () => {
    expect(shownSecrets.length).toBe(3);
    for (const request of stack.requests) {
      const text = `${request.url}\n${request.body ?? ''}`;
      for (const secret of shownSecrets) expect(text.includes(secret), request.url).toBe(false);
    }
  });
});
