/// <reference lib="dom" />
/**
 * Browser helpers for the UI's end-to-end tests and page-speed benchmark, reusable against any
 * deployment: every function takes the base URL (the gateway serving the UI) and credentials.
 * Real headless Chromium through playwright-core; never downloads a browser.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

/** Where the tests save a screenshot of each page (CI keeps `artifacts/` as build artifacts). */
export const SCREENSHOT_DIR = resolve(fileURLToPath(new URL('../../../..', import.meta.url)), 'artifacts', 'screenshots');

export const VIEWPORTS = { laptop: { width: 1366, height: 900 }, phone: { width: 390, height: 844 } } as const;
export type ViewportName = keyof typeof VIEWPORTS;

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

export const launchChromium = (): Promise<Browser> => chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });

export const newPage = async (browser: Browser, viewport: ViewportName = 'laptop'): Promise<{ context: BrowserContext; page: Page }> => {
  const context = await browser.newContext({ viewport: VIEWPORTS[viewport], acceptDownloads: true, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return { context, page };
};

/** Saves `artifacts/screenshots/<name>.png` (full page) and returns its path. */
export const screenshot = async (page: Page, name: string): Promise<string> => {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true, animations: 'disabled' });
  return path;
};

/** Waits until the dashboard has rendered with data (the page sets a flag and a performance mark then). */
export const waitForDashboard = async (page: Page): Promise<void> => {
  await page.waitForFunction(() => document.documentElement.dataset['dashboardReady'] === 'true', undefined, { timeout: 20_000 });
};

/** Signs in through the sign-in form and waits for the dashboard with data. */
export const signIn = async (page: Page, baseUrl: string, credentials: Credentials): Promise<void> => {
  await page.goto(`${baseUrl}/#/signin`);
  await page.getByLabel('Username').fill(credentials.username);
  await page.getByLabel('Password').fill(credentials.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await waitForDashboard(page);
};

export const signOut = async (page: Page): Promise<void> => {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
};

export const goTo = async (page: Page, baseUrl: string, hash: string): Promise<void> => {
  await page.goto(`${baseUrl}/${hash.startsWith('#') ? hash : `#${hash}`}`);
};

/** The headline figures of the dashboard: label → displayed value. */
export const dashboardHeadlines = async (page: Page): Promise<Record<string, string>> => {
  const cards = page.locator('.headline');
  await cards.first().locator('.headline-value').waitFor();
  const out: Record<string, string> = {};
  for (const card of await cards.all()) out[(await card.locator('.headline-label').innerText()).trim()] = (await card.locator('.headline-value').innerText()).trim();
  return out;
};

/** Opens a country's page and waits for its charts to be drawn; returns how many there are. */
export const openCountryChart = async (page: Page, baseUrl: string, iso3: string): Promise<number> => {
  await goTo(page, baseUrl, `/countries/${iso3}`);
  await page.locator('.chart svg path[stroke]').first().waitFor();
  await page.waitForFunction(() => document.querySelectorAll('.chart-grid .skeleton').length === 0);
  return page.locator('.chart svg[role="img"]').count();
};

/**
 * Requests a ranking report on the Reports page and waits for it to become ready WITHOUT a
 * reload (navigations are counted), then downloads it. Returns the file's name and text.
 */
export const requestReportAndDownload = async (page: Page, baseUrl: string, readyWithinMs = 30_000): Promise<{ reportId: string; fileName: string; content: string; navigations: number }> => {
  await goTo(page, baseUrl, '/reports');
  await page.getByRole('heading', { name: 'Request a report' }).waitFor();
  await page.getByLabel('A ranking').check();
  let navigations = 0;
  const onNavigate = (frame: { parentFrame(): unknown }) => {
    if (!frame.parentFrame()) navigations++;
  };
  page.on('framenavigated', onNavigate);
  const before = await page.locator('li.report').count();
  await page.getByRole('button', { name: 'Request report' }).click();
  await page.getByRole('status').filter({ hasText: 'Requested' }).waitFor();
  await page.waitForFunction((n) => document.querySelectorAll('li.report').length > n, before);
  const newest = page.locator('li.report').first();
  await newest.and(page.locator('[data-status="ready"]')).waitFor({ timeout: readyWithinMs });
  page.off('framenavigated', onNavigate);
  const [download] = await Promise.all([page.waitForEvent('download'), newest.getByRole('button', { name: /^Download/ }).click()]);
  const stream = await download.createReadStream();
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  const reportId = (await newest.getAttribute('data-report-id')) ?? '';
  return { reportId, fileName: download.suggestedFilename(), content: Buffer.concat(chunks).toString('utf8'), navigations };
};

/**
 * Opens the Reports page with this browser's own memory of its reports wiped, so the history can
 * only come from the server's list of the user's reports; waits for the report, ready, with its
 * Download button. Returns the statuses listed, newest first.
 */
export const reportHistoryFromServer = async (page: Page, baseUrl: string, reportId: string): Promise<string[]> => {
  await page.evaluate(() => localStorage.removeItem('nationpulse.my-reports'));
  const row = page.locator(`li.report[data-report-id="${reportId}"]`);
  // The reports read model trails the report's own stream by a moment: a fresh load may still say pending.
  for (let attempt = 1; ; attempt++) {
    await goTo(page, baseUrl, '/reports');
    try {
      await row.and(page.locator('[data-status="ready"]')).waitFor({ timeout: 5_000 });
      break;
    } catch (error) {
      if (attempt === 3) throw error;
    }
  }
  await row.getByRole('button', { name: /^Download/ }).waitFor();
  if ((await page.getByText('Showing the reports requested from this browser').count()) > 0) throw new Error('the report history came from this browser, not the server');
  return page.locator('li.report').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset['status'] ?? ''));
};

/** Registers a user from the Admin page. */
export const registerUser = async (page: Page, baseUrl: string, user: Credentials & { role: 'admin' | 'analyst' | 'viewer' }): Promise<void> => {
  await goTo(page, baseUrl, '/admin');
  await page.getByText('Register a user').click();
  await page.getByLabel('Username', { exact: true }).fill(user.username);
  await page.getByLabel(/^Password/).fill(user.password);
  await page.getByLabel('Role', { exact: true }).selectOption(user.role);
  await page.getByRole('button', { name: 'Register' }).click();
  await page.getByRole('status').filter({ hasText: `Registered ${user.username}` }).waitFor();
};

/** Grants a role to a user from the Admin page and waits until the user's roles show it. */
export const grantRole = async (page: Page, baseUrl: string, username: string, role: string): Promise<void> => {
  await goTo(page, baseUrl, '/admin');
  const row = page.locator(`li.user[data-username="${username}"]`);
  await row.waitFor();
  await row.getByLabel(`Role to grant to ${username}`).selectOption(role);
  await row.getByRole('button', { name: 'Grant role' }).click();
  await row.getByRole('list', { name: `Roles of ${username}` }).getByText(role, { exact: true }).waitFor();
};

/** Opens the audit's access changes and waits for the grant of `role` to `username`; returns the row's text. */
export const accessChangeInAudit = async (page: Page, baseUrl: string, username: string, role: string): Promise<string> => {
  await goTo(page, baseUrl, '/audit?tab=access');
  const row = page.locator(`tr[data-change="role-granted"][data-username="${username}"]`).filter({ hasText: role }).first();
  await row.waitFor();
  return row.innerText();
};

/** Opens the Admin page and waits for the refusal a user without admin permissions gets. */
export const expectAdminRefused = async (page: Page, baseUrl: string): Promise<string> => {
  await goTo(page, baseUrl, '/admin');
  const alert = page.getByRole('alert').filter({ hasText: 'Access denied' }).first();
  await alert.waitFor();
  return alert.innerText();
};

export interface PageLoadFigures {
  /** Bytes transferred (compressed, with headers) for the document and every resource it loaded. */
  readonly transferredBytes: number;
  readonly requests: number;
  /** From navigation start to the dashboard's first render with data (performance mark np:dashboard-data). */
  readonly firstDataMs: number;
  /** From navigation start to the world map drawn with colours (np:map-drawn). */
  readonly mapDrawnMs: number;
  /** From navigation start to the app's script running (np:boot): download and parse of the bundle. */
  readonly bootMs: number;
  readonly byType: Readonly<Record<string, number>>;
}

/**
 * Loads the dashboard in a fresh browser context (empty cache) with a session already signed in
 * through the API, and measures what the first view costs, with the browser's own Resource Timing.
 */
export const measureFirstDashboard = async (browser: Browser, baseUrl: string, credentials: Credentials): Promise<PageLoadFigures> => {
  const signin = await fetch(`${baseUrl}/api/v1/auth/signin`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(credentials) });
  if (!signin.ok) throw new Error(`sign-in failed: ${signin.status} ${await signin.text()}`);
  const tokens = (await signin.json()) as { accessToken: string; refreshToken: string; expiresIn?: number };
  const { context, page } = await newPage(browser, 'laptop');
  try {
    await context.addInitScript((session) => localStorage.setItem('nationpulse.session', session), JSON.stringify({ ...tokens, ...(tokens.expiresIn ? { expiresAt: Date.now() + tokens.expiresIn * 1000 } : {}) }));
    await page.goto(`${baseUrl}/`);
    await waitForDashboard(page);
    await page.waitForFunction(() => performance.getEntriesByName('np:map-drawn').length > 0, undefined, { timeout: 20_000 });
    // Let the last responses of the first view (the other dashboard panels) land.
    await page.waitForTimeout(500);
    return await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
      const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
      const byType: Record<string, number> = { document: nav?.transferSize ?? 0 };
      for (const r of resources) {
        const type = r.name.includes('/api/') ? 'api' : (/\.(\w+)(?:\?|$)/.exec(r.name)?.[1] ?? r.initiatorType);
        byType[type] = (byType[type] ?? 0) + r.transferSize;
      }
      return {
        transferredBytes: Object.values(byType).reduce((a, b) => a + b, 0),
        requests: resources.length + 1,
        firstDataMs: performance.getEntriesByName('np:dashboard-data')[0]?.startTime ?? Number.NaN,
        mapDrawnMs: performance.getEntriesByName('np:map-drawn')[0]?.startTime ?? Number.NaN,
        bootMs: performance.getEntriesByName('np:boot')[0]?.startTime ?? Number.NaN,
        byType,
      };
    });
  } finally {
    await context.close();
  }
};

export interface FullFlowOptions {
  readonly browser: Browser;
  readonly baseUrl: string;
  readonly admin: Credentials;
  /** A country known to have data. */
  readonly country?: string;
  /** Prefix of the screenshot names. */
  readonly shots?: string;
  /** Whether to grant a role from the Admin page's user list (default true). */
  readonly grantRoleInUi?: boolean;
  /** Whether to look for that grant in the audit's access changes (the real platform records them; the stand-in keeps users apart). */
  readonly checkAccessAudit?: boolean;
}

export interface FullFlowResult {
  readonly headlines: Record<string, string>;
  readonly charts: number;
  readonly report: { reportId: string; fileName: string; content: string; navigations: number };
  /** The statuses of the Reports page's history, loaded from the server, newest first. */
  readonly history: readonly string[];
  readonly viewer: Credentials;
  readonly refusal: string;
  /** After the grant: the granted role shown in the user's row, the audit's row for it, the page the promoted user can now open. */
  readonly granted: { readonly roleShown: boolean; readonly audit: string | null; readonly promotedSees: readonly string[] } | null;
}

/**
 * The product's main path, as a user walks it: sign in, read the dashboard, open a country's
 * charts, request a report and see it become ready without reloading, download it, register a
 * viewer, see that viewer refused the admin page, and grant them a role as admin.
 */
export const runFullFlow = async ({ browser, baseUrl, admin, country = 'FRA', shots = 'flow', grantRoleInUi = true, checkAccessAudit = false }: FullFlowOptions): Promise<FullFlowResult> => {
  const { context, page } = await newPage(browser, 'laptop');
  try {
    await signIn(page, baseUrl, admin);
    const headlines = await dashboardHeadlines(page);
    await page.locator('.map svg path.country').first().waitFor();
    await screenshot(page, `${shots}-01-dashboard`);

    const charts = await openCountryChart(page, baseUrl, country);
    await screenshot(page, `${shots}-02-country`);

    const report = await requestReportAndDownload(page, baseUrl);
    await screenshot(page, `${shots}-03-report-ready`);
    const history = await reportHistoryFromServer(page, baseUrl, report.reportId);

    const viewer = { username: `viewer-${Date.now().toString(36)}`, password: 'a long enough password' };
    await registerUser(page, baseUrl, { ...viewer, role: 'viewer' });
    await signOut(page);

    await signIn(page, baseUrl, viewer);
    const refusal = await expectAdminRefused(page, baseUrl);
    await screenshot(page, `${shots}-04-viewer-refused-admin`);
    await signOut(page);

    let granted: FullFlowResult['granted'] = null;
    if (grantRoleInUi) {
      await signIn(page, baseUrl, admin);
      await grantRole(page, baseUrl, viewer.username, 'analyst');
      await screenshot(page, `${shots}-05-admin-granted-role`);
      const audit = checkAccessAudit ? await accessChangeInAudit(page, baseUrl, viewer.username, 'analyst') : null;
      if (checkAccessAudit) await screenshot(page, `${shots}-06-audit-access-change`);
      await signOut(page);
      // The promoted user, signed in again, gets the analyst's pages.
      await signIn(page, baseUrl, viewer);
      // Gated links appear only once the server has said who this is (never while /me loads).
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).waitFor();
      const promotedSees = await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allInnerTexts();
      granted = { roleShown: true, audit, promotedSees: promotedSees.map((t) => t.trim()) };
    }
    return { headlines, charts, report, history, viewer, refusal, granted };
  } finally {
    await context.close();
  }
};
