import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const dir = mkdtempSync(path.join(tmpdir(), 'swiftcloud-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
function configFile(content: unknown): string {
  files += 1;
  const file = path.join(dir, `config-${files}.json`);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

/** The ConfigError that loading `env` stops with. */
function refusal(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

describe('loadConfig', () => {
  it("takes the web console's folder from SWIFTCLOUD_WEB_DIR, made absolute", () => {
    expect(loadConfig({ SWIFTCLOUD_WEB_DIR: 'public/console' }).webDir).toBe(
      path.resolve('public/console'),
    );
  });

  it('runs on the embedded defaults with nothing set', () => {
    const config = loadConfig({});
    expect(config).toEqual({
      port: 8080,
      host: '0.0.0.0',
      dataDir: path.resolve('./data'),
      databaseUrl: undefined,
      dbPoolSize: 10,
      publicUrl: new URL('http://localhost:8080'),
      admin: undefined,
      session: {
        idleMs: 2 * 3_600_000,
        absoluteMs: 7 * 24 * 3_600_000,
        cookieName: 'swiftcloud_session',
        secureCookie: false,
      },
      loginThrottle: { maxPerAccount: 5, maxPerIp: 30, windowMs: 15 * 60_000 },
      trustProxy: false,
      // The web console's build, found from the server's own folder wherever it runs.
      webDir: path.resolve(fileURLToPath(new URL('../../web/dist', import.meta.url))),
      dns: {
        host: '127.0.0.1',
        port: 5353,
        nameservers: ['ns1.swiftcloud.zm', 'ns2.swiftcloud.zm'],
        hostmaster: 'hostmaster.swiftcloud.zm',
        secondaries: [],
        rootServers: expect.arrayContaining([{ host: '198.41.0.4', port: 53 }]),
      },
      billing: {
        publicIpHourlyPriceMicroNgwee: 7_000_000,
        lowBalanceHours: [72, 24, 1],
        graceMs: 24 * 3_600_000,
        restartOnTopup: false,
        meterIntervalMs: 60_000,
        topupThrottle: { maxPerUser: 20, maxPerProject: 10, windowMs: 3_600_000 },
      },
      compute: {
        jobConcurrency: 8,
        reconcileIntervalMs: 60_000,
        shutdownTimeoutSec: 60,
        simulatorDelays: 'default',
        vmNameservers: ['1.1.1.1', '8.8.8.8'],
      },
      logLevel: 'info',
    });
    expect(config.dns.rootServers).toHaveLength(13);
  });

  it('reads each setting from the environment', () => {
    const config = loadConfig({
      PORT: '9000',
      HOST: '127.0.0.1',
      SWIFTCLOUD_DATA_DIR: '/var/lib/swiftcloud',
      DATABASE_URL: 'postgres://sc:pw@db.internal:5432/swiftcloud',
      SWIFTCLOUD_PUBLIC_URL: 'https://cloud.example.co.zm',
      SWIFTCLOUD_ADMIN_EMAIL: 'Ops@Example.co.zm',
      SWIFTCLOUD_ADMIN_PASSWORD: 'long enough password',
      SWIFTCLOUD_SESSION_IDLE_MINUTES: '30',
      SWIFTCLOUD_SESSION_MAX_HOURS: '24',
      SWIFTCLOUD_TRUST_PROXY: 'true',
    });
    expect(config).toMatchObject({
      port: 9000,
      host: '127.0.0.1',
      dataDir: '/var/lib/swiftcloud',
      databaseUrl: 'postgres://sc:pw@db.internal:5432/swiftcloud',
      admin: { email: 'ops@example.co.zm', password: 'long enough password' },
      session: { idleMs: 30 * 60_000, absoluteMs: 24 * 3_600_000 },
      trustProxy: true,
    });
    expect(config.publicUrl.origin).toBe('https://cloud.example.co.zm');
  });

  it('makes the session cookie Secure and __Host- prefixed when the public URL is https', () => {
    expect(
      loadConfig({ SWIFTCLOUD_PUBLIC_URL: 'https://cloud.example.co.zm' }).session,
    ).toMatchObject({ cookieName: '__Host-swiftcloud_session', secureCookie: true });
    expect(loadConfig({ SWIFTCLOUD_PUBLIC_URL: 'http://10.0.0.5:8080' }).session).toMatchObject({
      cookieName: 'swiftcloud_session',
      secureCookie: false,
    });
  });

  it('takes the default public URL from the port', () => {
    expect(loadConfig({ PORT: '3000' }).publicUrl.origin).toBe('http://localhost:3000');
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' })).toMatchObject({
      port: 8080,
      databaseUrl: undefined,
    });
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ PORT: '-1' }, 'PORT'],
    [{ SWIFTCLOUD_VM_NAMESERVERS: '1.1.1' }, 'SWIFTCLOUD_VM_NAMESERVERS'],
    [{ SWIFTCLOUD_SIMULATOR_DELAYS: 'slow' }, 'SWIFTCLOUD_SIMULATOR_DELAYS'],
    [{ SWIFTCLOUD_RECONCILE_SECONDS: '1' }, 'SWIFTCLOUD_RECONCILE_SECONDS'],
    [{ PORT: '80.5' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ SWIFTCLOUD_PUBLIC_URL: 'ftp://x' }, 'SWIFTCLOUD_PUBLIC_URL'],
    [{ SWIFTCLOUD_PUBLIC_URL: 'not a url' }, 'SWIFTCLOUD_PUBLIC_URL'],
    [{ SWIFTCLOUD_ADMIN_EMAIL: 'nobody' }, 'SWIFTCLOUD_ADMIN_EMAIL'],
    [
      { SWIFTCLOUD_ADMIN_EMAIL: 'ops@example.co.zm', SWIFTCLOUD_ADMIN_PASSWORD: 'short' },
      'SWIFTCLOUD_ADMIN_PASSWORD',
    ],
    [{ SWIFTCLOUD_SESSION_IDLE_MINUTES: '0' }, 'SWIFTCLOUD_SESSION_IDLE_MINUTES'],
    [{ SWIFTCLOUD_TRUST_PROXY: 'maybe' }, 'SWIFTCLOUD_TRUST_PROXY'],
    [{ SWIFTCLOUD_LOG_LEVEL: 'loud' }, 'SWIFTCLOUD_LOG_LEVEL'],
    [{ SWIFTCLOUD_DNS_PORT: '65536' }, 'SWIFTCLOUD_DNS_PORT'],
    [{ SWIFTCLOUD_NAMESERVERS: 'ns1..swiftcloud.zm' }, 'SWIFTCLOUD_NAMESERVERS'],
    [{ SWIFTCLOUD_NAMESERVERS: 'localhost' }, 'SWIFTCLOUD_NAMESERVERS'],
    [{ SWIFTCLOUD_DNS_HOSTMASTER: 'hostmaster@swiftcloud.zm' }, 'SWIFTCLOUD_DNS_HOSTMASTER'],
    [{ SWIFTCLOUD_DNS_SECONDARIES: 'knot.example.co.zm' }, 'SWIFTCLOUD_DNS_SECONDARIES'],
    [{ SWIFTCLOUD_DNS_SECONDARIES: '127.0.0.1:99999' }, 'SWIFTCLOUD_DNS_SECONDARIES'],
    [{ SWIFTCLOUD_DNS_ROOT_SERVERS: '300.1.1.1' }, 'SWIFTCLOUD_DNS_ROOT_SERVERS'],
    [
      { SWIFTCLOUD_BILLING_PUBLIC_IP_HOURLY_PRICE: '0.1234567891' },
      'SWIFTCLOUD_BILLING_PUBLIC_IP_HOURLY_PRICE',
    ],
    [
      { SWIFTCLOUD_BILLING_PUBLIC_IP_HOURLY_PRICE: '-1' },
      'SWIFTCLOUD_BILLING_PUBLIC_IP_HOURLY_PRICE',
    ],
    [{ SWIFTCLOUD_BILLING_LOW_BALANCE_HOURS: '72;24' }, 'SWIFTCLOUD_BILLING_LOW_BALANCE_HOURS'],
    [{ SWIFTCLOUD_BILLING_LOW_BALANCE_HOURS: '72,0' }, 'SWIFTCLOUD_BILLING_LOW_BALANCE_HOURS'],
    [{ SWIFTCLOUD_BILLING_GRACE_HOURS: '-1' }, 'SWIFTCLOUD_BILLING_GRACE_HOURS'],
    [{ SWIFTCLOUD_BILLING_RESTART_ON_TOPUP: 'sometimes' }, 'SWIFTCLOUD_BILLING_RESTART_ON_TOPUP'],
    [
      { SWIFTCLOUD_BILLING_METER_INTERVAL_SECONDS: '1' },
      'SWIFTCLOUD_BILLING_METER_INTERVAL_SECONDS',
    ],
    [{ SWIFTCLOUD_TOPUP_MAX_ATTEMPTS_PER_USER: '0' }, 'SWIFTCLOUD_TOPUP_MAX_ATTEMPTS_PER_USER'],
  ])('stops on %j with a ConfigError naming %s', (env, setting) => {
    expect(refusal(env).message).toContain(setting);
  });

  it('reads the billing settings: prices exact, thresholds deduplicated, highest first', () => {
    const b = loadConfig({
      SWIFTCLOUD_BILLING_PUBLIC_IP_HOURLY_PRICE: '0.00000001',
      SWIFTCLOUD_BILLING_LOW_BALANCE_HOURS: '1,48,1,12',
      SWIFTCLOUD_BILLING_GRACE_HOURS: '0',
      SWIFTCLOUD_BILLING_RESTART_ON_TOPUP: 'true',
    }).billing;
    expect(b.publicIpHourlyPriceMicroNgwee).toBe(1);
    expect(b.lowBalanceHours).toEqual([48, 12, 1]);
    expect(b.graceMs).toBe(0);
    expect(b.restartOnTopup).toBe(true);
  });

  it('reads the DNS settings: nameservers normalised, endpoints with their ports', () => {
    const { dns } = loadConfig({
      SWIFTCLOUD_DNS_PORT: '53',
      SWIFTCLOUD_NAMESERVERS: ' NS1.Example.co.zm. ,ns2.example.co.zm',
      SWIFTCLOUD_DNS_SECONDARIES: '127.0.0.2:5300, ::1, [::1]:5301',
      SWIFTCLOUD_DNS_ROOT_SERVERS: '127.0.0.9',
    });
    expect(dns.port).toBe(53);
    expect(dns.nameservers).toEqual(['ns1.example.co.zm', 'ns2.example.co.zm']);
    expect(dns.secondaries).toEqual([
      { host: '127.0.0.2', port: 5300 },
      { host: '::1', port: 53 },
      { host: '::1', port: 5301 },
    ]);
    expect(dns.rootServers).toEqual([{ host: '127.0.0.9', port: 53 }]);
  });

  it('names every bad setting at once', () => {
    const message = refusal({ PORT: 'abc', DATABASE_URL: 'mysql://x' }).message;
    expect(message).toContain('PORT');
    expect(message).toContain('DATABASE_URL');
  });

  it('refuses an admin email without a password, and a password without an email', () => {
    expect(refusal({ SWIFTCLOUD_ADMIN_EMAIL: 'ops@example.co.zm' }).message).toContain(
      'SWIFTCLOUD_ADMIN_PASSWORD',
    );
    expect(refusal({ SWIFTCLOUD_ADMIN_PASSWORD: 'long enough password' }).message).toContain(
      'SWIFTCLOUD_ADMIN_EMAIL',
    );
  });

  it('never echoes the admin password in its refusal', () => {
    const message = refusal({
      SWIFTCLOUD_ADMIN_PASSWORD: 'hunter2!!',
      SWIFTCLOUD_ADMIN_EMAIL: 'ops@example.co.zm',
    }).message;
    expect(message).toContain('SWIFTCLOUD_ADMIN_PASSWORD');
    expect(message).not.toContain('hunter2');
  });
});

describe('the config file named by SWIFTCLOUD_CONFIG', () => {
  it('supplies settings, and the environment overrides it', () => {
    const file = configFile({
      PORT: 9100,
      HOST: '127.0.0.1',
      SWIFTCLOUD_TRUST_PROXY: true,
      SWIFTCLOUD_PUBLIC_URL: 'https://from-file.example.co.zm',
    });
    const config = loadConfig({
      SWIFTCLOUD_CONFIG: file,
      PORT: '9200',
      SWIFTCLOUD_PUBLIC_URL: 'https://from-env.example.co.zm',
    });
    expect(config).toMatchObject({ port: 9200, host: '127.0.0.1', trustProxy: true });
    expect(config.publicUrl.origin).toBe('https://from-env.example.co.zm');
  });

  it('refuses an unknown key in the file, naming it', () => {
    const file = configFile({ PORT: 9100, PROT: 9101 });
    const message = refusal({ SWIFTCLOUD_CONFIG: file }).message;
    expect(message).toContain('PROT');
    expect(message).toContain('SWIFTCLOUD_CONFIG');
  });

  it('refuses a bad value in the file, naming the setting', () => {
    const file = configFile({ PORT: 'eighty' });
    expect(refusal({ SWIFTCLOUD_CONFIG: file }).message).toContain('PORT');
  });

  it('refuses a file that is missing, not JSON, or not an object', () => {
    for (const file of [
      path.join(dir, 'missing.json'),
      configFile('{"PORT": '),
      configFile([{ PORT: 1 }]),
      configFile('null'),
    ]) {
      expect(refusal({ SWIFTCLOUD_CONFIG: file }).message).toContain('SWIFTCLOUD_CONFIG');
    }
  });
});
