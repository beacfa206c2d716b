import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../session';

/** The project's balance, burn rate and hours left, refreshed every minute (the meter's pace). */
export function useBalance(projectId: string) {
  const api = useApi();
  return useQuery({
    queryKey: ['billing', projectId, 'balance'],
    queryFn: async () => (await api.billing.balance(projectId)).data,
    refetchInterval: 60_000,
  });
}

/** The project's burn per hour; null until the billing API answers. */
export function useBurnRate(projectId: string): string | null {
  return useBalance(projectId).data?.hourlyBurnRate ?? null;
}
