import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from './support/api';
import { checkPage, launch, newPage } from './support/browser';
import { PASSWORD, signIn, uniqueEmail } from './support/flows';
import { ADMIN, startServer, type RunningServer } from './support/server';

let server: RunningServer;
let browser: Browser;
let page: Page;
const customer = uniqueEmail('chanda');

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launch()]);
  await new Api(server.url).request('POST', '/v1/auth/register', {
    email: customer,
    password: PASSWORD,
    name: 'Chanda',
  });
  page = await newPage(browser, server.url);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the admin area, as the administrator set at start', () => {
  it('shows the catalog with its prices in kwacha', async () => {
    await signIn(page, ADMIN.email, ADMIN.password);
    await page.getByRole('link', { name: 'Admin' }).click();
    const sizes = page.getByRole('region', { name: 'Sizes and prices' });
    const small = sizes.getByRole('row').filter({ hasText: 'small' }).first();
    await small.getByText('K 0.2232').waitFor();
    await small.getByText('K 150.00').waitFor();
    await page.getByRole('cell', { name: 'debian-12', exact: true }).waitFor();
    await checkPage(page, 'admin-catalog');
  });

  it('adds a size, showing a bad price next to its field', async () => {
    const form = page.getByRole('region', { name: 'Sizes and prices' });
    await form.getByLabel('Slug').fill('tiny');
    await form.getByLabel('Price per hour (K)').fill('0,10');
    await form.getByLabel('Monthly cap (K)').fill('50.00');
    await form.getByRole('button', { name: 'Add size' }).click();
    await form.getByText('hourly_price must be a decimal string').waitFor();
    expect(await form.getByLabel('Price per hour (K)').getAttribute('aria-invalid')).toBe('true');
    await form.getByLabel('Price per hour (K)').fill('0.10');
    await form.getByRole('button', { name: 'Add size' }).click();
    const row = form.getByRole('row').filter({ hasText: 'tiny' });
    await row.getByText('K 0.10').waitFor();
    await row.getByText('K 50.00').waitFor();
  });

  it('changes a price and retires a size', async () => {
    const form = page.getByRole('region', { name: 'Sizes and prices' });
    await form.getByRole('button', { name: 'Change prices of tiny' }).click();
    await form.getByLabel('Price per hour of tiny (K)').fill('0.12');
    await form.getByRole('button', { name: 'Save prices' }).click();
    await form.getByRole('row').filter({ hasText: 'tiny' }).getByText('K 0.12').waitFor();
    await form.getByRole('button', { name: 'Retire tiny' }).click();
    await form.getByRole('button', { name: 'Offer tiny' }).waitFor();
  });

  it('lists the hypervisor nodes and adds one', async () => {
    await page.getByRole('link', { name: 'Nodes' }).click();
    const nodes = page.getByRole('region', { name: 'Hypervisor nodes' });
    await nodes.getByRole('cell', { name: 'sim-1', exact: true }).waitFor();
    await nodes.getByLabel('Name', { exact: true }).fill('sim-2');
    await nodes.getByRole('button', { name: 'Add node' }).click();
    await nodes.getByRole('cell', { name: 'sim-2', exact: true }).waitFor();
    await checkPage(page, 'admin-nodes');
  });

  it('lists the IP pools and refuses an overlapping one on its field', async () => {
    await page.getByRole('link', { name: 'IP pools' }).click();
    await page
      .getByRole('region', { name: 'IP pools' })
      .getByRole('cell', { name: 'public-1', exact: true })
      .waitFor();
    await page.getByLabel('Name', { exact: true }).fill('public-2');
    await page.getByLabel('Network (CIDR)').fill('198.51.100.0/25');
    await page.getByLabel('Gateway').fill('198.51.100.1');
    await page.getByRole('button', { name: 'Add pool' }).click();
    await page
      .locator('.field-error')
      .filter({ hasText: /public-1/ })
      .waitFor();
    await page.getByLabel('Network (CIDR)').fill('203.0.113.0/24');
    await page.getByLabel('Gateway').fill('203.0.113.1');
    await page.getByRole('button', { name: 'Add pool' }).click();
    await page.getByRole('cell', { name: 'public-2', exact: true }).waitFor();
    await checkPage(page, 'admin-ip-pools');
  });

  it('creates a coupon, refusing a bad amount on its field, and deactivates it', async () => {
    await page.getByRole('link', { name: 'Coupons' }).click();
    // A fresh install's trial coupon is listed.
    await page
      .getByRole('row')
      .filter({ hasText: 'TRY-SWIFTCLOUD' })
      .getByText('K 100.00')
      .waitFor();
    await page.getByLabel('Code').fill('WELCOME50');
    await page.getByLabel('Amount (K)').fill('fifty');
    await page.getByRole('button', { name: 'Create coupon' }).click();
    await page.getByText(/amount must be a decimal string/).waitFor();
    expect(await page.getByLabel('Amount (K)').getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('Amount (K)').fill('50.00');
    await page.getByLabel('Uses (empty: unlimited)').fill('10');
    await page.getByRole('button', { name: 'Create coupon' }).click();
    const row = page.getByRole('row').filter({ hasText: 'WELCOME50' });
    await row.getByText('K 50.00').waitFor();
    await row.getByText('0 of 10').waitFor();
    await checkPage(page, 'admin-coupons');
    await row.getByRole('button', { name: 'Deactivate WELCOME50' }).click();
    await row.getByText('Inactive').waitFor();
  });

  it("credits a customer's project with a reason", async () => {
    const chanda = await Api.signIn(server.url, customer, PASSWORD);
    const projectId = (await chanda.request('POST', '/v1/projects', { name: 'Goodwill' })).body.data
      .id;
    await page.getByRole('link', { name: 'Adjustments' }).click();
    await page.getByLabel('Project id').fill('not-an-id');
    await page.getByLabel('Amount (K)').fill('25.00');
    await page.getByLabel('Reason').fill('Outage on 3 December');
    await page.getByRole('button', { name: 'Record adjustment' }).click();
    await page.getByText(/Paste the project’s id/).waitFor();
    await page.getByLabel('Project id').fill(projectId);
    await page.getByRole('button', { name: 'Record adjustment' }).click();
    await page.getByText("K 25.00 recorded. The project's balance is now K 25.00.").waitFor();
    await checkPage(page, 'admin-adjustments');
    const balance = await chanda.request('GET', `/v1/billing/balance?project_id=${projectId}`);
    expect(balance.body.data.balance).toBe('25.00');
  });

  it('finds a user and disables then enables them', async () => {
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByLabel('Find by email').fill('chanda');
    const row = page.getByRole('row').filter({ hasText: customer });
    await row.waitFor();
    await row.getByRole('button', { name: `Disable ${customer}` }).click();
    await row.getByText('Disabled').waitFor();
    const login = await new Api(server.url).request('POST', '/v1/auth/login', {
      email: customer,
      password: PASSWORD,
    });
    expect(login.status).toBe(401);
    await row.getByRole('button', { name: `Enable ${customer}` }).click();
    await row.getByText('Active').waitFor();
    await checkPage(page, 'admin-users');
  });
});
