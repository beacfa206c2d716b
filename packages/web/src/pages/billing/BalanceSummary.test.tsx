import type { Project } from '@swiftcloud/contracts';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render, screen } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../../api/client';
import { SessionProvider } from '../../session';
import { BalanceSummary } from './BalanceSummary';

const project: Project = {
  id: '3f2b0c9e-8a1d-4c7e-9b1a-2d4e6f8a0b1c',
  name: 'Shop',
  description: '',
  createdAt: '2024-01-01T00:00:00Z',
  resourceCount: 1,
  balance: '2.93',
  currency: 'ZMW',
  role: 'owner',
};

/** The API as the page sees it: /auth/me signed out, the balance as given. */
function fakeApi(balance: {
  balance: string;
  hourlyBurnRate: string;
  hoursRemaining: number | null;
}) {
  return new ApiClient({
    fetch: (async (url: string) => {
      if (String(url).startsWith('/v1/billing/balance')) {
        return Response.json({ data: { ...balance, currency: 'ZMW' } });
      }
      return Response.json(
        { error: { code: 'UNAUTHORIZED', message: 'Sign in', details: [] } },
        { status: 401 },
      );
    }) as typeof fetch,
  });
}

function show(
  balance: { balance: string; hourlyBurnRate: string; hoursRemaining: number | null },
  role: Project['role'] = 'owner',
) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={queryClient}>
      <MemoryRouter>
        <SessionProvider client={fakeApi(balance)}>
          <BalanceSummary project={{ ...project, role }} />
        </SessionProvider>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

afterEach(cleanup);

describe("a project's balance", () => {
  it('shows balance, burn rate and hours left in kwacha', async () => {
    show({ balance: '100.00', hourlyBurnRate: '0.2932', hoursRemaining: 341 });
    expect((await screen.findByTestId('balance')).textContent).toBe('K 100.00');
    expect(screen.getByText('K 0.2932')).toBeTruthy();
    expect(screen.getByTestId('hours-left').textContent).toBe('about 14 days 5 hours');
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('warns an owner when it runs out within three days, with the way to top up', async () => {
    show({ balance: '2.93', hourlyBurnRate: '0.2932', hoursRemaining: 9 });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('runs out in about 9 hours');
    expect(screen.getByRole('link', { name: 'Top up with a coupon' })).toBeTruthy();
  });

  it('tells others to ask an owner, who alone can top up', async () => {
    show({ balance: '2.93', hourlyBurnRate: '0.2932', hoursRemaining: 9 }, 'member');
    expect((await screen.findByRole('alert')).textContent).toContain('Ask an owner');
    expect(screen.queryByRole('link', { name: 'Top up with a coupon' })).toBeNull();
  });

  it('says when the money has run out', async () => {
    show({ balance: '0.00', hourlyBurnRate: '0.2932', hoursRemaining: 0 });
    expect((await screen.findByRole('alert')).textContent).toContain('has run out');
  });

  it('does not warn when nothing burns', async () => {
    show({ balance: '0.00', hourlyBurnRate: '0.00', hoursRemaining: null });
    expect((await screen.findByTestId('hours-left')).textContent).toBe(
      'Nothing is running up charges',
    );
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
