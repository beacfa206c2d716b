/**
 * What the DNS server logs through: the subset of pino's logger it uses, so the app's
 * logger plugs in as is and tests can pass a silent one.
 */
export interface DnsLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

/** A logger that drops everything. */
export const silentLog: DnsLog = { info() {}, warn() {}, error() {} };
