import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from './support/api';
import { checkPage, launch, newPage } from './support/browser';
import { PASSWORD, signIn, uniqueEmail } from './support/flows';
import { ed25519PublicKey } from './support/keys';
import { fund } from './support/money';
import { startServer, type RunningServer } from './support/server';

let server: RunningServer;
let browser: Browser;
let page: Page;
let projectId: string;
let vmId: string;
let domainId: string;
const viewer = uniqueEmail('vera');
const member = uniqueEmail('moses');

async function register(email: string, name: string): Promise<Api> {
  await new Api(server.url).request('POST', '/v1/auth/register', {
    email,
    password: PASSWORD,
    name,
  });
  return Api.signIn(server.url, email, PASSWORD);
}

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launch()]);
  const owner = await register(uniqueEmail('olive'), 'Olive Owner');
  await register(viewer, 'Vera Viewer');
  await register(member, 'Moses Member');
  projectId = (await owner.request('POST', '/v1/projects', { name: 'Shared' })).body.data.id;
  await fund(owner, projectId);
  await owner.request('POST', `/v1/projects/${projectId}/members`, {
    email: viewer,
    role: 'viewer',
  });
  await owner.request('POST', `/v1/projects/${projectId}/members`, {
    email: member,
    role: 'member',
  });
  const vm = await owner.request('POST', '/v1/vms', {
    project_id: projectId,
    name: 'db-1',
    template: 'debian-12',
    size: 'small',
    ssh_key: ed25519PublicKey(),
    public_ip: false,
  });
  expect(vm.status, JSON.stringify(vm.body)).toBe(202);
  vmId = vm.body.data.id;
  const domain = await owner.request('POST', '/v1/domains', {
    project_id: projectId,
    name: 'shared-example.co.zm',
  });
  domainId = domain.body.data.id;
  await owner.request('POST', `/v1/domains/${domainId}/records`, {
    name: '@',
    type: 'A',
    content: '192.0.2.1',
  });
  page = await newPage(browser, server.url);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('a viewer', () => {
  it('signs in and sees the project as a viewer', async () => {
    await signIn(page, viewer);
    const card = page.getByRole('listitem').filter({ hasText: 'Shared' });
    await card.getByText('Viewer').waitFor();
  });

  it('sees no write buttons on VMs', async () => {
    await page.goto(`/projects/${projectId}/vms`);
    await page.getByRole('link', { name: 'db-1' }).waitFor();
    expect(await page.getByRole('link', { name: 'Create VM' }).count()).toBe(0);
    await page.goto(`/vms/${vmId}`);
    await page.getByRole('heading', { name: 'db-1' }).waitFor();
    await page.getByRole('heading', { name: 'Activity' }).waitFor();
    // The console needs write access too.
    expect(await page.getByRole('link', { name: 'Open console' }).count()).toBe(0);
    for (const name of ['Start', 'Stop', 'Shut down', 'Reboot', 'Delete VM']) {
      expect(await page.getByRole('button', { name, exact: true }).count(), name).toBe(0);
    }
    await checkPage(page, 'vm-detail-viewer');
  });

  it('sees no write buttons on domains and records', async () => {
    await page.goto(`/projects/${projectId}/domains`);
    await page.getByRole('link', { name: 'shared-example.co.zm' }).waitFor();
    expect(await page.getByRole('button', { name: 'Add domain' }).count()).toBe(0);
    await page.goto(`/domains/${domainId}`);
    await page.getByRole('cell', { name: '192.0.2.1' }).waitFor();
    for (const name of ['Add record', 'Verify nameservers now', 'Delete domain']) {
      expect(await page.getByRole('button', { name }).count(), name).toBe(0);
    }
    expect(await page.getByRole('button', { name: /^Edit / }).count()).toBe(0);
    // Reading is allowed: the zone file is there.
    await page.getByRole('link', { name: 'Download zone file' }).waitFor();
  });

  it('sees the balance but cannot top up', async () => {
    await page.goto(`/projects/${projectId}/billing`);
    await page.getByTestId('balance').getByText('K 500.00').waitFor();
    await page.getByRole('heading', { name: 'Payments' }).waitFor();
    expect(await page.getByRole('button', { name: 'Add funds' }).count()).toBe(0);
  });

  it('cannot rename, manage members or delete the project', async () => {
    await page.goto(`/projects/${projectId}/settings`);
    await page.getByRole('heading', { name: 'Members' }).waitFor();
    await page.getByRole('cell', { name: member }).waitFor();
    expect(await page.getByRole('button', { name: 'Save' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Add member' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Delete project' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Remove' }).count()).toBe(0);
    // A viewer may still leave.
    expect(await page.getByRole('button', { name: 'Leave' }).count()).toBe(1);
  });

  it('is refused in words when forcing the create-VM page', async () => {
    await page.goto(`/projects/${projectId}/vms/new`);
    await page.getByLabel('Name (its hostname)').fill('sneaky');
    await page.getByRole('radio', { name: /Debian 12/ }).check();
    await page.getByRole('radio', { name: /^small/ }).check();
    await page.getByLabel('SSH public key').fill(ed25519PublicKey());
    await page.getByRole('button', { name: 'Create VM' }).click();
    const alert = page.getByRole('alert').filter({ hasText: /viewer|permission|not allowed/i });
    await alert.waitFor();
    const api = await Api.signIn(server.url, viewer, PASSWORD);
    expect((await api.request('GET', `/v1/vms?project_id=${projectId}`)).body.data).toHaveLength(1);
  });

  it('is refused when forcing a write from the page with its own session', async () => {
    const status = await page.evaluate(async (id) => {
      const me = await (await fetch('/v1/auth/me')).json();
      const res = await fetch(`/v1/projects/${id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', 'x-csrf-token': me.data.csrfToken },
        body: JSON.stringify({ name: 'Taken over' }),
      });
      return res.status;
    }, projectId);
    expect(status).toBe(403);
  });
});

describe('a member', () => {
  it('sees write buttons but not the owner-only ones', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(page, member);
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
    await page.goto(`/projects/${projectId}/vms`);
    await page.getByRole('link', { name: 'Create VM' }).waitFor();
    await page.goto(`/projects/${projectId}/settings`);
    await page.getByRole('button', { name: 'Save' }).waitFor();
    expect(await page.getByRole('button', { name: 'Add member' }).count()).toBe(0);
    await page.goto(`/projects/${projectId}/billing`);
    await page.getByRole('heading', { name: 'Payments' }).waitFor();
    expect(await page.getByRole('button', { name: 'Add funds' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Delete project' }).count()).toBe(0);
  });

  it('has no admin area', async () => {
    expect(await page.getByRole('link', { name: 'Admin' }).count()).toBe(0);
    await page.goto('/admin');
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
  });
});
