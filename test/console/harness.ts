// The browser suite's harness: a real Chromium (Debian's, or MINTID_CHROMIUM) driven by
// playwright-core, against the local stack's API + console wiring (src/local/api.ts) on a fresh
// test database with the demo data of supabase/seed.sql. Every request the page sends is recorded.
import { accessSync, constants } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { startApi, type Api } from '../../src/local/api.js';
import { DEMO_PASSWORDS, ensureDemoPasswords } from '../../src/local/auth/demo-users.js';
import { consoleDistDir, ensureConsoleBuilt, packageRootDir } from '../../src/local/console-build.js';
import { DEMO_BRAND_ID, DEMO_USERS } from '../../src/local/keys.js';
import { generateSigningKey } from '../../src/secrets/signing-key.js';
import { TEST_JWT_SECRET } from '../support/api.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { freePort } from '../support/urls.js';

const ROOT = packageRootDir();
export const SCREENSHOT_DIR = path.join(ROOT, 'test-results', 'console');
export { DEMO_BRAND_ID, DEMO_PASSWORDS, DEMO_USERS };

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

/** The Chromium to drive: $MINTID_CHROMIUM, else a system one; null when none is installed. */
export function findChromium(): string | null {
  const candidates = process.env.MINTID_CHROMIUM ? [process.env.MINTID_CHROMIUM] : CANDIDATES;
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not this one
    }
  }
  return null;
}

export const SKIP_MESSAGE = 'console browser tests SKIPPED: no Chromium found ('
  + (process.env.MINTID_CHROMIUM ? `MINTID_CHROMIUM=${process.env.MINTID_CHROMIUM} is not an executable` : `looked for ${CANDIDATES.join(', ')}`)
  + '). Enable them with `apt-get install -y chromium` (Debian/Ubuntu) or MINTID_CHROMIUM=/path/to/chrome npm test.';

export interface RecordedRequest {
  url: string;
  method: string;
  body: string | null;
  headers: Record<string, string>;
}

export interface ConsoleStack {
  url: string;
  consoleUrl: string;
  api: Api;
  db: TestDatabase;
  browser: Browser;
  /** Every request any page of any context sent, in order. */
  requests: RecordedRequest[];
  newPage(options?: { width?: number; height?: number }): Promise<{ context: BrowserContext; page: Page }>;
  close(): Promise<void>;
}

/** Starts the API with the console, on a fresh database seeded with supabase/seed.sql, and a browser. */
export async function startConsoleStack(executablePath: string, options: {
  /** The login /auth/v1 uses (default: the test database's supabase_auth_admin); another one skips the demo passwords. */
  authDatabaseUrl?: (db: TestDatabase) => string;
} = {}): Promise<ConsoleStack> {
  await ensureConsoleBuilt();
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const db = await createTestDatabase();
  let api: Api | undefined;
  let browser: Browser | undefined;
  try {
    await db.admin.begin(async (tx) => tx.unsafe(await readFile(path.join(ROOT, 'supabase', 'seed.sql'), 'utf8')));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    api = await startApi({
      authenticatorUrl: db.urls.authenticator,
      jwtSecret: TEST_JWT_SECRET,
      signingKeys: JSON.stringify([await generateSigningKey()]),
      publicUrl: url,
      env: { MINTID_USAGE_FLUSH_SECONDS: '1' },
      authDatabaseUrl: options.authDatabaseUrl?.(db) ?? db.urls.authAdmin,
      log: () => {},
      console: {
        distDir: consoleDistDir(ROOT), signUp: true,
        demoAccounts: (Object.keys(DEMO_USERS) as (keyof typeof DEMO_USERS)[]).map((role) => ({ email: DEMO_USERS[role].email, password: DEMO_PASSWORDS[role], role })),
      },
    });
    if (!options.authDatabaseUrl) await ensureDemoPasswords(api.auth!.store);
    await api.gateway.listen(port, '127.0.0.1');
    browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    const requests: RecordedRequest[] = [];
    const contexts: BrowserContext[] = [];
    const openBrowser = browser;
    const openApi = api;
    return {
      url, consoleUrl: `${url}/console/`, api, db, browser, requests,
      async newPage(options = {}) {
        const context = await openBrowser.newContext({
          viewport: { width: options.width ?? 1280, height: options.height ?? 860 },
          permissions: ['clipboard-read', 'clipboard-write'],
          // axe-core is injected as a script; the console's CSP would refuse it.
          bypassCSP: true,
        });
        contexts.push(context);
        context.on('request', (request) => {
          requests.push({ url: request.url(), method: request.method(), body: request.postData(), headers: request.headers() });
        });
        context.setDefaultTimeout(15_000);
        const page = await context.newPage();
        return { context, page };
      },
      async close() {
        for (const context of contexts) await context.close().catch(() => {});
        await openBrowser.close().catch(() => {});
        await openApi.close().catch(() => {});
        await db.close();
      },
    };
  } catch (error) {
    await browser?.close().catch(() => {});
    await api?.close().catch(() => {});
    await db.close();
    throw error;
  }
}

/** Runs axe-core on the page; resolves with the violations (id, impact, help, targets). */
export async function axeViolations(page: Page): Promise<{ id: string; impact: string | null; help: string; nodes: string[] }[]> {
  const source = await readFile(path.join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
  await page.addScriptTag({ content: source });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, o: unknown) => Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  });
}

/**
 * The console's own words in an error notice: its text without the folded "Details from the
 * server" (the server's message and hint, SPEC §11), which may name RPCs and parameters.
 */
export function ownWords(notice: Locator): Promise<string> {
  return notice.evaluate((element) => {
    const copy = element.cloneNode(true) as HTMLElement;
    copy.querySelectorAll('.notice-details').forEach((details) => details.remove());
    return copy.textContent ?? '';
  });
}

/** The server's message and hint in an error notice, after opening its "Details from the server". */
export async function serverDetails(notice: Locator): Promise<string> {
  await notice.getByText('Details from the server').click();
  return (await notice.locator('.notice-details').textContent()) ?? '';
}

/**
 * Starts recording, for every <dialog> that leaves the document, what had focus at that moment
 * ("body", or the focused element's tag and text). A MutationObserver's callback runs right after
 * the DOM change, so a focus return that waits for a later frame is caught as "body".
 */
export async function recordFocusOnDialogRemoval(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { focusOnDialogRemoval: string[] }).focusOnDialogRemoval = seen;
    new MutationObserver((records) => {
      for (const record of records) {
        for (const node of record.removedNodes) {
          if (!(node instanceof HTMLDialogElement)) continue;
          const focused = document.activeElement;
          seen.push(!focused || focused === document.body ? 'body' : `${focused.tagName.toLowerCase()}: ${focused.textContent?.trim() ?? ''}`);
        }
      }
    }).observe(document.body, { childList: true, subtree: true });
  });
  return () => page.evaluate(() => [...(window as unknown as { focusOnDialogRemoval: string[] }).focusOnDialogRemoval]);
}
