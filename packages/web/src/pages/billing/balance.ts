/**
 * The project's burn per hour, from the billing API; null until that API answers, in which
 * case the cost preview counts the new VM alone.
 */
export function useBurnRate(_projectId: string): string | null {
  return null;
}
