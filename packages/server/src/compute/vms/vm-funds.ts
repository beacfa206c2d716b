/**
 * What compute asks billing before it makes or starts something billable. Billing
 * implements it (compute does not know balances); the checks throw InsufficientFunds with
 * a message that says what the project lacks.
 */
export interface ComputeFunds {
  /**
   * Passes when the project's balance pays at least one hour of a new VM: its size's hourly
   * price (micro-ngwee) plus, with `publicIp`, the hourly price of a public IPv4 address.
   */
  assertCanAfford(
    projectId: string,
    vm: { hourlyPriceMicroNgwee: number; publicIp: boolean },
  ): Promise<void>;
  /** Passes unless the project is suspended for lack of money (its VMs may not start). */
  assertMayStart(projectId: string): Promise<void>;
}
