/**
 * The UI in a real headless Chromium, against the gateway stand-in (real read API, projectors and
 * ingestion; simulated gateway concerns). Saves a screenshot of every page, at laptop and phone
 * widths, to artifacts/screenshots/. The same flow against the real platform is in
 * platform.e2e.test.ts.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildUi } from './build-ui.ts';
import { startGatewayStandIn, standInUsers, type GatewayStandIn } from './gateway-stand-in.ts';
import {
  expectAdminRefused,
  goTo,
  launchChromium,
  measureFirstDashboard,
  newPage,
  runFullFlow,
  screenshot,
  signIn,
  waitForDashboard,
  type ViewportName,
} from './harness.ts';

let gateway: GatewayStandIn;
let browser: Browser;

beforeAll(async () => {
  await buildUi();
  // Access tokens live 45 s: the UI refreshes them ahead of expiry (30 s margin), so rotation runs during the tests.
  gateway = await startGatewayStandIn({ accessTokenTtlSeconds: 45, reportDelayMs: 1200 });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await gateway?.close();
});

const withPage = async (viewport: ViewportName, user: keyof typeof standInUsers, run: (page: Page) => Promise<void>) => {
  const { context, page } = await newPage(browser, viewport);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await signIn(page, gateway.url, standInUsers[user]);
    await run(page);
  } finally {
    await context.close();
  }
  expect(errors, 'uncaught errors in the page').toEqual([]);
};

describe('web UI against the gateway stand-in', () => {
  it('walks the main flow: dashboard, country chart, report ready live and downloaded, viewer refused admin, role granted', async () => {
    const result = await runFullFlow({ browser, baseUrl: gateway.url, admin: standInUsers.admin, shots: 'flow' });
    // Real figures from the ingested World Bank rows: 8.22 B people in 2025.
    expect(result.headlines['Population, total']).toBe('8.22 B people');
    expect(result.headlines['Life expectancy at birth, total']).toMatch(/^\d\d\.\d years$/);
    expect(result.charts).toBeGreaterThanOrEqual(6);
    expect(result.report.navigations).toBe(0);
    expect(result.report.content.split('\n')[0]).toBe('rank,country,name,value');
    expect(result.report.content.split('\n').length).toBeGreaterThan(100);
    expect(result.refusal).toContain('Access denied');
    expect(result.history[0]).toBe('ready');
    expect(result.granted?.promotedSees).toEqual(expect.arrayContaining(['Reports', 'Audit']));
    expect(gateway.stats.sseWithQueryToken).toBeGreaterThan(0);
  });

  for (const viewport of ['laptop', 'phone'] as const) {
    it(`renders every page with data at ${viewport} width`, async () => {
      await withPage(viewport, 'admin', async (page) => {
        await page.locator('.map svg path.country').first().waitFor();
        expect(await page.locator('.map svg path.country[fill^="#"]').count()).toBeGreaterThan(150);
        expect(await page.locator('.map svg path.country[fill="url(#no-data-hatch)"]').count()).toBeGreaterThan(0);
        await expect.poll(() => page.locator('.headline-value').first().innerText()).toMatch(/people$/);
        await screenshot(page, `${viewport}-dashboard`);

        await goTo(page, gateway.url, '/countries/JPN?from=2005');
        await page.locator('.chart svg path[stroke]').first().waitFor();
        expect(await page.locator('.chart-card').first().innerText()).toContain('Year on year');
        await screenshot(page, `${viewport}-country`);

        await goTo(page, gateway.url, '/compare?indicator=SP.DYN.LE00.IN&countries=FRA,DEU,JPN,BRA,NGA,IND');
        await page.locator('.chart svg path[stroke]').nth(5).waitFor();
        expect(await page.locator('.legend li').count()).toBe(6);
        await screenshot(page, `${viewport}-compare`);

        await goTo(page, gateway.url, '/countries');
        await page.getByRole('link', { name: /France/ }).waitFor();
        await screenshot(page, `${viewport}-countries`);

        await goTo(page, gateway.url, '/reports');
        await page.getByRole('heading', { name: 'My reports' }).waitFor();
        await page.getByText(/No reports yet|Statuses update/).first().waitFor();
        await screenshot(page, `${viewport}-reports`);

        await goTo(page, gateway.url, '/audit');
        await page.getByRole('cell', { name: /WDI-REVISION/ }).waitFor();
        await screenshot(page, `${viewport}-audit-runs`);
        await page.getByRole('row', { name: /WDI-REVISION/ }).getByRole('button').click();
        await page.getByRole('heading', { name: /Rejected rows \(3\)/ }).waitFor();
        await screenshot(page, `${viewport}-audit-run`);

        await goTo(page, gateway.url, '/audit?tab=history&country=FRA&indicator=SP.POP.TOTL&year=2023');
        await page.getByRole('cell', { name: /68,372,286 people → 68,401,000 people/ }).waitFor();
        expect(await page.locator('table.data tbody tr').count()).toBe(2);
        await screenshot(page, `${viewport}-audit-history`);

        await goTo(page, gateway.url, `/audit?tab=asof&country=FRA&at=${encodeURIComponent(new Date().toISOString())}`);
        await page.getByRole('cell', { name: 'Population, total' }).waitFor();
        await screenshot(page, `${viewport}-audit-asof`);

        await goTo(page, gateway.url, '/admin');
        await page.locator('li.user').first().waitFor();
        await page.locator('tr[data-projection]').first().waitFor();
        await screenshot(page, `${viewport}-admin`);
      });
    });
  }

  it('shows the sign-in page, and a clear message for wrong credentials', async () => {
    const { context, page } = await newPage(browser, 'laptop');
    await page.goto(`${gateway.url}/#/countries/FRA`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await screenshot(page, 'laptop-signin');
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toContain('Wrong username or password');
    // After signing in, the page asked for first is shown.
    await page.getByLabel('Password').fill(standInUsers.admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'France' }).waitFor();
    await context.close();
  });

  it('lets an admin trigger an ingestion and watch it complete, and rebuild a projection with progress', async () => {
    await withPage('laptop', 'admin', async (page) => {
      await goTo(page, gateway.url, '/admin');
      await page.getByLabel(/World Bank CSV file or folder/).fill('wdi-revision');
      await page.getByRole('button', { name: 'Start ingestion' }).click();
      await page.locator('.progress-block .pill-completed').waitFor({ timeout: 30_000 });
      expect(await page.locator('.progress-block').innerText()).toMatch(/7 rows read/);
      await page.getByRole('row', { name: /series/ }).first().getByRole('button', { name: 'Rebuild' }).click();
      await page.getByRole('status').filter({ hasText: 'Rebuilding series' }).waitFor();
      await screenshot(page, 'laptop-admin-ingestion-rebuild');
      await expect.poll(async () => page.locator('tr[data-projection="series"] .pill').innerText(), { timeout: 30_000 }).toMatch(/live/i);
    });
  });

  it('refuses the admin page to a viewer, and hides what a viewer cannot use', async () => {
    await withPage('phone', 'viewer', async (page) => {
      expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allInnerTexts()).toEqual(['Dashboard', 'Countries', 'Compare']);
      expect(await expectAdminRefused(page, gateway.url)).toContain('Access denied');
      await screenshot(page, 'phone-viewer-refused-admin');
    });
  });

  it('is usable with the keyboard: skip link, focusable chart with a year-by-year readout', async () => {
    await withPage('laptop', 'analyst', async (page) => {
      await goTo(page, gateway.url, '/countries/FRA');
      await page.locator('.chart svg').first().waitFor();
      // After navigating, the page's heading has focus, so screen readers announce the new page.
      expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
      // On a fresh load, Tab reaches the skip link first, and it moves focus to the content.
      await page.reload();
      await page.locator('.chart svg').first().waitFor();
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
      await page.keyboard.press('Enter');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
      await page.locator('.chart svg[tabindex="0"]').first().focus();
      await page.keyboard.press('End');
      const readout = page.locator('.chart .tooltip').first();
      await readout.waitFor();
      expect(await readout.innerText()).toMatch(/20\d\d/);
      expect(await page.locator('.chart svg title').first().textContent()).toContain('France');
    });
  });

  it('shows loading and error states, retries, and labels demo data', async () => {
    await withPage('laptop', 'analyst', async (page) => {
      let failHealth = true;
      await page.route(/\/api\/v1\/dashboard\/health/, (route) =>
        failHealth
          ? route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: { code: 'UPSTREAM_UNAVAILABLE', message: 'read API unavailable' } }) })
          : route.continue(),
      );
      await page.route(/\/api\/v1\/rankings\/SP\.DYN\.LE00\.IN/, async (route) => {
        const response = await route.fetch();
        await route.fulfill({ response, json: { ...(await response.json()), source: 'demo' } });
      });
      await goTo(page, gateway.url, '/?year=2023');
      await page.getByRole('alert').filter({ hasText: 'Could not load this' }).first().waitFor();
      await page.getByText('Demo data').waitFor();
      // Only the failing board is missing: the others are on screen.
      await page.locator('section[aria-labelledby="board-population"] .card').first().waitFor();
      expect(await page.locator('section[aria-labelledby="board-health"] .card').count()).toBe(0);
      await screenshot(page, 'laptop-dashboard-error-and-demo');
      failHealth = false;
      await page.getByRole('button', { name: 'Try again' }).first().click();
      await expect.poll(() => page.getByRole('alert').count()).toBe(0);
    });
  });

  it('keeps the session across access-token expiry by rotating refresh tokens, without reuse', async () => {
    const { context, page } = await newPage(browser, 'laptop');
    await signIn(page, gateway.url, standInUsers.analyst);
    const before = gateway.stats.refreshes;
    const tokenOf = () => page.evaluate(() => JSON.parse(localStorage.getItem('nationpulse.session') ?? '{}') as { refreshToken?: string });
    const first = await tokenOf();
    // Age the stored token so the next request refreshes it first.
    await page.evaluate(() => {
      const s = JSON.parse(localStorage.getItem('nationpulse.session') ?? '{}') as Record<string, unknown>;
      localStorage.setItem('nationpulse.session', JSON.stringify({ ...s, expiresAt: Date.now() + 1000 }));
    });
    await goTo(page, gateway.url, '/countries/DEU');
    await page.locator('.chart svg').first().waitFor();
    expect(gateway.stats.refreshes).toBeGreaterThan(before);
    expect((await tokenOf()).refreshToken).not.toBe(first.refreshToken);
    expect(gateway.stats.refreshReuseDetected).toBe(0);
    await page.reload();
    await page.getByRole('heading', { name: 'Germany' }).waitFor();
    await context.close();
  });

  it('loads the first dashboard under 500 KB transferred, and renders it with data', async () => {
    const figures = await measureFirstDashboard(browser, gateway.url, standInUsers.viewer);
    expect(figures.transferredBytes).toBeLessThan(500 * 1024);
    expect(figures.byType['json']).toBeGreaterThan(10_000); // the map's shapes, loaded lazily but part of the first view
    // The 1.5 s render target is measured by the web benchmark (median of cold loads, with the machine's load recorded);
    // here, on a machine shared with the rest of the test suite, only a gross regression fails.
    expect(figures.firstDataMs).toBeLessThan(6000);
  });

  it('starts from a bookmarked dashboard', async () => {
    const { context, page } = await newPage(browser, 'phone');
    await signIn(page, gateway.url, standInUsers.viewer);
    await goTo(page, gateway.url, '/?year=2022&map=NY.GDP.PCAP.CD');
    await waitForDashboard(page);
    await page.getByRole('heading', { name: /GDP per capita.*2022/ }).waitFor();
    await context.close();
  });
});
