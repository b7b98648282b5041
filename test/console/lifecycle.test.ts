// Credential lifecycle in the console (SPEC §13) in a real Chromium: a rotation with a grace
// period keeps the previous secret working and shows it in the table until "End grace"; the
// rejected uses of a revoked credential show up; keyset paging over more than one page.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateClientId } from '../../src/secrets/generate.js';
import { hashClientSecret } from '../../src/secrets/hash.js';
import { axeViolations, DEMO_BRAND_ID, DEMO_PASSWORDS, DEMO_USERS, findChromium, SCREENSHOT_DIR, SKIP_MESSAGE, startConsoleStack, type ConsoleStack } from './harness.js';

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

/** How many lines the text of the cell's <code> (the client id) takes. */
const codeLines = (page: Page, name: string) => rowOf(page, name).getByRole('cell').nth(1).locator('code').evaluate((el) => {
  const range = document.createRange();
  range.selectNodeContents(el);
  return new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top))).size;
});
/** The distinct tops of a row's action buttons (History, Rotate, Revoke): 1 when they sit on one line. */
async function actionLines(page: Page, name: string): Promise<number> {
  const tops = new Set<number>();
  for (const label of ['History', 'Rotate', 'Revoke']) {
    const button = rowOf(page, name).getByRole('button', { name: new RegExp(`^${label} `) });
    if (await button.count()) tops.add(Math.round((await button.boundingBox())!.y));
  }
  return tops.size;
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
    // The consequence of the choice is said next to it: until when the current secret keeps working.
    expect(await rotate.getByLabel('Grace period').evaluate((el) => document.getElementById('grace-consequence')!.textContent
      && el.getAttribute('aria-describedby'))).toContain('grace-consequence');
    await expect.poll(() => rotate.getByText(/keeps working until about/).textContent()).toMatch(/until about \w+ \d+, \d\d:\d\d/);
    await rotate.getByLabel('Reason').fill('Partner moves to a new vault');
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

  it('1280 px: with a grace period shown, every row keeps its actions on one line and its client id unbroken', SLOW, async () => {
    const hash = await hashClientSecret(`mintid_layout_${Date.now()}`);
    // A grace row, a row with an expiry date, a revoked row with a long reason: the widest cells a table holds.
    const names = ['Layout grace', 'Layout expiring', 'Layout revoked'];
    for (const name of names) {
      const created = await stack.db.rpc<{ credential_id: string }>('operator', 'create_api_credential_record', {
        _brand_id: DEMO_BRAND_ID, _name: name, _client_id: generateClientId(), _client_secret_hash: hash, _scopes: ['products:read', 'orders.items:write'],
        _expires_at: name === 'Layout expiring' ? new Date(Date.now() + 400 * 86_400_000).toISOString() : null,
      });
      if (name === 'Layout revoked') {
        await stack.db.rpc('operator', 'revoke_api_credential_record', {
          _brand_id: DEMO_BRAND_ID, _credential_id: created.credential_id, _reason: 'Superseded by the new ERP connector after the warehouse migration', _reason_code: 'superseded',
        });
      }
      if (name === 'Layout grace') {
        await stack.db.rpc('operator', 'rotate_api_credential_secret_record', {
          _brand_id: DEMO_BRAND_ID, _credential_id: created.credential_id, _new_secret_hash: await hashClientSecret(`mintid_layout2_${Date.now()}`),
          _reason: 'Layout test', _grace_seconds: 86_400,
        });
      }
    }
    for (const width of [1280, 375]) {
      const { page } = await stack.newPage({ width });
      await signIn(page, stack);
      await expect.poll(() => rowOf(page, 'Layout grace').getByRole('button', { name: 'End grace now' }).count()).toBe(1);
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, `credentials-grace-${width}.png`), fullPage: true });
      expect(await axeViolations(page)).toEqual([]);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      if (width === 1280) {
        for (const name of names) {
          if (name !== 'Layout revoked') expect(await actionLines(page, name), `${name}: actions on one line`).toBe(1);
          expect(await codeLines(page, name), `${name}: client id on one line`).toBe(1);
        }
        // The table fits its box: nothing pushed past the right edge.
        const table = page.getByRole('table', { name: 'Credentials' });
        expect(await table.evaluate((el) => el.scrollWidth <= el.parentElement!.clientWidth)).toBe(true);
      }
      await page.close();
    }
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
