import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from './support/api';
import { checkPage, launch, newPage, shot } from './support/browser';
import { queryA } from './support/dns';
import { createProject, PASSWORD, signUp, uniqueEmail } from './support/flows';
import { ed25519PublicKey } from './support/keys';
import { makeCoupon } from './support/money';
import { startServer, type RunningServer } from './support/server';

let server: RunningServer;
let browser: Browser;
let page: Page;
let projectId: string;
let vmUrl: string;
const email = uniqueEmail('grace');

beforeAll(async () => {
  // The meter runs every 5 s instead of every minute, so usage shows while the test runs.
  [server, browser] = await Promise.all([
    startServer({ SWIFTCLOUD_BILLING_METER_INTERVAL_SECONDS: '5' }),
    launch(),
  ]);
  page = await newPage(browser, server.url);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function vmStatus(): Promise<string> {
  return (await page.getByTestId('vm-status').textContent()) ?? '';
}

describe("a customer's journey through the console", () => {
  it('signs up and creates a project', async () => {
    await signUp(page, 'Grace Hopper', email);
    projectId = await createProject(page, 'Kafue Labs');
  });

  it('tops up the balance with a coupon made by an administrator', async () => {
    await page.getByRole('link', { name: 'Billing' }).click();
    await page.getByTestId('balance').getByText('K 0.00').waitFor();
    const field = page.getByLabel('Coupon code');
    await field.fill('NOT A CODE');
    await page.getByRole('button', { name: 'Add funds' }).click();
    await page.getByText(/coupon_code must be letters, digits/).waitFor();
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    await field.fill('NOSUCHCOUPON');
    await page.getByRole('button', { name: 'Add funds' }).click();
    await expect.poll(() => field.getAttribute('aria-invalid')).toBe('true');

    const code = await makeCoupon(server.url, '100.00');
    await field.fill(code);
    await page.getByRole('button', { name: 'Add funds' }).click();
    await page.getByText('K 100.00 added. The balance is now K 100.00.').waitFor();
    await page.getByTestId('balance').getByText('K 100.00').waitFor();
    await page.getByRole('cell', { name: code }).waitFor();
    await checkPage(page, 'billing');
  });

  it('creates a VM with the cost shown first, catching a bad SSH key on its field', async () => {
    await page.goto(`/projects/${projectId}/vms`);
    await page.getByText('No VMs in this project yet').waitFor();
    await checkPage(page, 'vms-empty');
    await page.getByRole('link', { name: 'Create VM' }).click();
    await page.getByLabel('Name (its hostname)').fill('web-1');
    await page.getByRole('radio', { name: /Debian 12/ }).check();
    await page.getByRole('radio', { name: /^small/ }).check();
    const cost = page.getByTestId('cost-preview');
    // The size's K 0.2232 and the public address's K 0.07 (the default price) an hour.
    await cost.getByText('K 0.2932').first().waitFor();
    expect(await cost.textContent()).toMatch(/public IPv4 address K 0\.07/);
    expect(await cost.textContent()).toContain('K 150.00 a month');
    expect(await cost.textContent()).toMatch(/balance of K 100\.00/);
    expect(await cost.textContent()).toMatch(/lasts about 14 days/);

    await page.getByLabel('SSH public key').fill('ssh-ed25519 AAAAC3Nza');
    await page.getByRole('button', { name: 'Create VM' }).click();
    await page.getByText('looks cut short or damaged').waitFor();
    await checkPage(page, 'vm-create');

    await page.getByLabel('SSH public key').fill(ed25519PublicKey());
    await page.getByRole('button', { name: 'Create VM' }).click();
    await page.waitForURL(/\/vms\/[0-9a-f-]{36}$/);
    vmUrl = new URL(page.url()).pathname;
  });

  it('shows the VM provisioning, then running, without a reload', async () => {
    await page.getByRole('heading', { name: 'web-1' }).waitFor();
    await expect.poll(vmStatus, { timeout: 60_000, interval: 500 }).toBe('Running');
    expect(await page.getByText(/198\.51\.100\.\d+/).count()).toBeGreaterThan(0);
    await checkPage(page, 'vm-detail');
  });

  it('stops and starts the VM, showing the progress', async () => {
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    await expect.poll(vmStatus, { timeout: 60_000, interval: 500 }).toBe('Stopped');
    await page.getByRole('button', { name: 'Start' }).click();
    await expect.poll(vmStatus, { timeout: 60_000, interval: 500 }).toBe('Running');
    const activity = page.getByRole('list', { name: 'Activity' });
    await activity.getByText('Start', { exact: true }).waitFor();
    await activity.getByText('Stop', { exact: true }).waitFor();
  });

  it("shows the project's burn rate and hours left, and the VM's usage by day", async () => {
    await page.goto(`/projects/${projectId}`);
    // small (K 0.2232) and its public IPv4 address (K 0.07 by default)
    await page.getByText('K 0.2932').waitFor();
    expect(await page.getByTestId('hours-left').textContent()).toMatch(/about \d+ days/);
    await checkPage(page, 'project-overview-running');
    await page.getByRole('link', { name: 'Billing' }).click();
    await expect
      .poll(
        async () => {
          await page.reload();
          await page.getByRole('heading', { name: 'Usage this month' }).waitFor();
          await page.waitForLoadState('networkidle');
          return page.getByRole('img', { name: /Charges by day/ }).count();
        },
        { timeout: 30_000, interval: 2_000 },
      )
      .toBe(1);
    await page.getByRole('cell', { name: 'web-1', exact: true }).waitFor();
    await checkPage(page, 'billing-usage');
  });

  it('lists the VM with its live status', async () => {
    await page.goto(`/projects/${projectId}/vms`);
    const row = page.getByRole('row').filter({ hasText: 'web-1' });
    await row.getByText('Running').waitFor();
    await checkPage(page, 'vms');
  });

  it('adds a domain and an A record that the DNS server answers', async () => {
    await page.goto(`/projects/${projectId}/domains`);
    await page.getByText('No domains in this project yet').waitFor();
    await page.getByLabel('Domain name').fill('kafue-labs.co.zm');
    await page.getByRole('button', { name: 'Add domain' }).click();
    await page.getByRole('heading', { name: 'kafue-labs.co.zm' }).waitFor();
    await page.getByText('ns1.swiftcloud.zm').waitFor();

    await page.getByLabel('Name', { exact: true }).fill('www');
    await page.getByLabel('Content').fill('192.0.2.300');
    await page.getByRole('button', { name: 'Add record' }).click();
    const contentError = page.locator('.record-form .field-error');
    await contentError.first().waitFor();
    expect(await contentError.first().textContent()).toMatch(/IPv4/);
    expect(await page.getByLabel('Content').getAttribute('aria-invalid')).toBe('true');

    await page.getByLabel('Content').fill('192.0.2.10');
    await page.getByRole('button', { name: 'Add record' }).click();
    await page.getByRole('cell', { name: '192.0.2.10' }).waitFor();
    await expect
      .poll(() => queryA(server.dnsPort, 'www.kafue-labs.co.zm'), { timeout: 10_000 })
      .toEqual(['192.0.2.10']);

    await page.getByRole('button', { name: 'Edit A record www' }).click();
    await page.getByLabel('Content').first().fill('192.0.2.11');
    await page.getByRole('button', { name: 'Save record' }).click();
    await page.getByRole('cell', { name: '192.0.2.11' }).waitFor();
    await expect
      .poll(() => queryA(server.dnsPort, 'www.kafue-labs.co.zm'), { timeout: 10_000 })
      .toEqual(['192.0.2.11']);

    // The test server cannot reach the internet's root servers: the check says so in words and
    // the domain stays pending.
    await page.getByRole('button', { name: 'Verify nameservers now' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /parent zone/ })
      .waitFor();
    expect(await page.getByTestId('domain-status').textContent()).toBe('Waiting for delegation');
    await checkPage(page, 'domain');
  });

  it('downloads the zone file', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download zone file' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('kafue-labs.co.zm.zone');
    const path = await download.path();
    const { readFile } = await import('node:fs/promises');
    expect(await readFile(path, 'utf8')).toMatch(/www\s+3600\s+IN\s+A\s+192\.0\.2\.11/);
  });

  it('revokes an API key', async () => {
    await page.goto('/api-keys');
    await page.getByLabel('Name').fill('deploy');
    await page.getByRole('button', { name: 'Create key' }).click();
    const key = new Api(server.url, (await page.getByTestId('new-api-key').textContent())!);
    expect((await key.request('GET', `/v1/projects/${projectId}`)).status).toBe(200);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Revoke deploy' }).click();
    await page.getByText('You have no API keys yet').waitFor();
    expect((await key.request('GET', `/v1/projects/${projectId}`)).status).toBe(401);
  });

  it('deletes the VM after its name is typed', async () => {
    await page.goto(vmUrl);
    const button = page.getByRole('button', { name: 'Delete VM' });
    expect(await button.isDisabled()).toBe(true);
    await page.getByLabel('Type “web-1” to confirm').fill('web-2');
    expect(await button.isDisabled()).toBe(true);
    await page.getByLabel('Type “web-1” to confirm').fill('web-1');
    await button.click();
    await page.waitForURL(new RegExp(`/projects/${projectId}/vms$`));
    await expect
      .poll(
        async () =>
          (await page.getByText('No VMs in this project yet').count()) +
          (await page.getByRole('row').filter({ hasText: 'Deleting' }).count()),
        { timeout: 30_000 },
      )
      .toBeGreaterThan(0);
    await shot(page, 'vms-after-delete');
    const api = await Api.signIn(server.url, email, PASSWORD);
    await expect
      .poll(
        async () => (await api.request('GET', `/v1/vms?project_id=${projectId}`)).body.data.length,
        { timeout: 30_000 },
      )
      .toBe(0);
  });
});
