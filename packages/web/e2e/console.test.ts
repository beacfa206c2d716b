import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api, waitFor } from './support/api';
import { checkPage, launch, newPage, shot } from './support/browser';
import { PASSWORD, signIn, uniqueEmail } from './support/flows';
import { ed25519PublicKey } from './support/keys';
import { fund } from './support/money';
import { startServer, type RunningServer } from './support/server';

let server: RunningServer;
let browser: Browser;
let page: Page;
let owner: Api;
let vmId: string;
const email = uniqueEmail('mwila');

async function vmStatus(): Promise<string> {
  return (await owner.request('GET', `/v1/vms/${vmId}`)).body.data.status;
}

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launch()]);
  await new Api(server.url).request('POST', '/v1/auth/register', {
    email,
    password: PASSWORD,
    name: 'Mwila',
  });
  owner = await Api.signIn(server.url, email, PASSWORD);
  const projectId = (await owner.request('POST', '/v1/projects', { name: 'Screens' })).body.data.id;
  await fund(owner, projectId);
  const vm = await owner.request('POST', '/v1/vms', {
    project_id: projectId,
    name: 'desk-1',
    template: 'ubuntu-24.04',
    size: 'small',
    ssh_key: ed25519PublicKey(),
  });
  expect(vm.status, JSON.stringify(vm.body)).toBe(202);
  vmId = vm.body.data.id;
  await waitFor('the VM to run', async () => (await vmStatus()) === 'running');
  page = await newPage(browser, server.url);
  await signIn(page, email);
  await page.getByRole('heading', { name: 'Projects' }).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/**
 * The top quarter of the console's canvas (where a booting VM prints its first lines): how
 * many colours it holds and which share of its pixels is lit. A blank screen has one colour
 * and nothing lit.
 */
async function screenRegion(p: Page): Promise<{ colours: number; lit: number }> {
  return p.evaluate(() => {
    const canvas = document.querySelector<HTMLCanvasElement>('[data-testid=console-screen] canvas');
    const ctx = canvas && canvas.width > 0 ? canvas.getContext('2d') : null;
    if (!canvas || !ctx) return { colours: 0, lit: 0 };
    const { data } = ctx.getImageData(0, 0, canvas.width, Math.ceil(canvas.height / 4));
    const seen = new Set<number>();
    let lit = 0;
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b] = [data[i]!, data[i + 1]!, data[i + 2]!];
      if (seen.size < 256) seen.add((r << 16) | (g << 8) | b);
      if (r + g + b > 300) lit += 1;
    }
    return { colours: seen.size, lit: lit / (data.length / 4) };
  });
}

describe("the VM's console in the page", () => {
  it("shows the VM's screen through noVNC", async () => {
    await page.goto(`/vms/${vmId}`);
    await page.getByRole('link', { name: 'Open console' }).click();
    await page.getByRole('heading', { name: 'Console of desk-1' }).waitFor();
    await page.locator('[data-testid=console-screen][data-state=connected]').waitFor();
    await expect
      .poll(async () => (await screenRegion(page)).colours, { timeout: 15_000 })
      .toBeGreaterThan(1);
    // Text on a dark screen: some pixels lit, most not.
    const { lit } = await screenRegion(page);
    expect(lit).toBeGreaterThan(0.005);
    expect(lit).toBeLessThan(0.6);
    await checkPage(page, 'console');
  });

  it('sends Ctrl-Alt-Del and goes full screen', async () => {
    const ctrlAltDel = page.getByRole('button', { name: 'Send Ctrl-Alt-Del' });
    expect(await ctrlAltDel.isEnabled()).toBe(true);
    await ctrlAltDel.click();
    await page.getByRole('button', { name: 'Full screen' }).click();
    await expect
      .poll(() => page.evaluate(() => document.fullscreenElement?.className ?? null))
      .toBe('console-frame');
    await page.evaluate(() => document.exitFullscreen());
  });

  it('says in words when the ticket is refused, and reconnects with a new one', async () => {
    await page.route('**/v1/vms/*/console', (route) =>
      route.fulfill({
        status: 503,
        contentType: 'application/json',
        body: JSON.stringify({
          error: {
            code: 'RESOURCE_UNAVAILABLE',
            message: "The VM's console cannot be reached right now",
            details: [],
          },
        }),
      }),
    );
    await page.goto(`/vms/${vmId}/console`);
    await page.getByText("The VM's console cannot be reached right now").waitFor();
    await shot(page, 'console-ticket-refused');
    await page.unroute('**/v1/vms/*/console');
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.locator('[data-testid=console-screen][data-state=connected]').waitFor();
  });

  it('says the VM is off instead of showing a blank screen', async () => {
    await owner.request('POST', `/v1/vms/${vmId}/power`, { action: 'stop' });
    await expect.poll(vmStatus, { timeout: 30_000, interval: 500 }).toBe('stopped');
    await page.goto(`/vms/${vmId}/console`);
    await page.getByText(/not running, so it has no screen to show/).waitFor();
    expect(await page.locator('[data-testid=console-screen]').count()).toBe(0);
  });
});
