import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from './support/api';
import { checkPage, launch, layoutShift, newPage } from './support/browser';
import { createProject, PASSWORD, signIn, signUp, uniqueEmail } from './support/flows';
import { startServer, type RunningServer } from './support/server';

let server: RunningServer;
let browser: Browser;
let page: Page;
const email = uniqueEmail('ada');
let projectId: string;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launch()]);
  page = await newPage(browser, server.url);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('accounts, projects and API keys in the browser', () => {
  it('sends a signed-out visitor to sign in, and the sign-in page passes the accessibility scan', async () => {
    await page.goto('/projects/3f2b0c9e-8a1d-4c7e-9b1a-2d4e6f8a0b1c');
    await page.waitForURL(/\/signin\?next=/);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await checkPage(page, 'sign-in');
  });

  it('shows sign-up mistakes next to their fields', async () => {
    await page.goto('/signup');
    await page.getByLabel('Name').fill('Ada');
    await page.getByLabel('Email').fill('not-an-email');
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    const emailError = page.locator('#' + (await describedError(page, 'Email')));
    await expect.poll(() => emailError.textContent()).toContain('Must be an email address');
    const passwordError = page.locator('#' + (await describedError(page, 'Password')));
    expect(await passwordError.textContent()).toBe('Password must be at least 10 characters');
    expect(await page.getByLabel('Password').getAttribute('aria-invalid')).toBe('true');
    await checkPage(page, 'sign-up-invalid');
  });

  it('signs up, lists projects with balances in kwacha and creates one', async () => {
    await signUp(page, 'Ada Lovelace', email);
    await page.getByText('You have no projects yet').waitFor();
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.getByText('Name must not be empty').waitFor();
    const id = await createProject(page, 'Lusaka Shop');
    projectId = id;
    await page.getByRole('heading', { name: 'Lusaka Shop' }).waitFor();
    await checkPage(page, 'project-overview');
    await page.getByRole('link', { name: 'Projects', exact: true }).first().click();
    const card = page.getByRole('listitem').filter({ hasText: 'Lusaka Shop' });
    await card.getByText('K 0.00').first().waitFor();
    await card.getByText('Owner').waitFor();
    await checkPage(page, 'projects');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('renames the project, adds a member and refuses an unknown email on its field', async () => {
    await page.getByRole('link', { name: 'Lusaka Shop' }).click();
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByLabel('Project name').fill('Lusaka Store');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Lusaka Store', level: 1 }).waitFor();

    await page.getByLabel('Their email').fill(uniqueEmail('nobody'));
    await page.getByRole('button', { name: 'Add member' }).click();
    const error = page.locator('#' + (await describedError(page, 'Their email')));
    await expect.poll(() => error.textContent()).toMatch(/account/i);

    const bob = uniqueEmail('bob');
    await new Api(server.url).request('POST', '/v1/auth/register', {
      email: bob,
      password: PASSWORD,
      name: 'Bob',
    });
    await page.getByLabel('Their email').fill(bob);
    await page.getByLabel('Role', { exact: true }).selectOption('viewer');
    await page.getByRole('button', { name: 'Add member' }).click();
    const row = page.getByRole('row').filter({ hasText: bob });
    await row.waitFor();
    expect(await row.getByLabel(`Role of ${bob}`).inputValue()).toBe('viewer');
    await checkPage(page, 'project-settings');

    await row.getByLabel(`Role of ${bob}`).selectOption('member');
    const owner = await Api.signIn(server.url, email, PASSWORD);
    await expect
      .poll(async () => {
        const members = await owner.request('GET', `/v1/projects/${projectId}/members`);
        return members.body.data.find((m: any) => m.email === bob)?.role;
      })
      .toBe('member');
  });

  it('deletes an empty project once its name is typed, and says why one cannot be', async () => {
    const id = await createProject(page, 'Scratch');
    await page.goto(`/projects/${id}/settings`);
    const button = page.getByRole('button', { name: 'Delete project' });
    expect(await button.isDisabled()).toBe(true);
    await page.getByLabel('Type “Scratch” to confirm').fill('Scratch');
    await button.click();
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
    expect(await page.getByRole('link', { name: 'Scratch' }).count()).toBe(0);
    const owner = await Api.signIn(server.url, email, PASSWORD);
    expect((await owner.request('GET', `/v1/projects/${id}`)).status).toBe(404);

    const busy = await createProject(page, 'Busy');
    await owner.request('POST', '/v1/domains', { project_id: busy, name: 'busy-example.co.zm' });
    await page.goto(`/projects/${busy}/settings`);
    await page.getByLabel('Type “Busy” to confirm').fill('Busy');
    await page.getByRole('button', { name: 'Delete project' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /domain|resource/i })
      .waitFor();
    expect((await owner.request('GET', `/v1/projects/${busy}`)).status).toBe(200);
  });

  it('creates an API key, shows its secret once, and revokes it so it stops working', async () => {
    await page.getByRole('link', { name: 'API keys' }).click();
    // The project settings page before it has a "Name" field too: wait for the keys page.
    await page.getByRole('heading', { name: 'Create a key' }).waitFor();
    await page.getByLabel('Name').fill('backup script');
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = (await page.getByTestId('new-api-key').textContent())!;
    expect(secret).toMatch(/^sc_/);
    const key = new Api(server.url, secret);
    expect((await key.request('GET', '/v1/projects')).status).toBe(200);
    await checkPage(page, 'api-keys');

    await page.getByRole('button', { name: 'I have stored it' }).click();
    expect(await page.getByTestId('new-api-key').count()).toBe(0);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Revoke backup script' }).click();
    await page.getByText('You have no API keys yet').waitFor();
    expect((await key.request('GET', '/v1/projects')).status).toBe(401);
  });

  it('changes the password, signs out, and signs in with the new one', async () => {
    await page.getByRole('link', { name: 'Account' }).click();
    await page.getByLabel('Current password').fill('wrong password here');
    await page.getByLabel('New password').fill('an even longer passphrase');
    await page.getByRole('button', { name: 'Change password' }).click();
    const error = page.locator('#' + (await describedError(page, 'Current password')));
    await expect.poll(() => error.textContent()).toMatch(/password/i);

    await page.getByLabel('Current password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Password changed.').waitFor();
    await checkPage(page, 'account');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await signIn(page, email, PASSWORD);
    await page.getByText('The email or password is wrong').waitFor();
    await signIn(page, email, 'an even longer passphrase');
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
  });

  it('reloads a deep link on the same page', async () => {
    await page.getByRole('link', { name: 'Lusaka Store' }).click();
    await page.getByRole('link', { name: 'Domains' }).click();
    const url = page.url();
    await page.reload();
    await page.getByRole('heading', { name: 'Domains' }).waitFor();
    expect(page.url()).toBe(url);
  });

  it('loads a project without the layout shifting when the data arrives', async () => {
    await page.goto('/');
    await page.getByRole('link', { name: 'Lusaka Store' }).click();
    await page.getByRole('heading', { name: 'Resources' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Resources' }).waitFor();
    await page.waitForLoadState('networkidle');
    expect(await layoutShift(page)).toBeLessThan(0.1);
  });

  it('fits a 360 px wide phone without sideways scrolling', async () => {
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto('/');
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await checkPage(page, 'projects-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
  });
});

/** The id of the error message tied to a labelled field (its aria-describedby). */
async function describedError(page: Page, label: string): Promise<string> {
  const field = page.getByLabel(label, { exact: true });
  await expect.poll(() => field.getAttribute('aria-describedby')).toMatch(/-error/);
  const ids = (await field.getAttribute('aria-describedby'))!.split(' ');
  return ids.find((id) => id.endsWith('-error'))!.replace(/:/g, '\\:');
}
