/**
 * The full flow against a running NationPulse platform (the gateway serving the UI), e.g. the
 * embedded platform of `npm start`. It needs the gateway (issue 5) and reporting (issue 6):
 * set NATIONPULSE_E2E_BASE_URL (e.g. http://127.0.0.1:8080) and the first admin's credentials
 * (NATIONPULSE_E2E_ADMIN_USER / NATIONPULSE_E2E_ADMIN_PASSWORD, defaulting to
 * NATIONPULSE_ADMIN_USER / NATIONPULSE_ADMIN_PASSWORD). Without the base URL the suite is
 * skipped, and says why; with it, missing credentials fail it.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, measureFirstDashboard, runFullFlow } from './harness.ts';

const baseUrl = process.env['NATIONPULSE_E2E_BASE_URL']?.replace(/\/$/, '');
const admin = {
  username: process.env['NATIONPULSE_E2E_ADMIN_USER'] ?? process.env['NATIONPULSE_ADMIN_USER'] ?? '',
  password: process.env['NATIONPULSE_E2E_ADMIN_PASSWORD'] ?? process.env['NATIONPULSE_ADMIN_PASSWORD'] ?? '',
};

describe.skipIf(!baseUrl)('full platform in a browser (skipped: set NATIONPULSE_E2E_BASE_URL to the gateway serving the UI)', () => {
  let browser: Browser;
  beforeAll(async () => {
    if (!admin.username || !admin.password) throw new Error('NATIONPULSE_E2E_ADMIN_USER and NATIONPULSE_E2E_ADMIN_PASSWORD are needed');
    browser = await launchChromium();
  });
  afterAll(async () => browser?.close());

  it('signs in, shows real numbers, a country chart, a report ready without reload and downloaded, a viewer refused admin, a role granted', async () => {
    const result = await runFullFlow({ browser, baseUrl: baseUrl ?? '', admin, shots: 'platform' });
    expect(result.headlines['Population, total']).toMatch(/^\d+(\.\d+)? [MB] people$/);
    expect(result.charts).toBeGreaterThan(0);
    expect(result.report.navigations).toBe(0);
    expect(result.report.content.length).toBeGreaterThan(0);
    expect(result.refusal).toContain('Access denied');
  });

  it('loads the first dashboard under 500 KB and renders it with data under 1.5 s', async () => {
    const figures = await measureFirstDashboard(browser, baseUrl ?? '', admin);
    expect(figures.transferredBytes).toBeLessThan(500 * 1024);
    expect(figures.firstDataMs).toBeLessThan(1500);
  });
});
