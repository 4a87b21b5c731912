import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type Page as BrowserPage, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { root } from '../../scripts/local.ts';
import { DeadLetterSummary, Page } from '../../shared/responses';
import { admin, call, eventually, newProduct, orderBody, read, tokenFor } from './client';
import { receiver } from './receiver';
import { shop } from './shop';

/** Debian's chromium (`.ci/run` installs it); a browser downloaded by npm cannot be fetched here. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Screenshots of the story, git-ignored; the README's picture is copied from here by hand. */
const shots = join(root, 'test-output', 'dashboard');

/** The dead letter of the delivery to `endpoint` (other tests' deliveries may be dead too). */
async function deadLetterOf(endpoint: string): Promise<DeadLetterSummary> {
  const { items } = await read(Page(DeadLetterSummary), 'GET', '/v1/admin/dead-letters?limit=200', { token: admin() });
  const letter = items.find((d) => d.queue === 'conveyor-webhooks' && d.endpoint === endpoint);
  if (!letter) throw new Error('no dead letter for this endpoint yet');
  return letter;
}

let browser: Browser;
let page: BrowserPage;
let token: string;
const hook = receiver();
const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: false });

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  token = await tokenFor(`cust_${crypto.randomUUID().slice(0, 8)}`);
  await hook.start();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  // The page's own errors, in the test's output, so a failure says why.
  page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
  page.on('console', (message) => message.type() === 'error' && console.error(`page console: ${message.text()}`));
});
afterAll(async () => {
  await browser?.close();
  await hook.stop();
});

describe('an operator runs the shop from the dashboard, in a real browser', () => {
  it('signs in with a scoped operator key and keeps nothing of it in the browser', async () => {
    await page.goto(`${inject('gatewayUrl')}/`);
    // A production-style operator: a scoped key from ADMIN_KEYS, kept there only as a hash.
    await page.getByLabel('Operator key').fill(inject('operatorKey'));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Conveyor operations' }).count()).toBe(1);
    await page.getByRole('img', { name: /Workers and queues/ }).waitFor();
    expect(
      await page.evaluate('({ cookie: document.cookie, local: localStorage.length, session: sessionStorage.length })'),
    ).toEqual({
      cookie: '',
      local: 0,
      session: 0,
    });
    const paint = await page.evaluate<number | null>(
      "performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null",
    );
    console.log(`dashboard first contentful paint: ${paint === null ? 'n/a' : `${Math.round(paint)} ms`}`);
    expect(paint).not.toBeNull();
    expect(paint!).toBeLessThan(1000);
  });

  it('watches an order cross the topology and opens its waterfall', async () => {
    const sku = await newProduct(20, 900);
    const customer = shop(() => token);
    const placed = await customer.place(orderBody(sku, 1));
    expect(placed.status).toBe(202);
    await page.getByLabel('Order id').fill(placed.body.id);
    await page.getByRole('button', { name: 'Open' }).click();
    // The page follows the order while it is pending.
    await expect.poll(() => page.locator('#order-status').textContent(), { timeout: 10_000, interval: 250 }).toBe('confirmed');
    const waterfall = page.getByRole('img', { name: /Waterfall of \d+ spans/ });
    await waterfall.waitFor();
    expect(await waterfall.locator('rect').count()).toBeGreaterThanOrEqual(8);
    await page.locator('#orders').screenshot({ path: join(shots, 'order-waterfall.png') });
    // The customer's timeline carries the same hops.
    const timeline = await call<{ hops: { type: string; deliveries: unknown[] }[] }>(
      'GET',
      `/v1/orders/${placed.body.id}/timeline`,
      {
        token,
      },
    );
    expect(timeline.body.hops.find((h) => h.type === 'order.placed')?.deliveries.length).toBeGreaterThanOrEqual(4);
    await page.locator('#topology').scrollIntoViewIfNeeded();
    await shot('topology');
  }, 20_000);

  it('sees a failing webhook receiver end in a dead letter, redrives it once fixed, and sees it leave', async () => {
    const created = await call<{ id: string }>('POST', '/v1/admin/webhooks', {
      token: admin(),
      body: { url: hook.state.url, eventTypes: ['order.confirmed'] },
    });
    expect(created.status).toBe(201);
    const customer = shop(() => token);
    const placed = await customer.place(orderBody(await newProduct(20, 500), 1));
    await customer.settled(placed.body.id, 'confirmed');

    const letter = await eventually(() => deadLetterOf(hook.state.url), 20_000);
    expect(letter).toMatchObject({ eventType: 'order.confirmed', orderId: placed.body.id });
    const redrive = page.getByRole('button', { name: `Redrive ${letter.id}` });
    await redrive.waitFor({ timeout: 10_000 });
    // The row says which order and endpoint, and the last error.
    const row = page.locator('tr', { has: redrive });
    expect(await row.textContent()).toContain(placed.body.id);
    expect(await row.textContent()).toContain(hook.state.url);
    expect(await row.textContent()).toContain('the receiver answered 503');
    await page.locator('#dead-letters').scrollIntoViewIfNeeded();
    await shot('dead-letter');

    hook.state.up = true;
    await redrive.click();
    await expect.poll(() => redrive.count(), { timeout: 15_000 }).toBe(0);
    await expect.poll(() => hook.state.accepted.length, { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
    await shot('redriven');
  }, 45_000);

  it('is usable at phone width', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${inject('gatewayUrl')}/#saga`);
    await page.getByRole('img', { name: /Workers and queues/ }).waitFor();
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await shot('phone');
  });
});
