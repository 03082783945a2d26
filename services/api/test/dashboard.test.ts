/// <reference lib="dom" />
// The callbacks given to page.evaluate run in the browser.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertSession, insertStats } from './support/seed-fleet.js';
import { READ_TOKEN, startTestApi, type TestApi } from './support/test-api.js';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

let api: TestApi;
let base: string;
let profile: string;
let context: BrowserContext;
const problems: string[] = [];

async function open(page: Page, hash: string): Promise<void> {
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    // The silences card asks for a table no migration creates yet and shows the 503's reason.
    if (msg.type() === 'error' && !msg.text().includes('status of 503'))
      problems.push(`console: ${msg.text()}`);
  });
  await page.goto(`${base}/${hash}`);
}

beforeAll(async () => {
  api = await startTestApi({ liveIntervalMs: 200 });
  await api.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}`;
  profile = await mkdtemp(join(tmpdir(), 'hostwatch-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    viewport: { width: 1366, height: 900 },
  });
});

afterAll(async () => {
  await context?.close();
  await api?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
});

describe('the dashboard in Chromium', () => {
  it('signs in from the link, shows the seeded fleet with sparklines, and updates a host live', async () => {
    const page = await context.newPage();
    await open(page, `#token=${READ_TOKEN}`);
    const rows = page.locator('table.fleet tbody tr[data-host]');
    await expect.poll(() => rows.count()).toBe(4);
    expect(
      await rows.evaluateAll((trs) =>
        trs.map((tr) => [(tr as HTMLElement).dataset['host'], (tr as HTMLElement).dataset['status']]),
      ),
    ).toEqual([
      ['db-01', 'pending'],
      ['old-01', 'revoked'],
      ['web-01', 'online'],
      ['web-02', 'offline'],
    ]);
    // The token left the address bar and lives in the browser's storage.
    expect(await page.evaluate(() => location.hash)).toBe('#/');
    const web01 = page.locator('tr[data-host="web-01"]');
    expect(await web01.locator('td[data-field="cpu"]').innerText()).toContain('81.9%');
    expect(
      Number(await web01.locator('td[data-field="cpu"] svg.spark').getAttribute('data-points')),
    ).toBeGreaterThan(5);
    await expect.poll(() => page.locator('#live').getAttribute('data-state')).toBe('on');

    await insertStats(api.db, 'web-01', new Date(), 97.5, 44, 10_000);
    await expect
      .poll(() => page.locator('tr[data-host="web-01"] td[data-field="cpu"]').innerText())
      .toContain('97.5%');
    expect(await page.locator('tr[data-host="web-01"] td[data-field="mem"]').innerText()).toContain('44.0%');
    await page.close();
  });

  it('shows a host with charts over a chosen range, attempts per day and top sources', async () => {
    const page = await context.newPage();
    await open(page, '#/');
    await page.locator('tr[data-host="web-01"] a').click();
    const cpu = page.locator('figure[data-chart="cpu"] svg');
    await expect.poll(() => cpu.getAttribute('data-points')).not.toBeNull();
    // Two hours of samples in 5-minute buckets, average and maximum.
    expect(Number(await cpu.getAttribute('data-points'))).toBeGreaterThan(40);
    expect(
      await page.locator('figure[data-chart="cpu"] g[data-series="cpuAvg"] polyline').count(),
    ).toBeGreaterThan(0);
    const box = await page.locator('figure[data-chart="mem"] svg').boundingBox();
    expect(box?.width).toBeGreaterThan(300);

    await page.locator('button', { hasText: '1h' }).click();
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#/hosts/web-01?range=1h');
    await expect.poll(() => page.locator('button[aria-pressed="true"]').innerText()).toBe('1h');
    await expect
      .poll(async () =>
        Number(await page.locator('figure[data-chart="cpu"] svg').getAttribute('data-points')),
      )
      .toBeGreaterThan(0);

    expect(Number(await page.locator('figure[data-chart="attempts"] svg').getAttribute('data-points'))).toBe(
      30,
    );
    await expect.poll(() => page.locator('text=203.0.113.5').first().isVisible()).toBe(true);
    await page.screenshot({ path: join(tmpdir(), 'hostwatch-dashboard-host.png'), fullPage: true });
    await page.close();
  });

  it('narrows the sessions table with a filter, and a new session appears live', async () => {
    const page = await context.newPage();
    await open(page, '#/hosts/web-01?range=24h');
    const sessions = page.locator('table.sessions tbody tr');
    await expect.poll(() => sessions.count()).toBe(4);
    await page.locator('form[aria-label="Filter sessions"] select[name="outcome"]').selectOption('failed');
    await page.locator('form[aria-label="Filter sessions"] button[type="submit"]').click();
    await expect.poll(() => sessions.count()).toBe(2);
    await page.locator('form[aria-label="Filter sessions"] input[name="user"]').fill('oracle');
    await page.locator('form[aria-label="Filter sessions"] button[type="submit"]').click();
    await expect.poll(() => sessions.count()).toBe(1);
    expect(await sessions.first().getAttribute('data-session')).toBe('s2');

    await page.locator('form[aria-label="Filter sessions"] button[type="reset"]').click();
    await expect.poll(() => sessions.count()).toBe(4);
    await insertSession(api.db, {
      host: 'web-01',
      session: 'live-1',
      start: new Date(),
      source: '198.51.100.77',
      users: ['deploy'],
      accepted: 1,
    });
    await expect.poll(() => page.locator('table.sessions tbody tr[data-session="live-1"]').count()).toBe(1);
    expect(await sessions.first().getAttribute('data-session')).toBe('live-1');
    await page.close();
  });

  it('shows the alerts page with firing alerts and notifications', async () => {
    const page = await context.newPage();
    await open(page, '#/alerts');
    await expect.poll(() => page.locator('tr[data-series="cpu:web-01"]').count()).toBe(1);
    expect(await page.locator('tr[data-series="cpu:web-01"]').innerText()).toContain('firing');
    await expect.poll(() => page.locator('text=[hostwatch] FIRING cpu on web-01').count()).toBe(1);
    // The count in the navigation is filled by its own request: wait for it like for the rows.
    await expect.poll(() => page.locator('#alert-count').innerText()).toBe('1');
    expect(await page.locator('text=No silences.').count()).toBe(1);
    await page.close();
  });

  it('fits a phone screen without sideways scrolling', async () => {
    const page = await context.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await open(page, '#/');
    await expect.poll(() => page.locator('table.fleet tbody tr[data-host]').count()).toBe(4);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(tmpdir(), 'hostwatch-dashboard-phone.png'), fullPage: true });
    await page.locator('tr[data-host="web-01"] a').click();
    await expect.poll(() => page.locator('figure[data-chart="cpu"] svg').count()).toBe(1);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.close();
  });

  it('logged no script errors', () => {
    expect(problems).toEqual([]);
  });
});
