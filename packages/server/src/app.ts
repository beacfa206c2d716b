import cookie from '@fastify/cookie';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { z } from 'zod';
import { adminRoutes } from './admin/admin.routes.js';
import { AdminUsersService } from './admin/users.admin.service.js';
import { pino } from 'pino';
import { ApiKeysRepo } from './auth/api-keys.repo.js';
import { apiKeysRoutes } from './auth/api-keys.routes.js';
import { ApiKeysService } from './auth/api-keys.service.js';
import { authRoutes } from './auth/auth.routes.js';
import { AuthService } from './auth/auth.service.js';
import { registerAuthentication } from './auth/authenticate.js';
import { LoginThrottle } from './auth/login-throttle.js';
import { SessionsRepo } from './auth/sessions.repo.js';
import { SessionsService } from './auth/sessions.service.js';
import { UsersRepo } from './auth/users.repo.js';
import { billingAdminRoutes } from './billing/billing.admin.routes.js';
import { BillingAdminService } from './billing/billing.admin.service.js';
import { BillingRepo } from './billing/billing.repo.js';
import { billingRoutes } from './billing/billing.routes.js';
import { BillingService } from './billing/billing.service.js';
import { CouponsRepo } from './billing/coupons.repo.js';
import { BillingFunds } from './billing/funds.js';
import { Ledger } from './billing/ledger.js';
import { Meter } from './billing/meter.js';
import { BillingPolicy } from './billing/policy.js';
import { TopupThrottle } from './billing/topup-throttle.js';
import { catalogAdminRoutes } from './compute/catalog/catalog.admin.routes.js';
import { catalogRoutes } from './compute/catalog/catalog.routes.js';
import { SizesRepo } from './compute/catalog/sizes.repo.js';
import { SizesService } from './compute/catalog/sizes.service.js';
import { TemplatesRepo } from './compute/catalog/templates.repo.js';
import { TemplatesService } from './compute/catalog/templates.service.js';
import { ConsoleRepo } from './compute/console/console.repo.js';
import { consoleRoutes } from './compute/console/console.routes.js';
import { ConsoleService } from './compute/console/console.service.js';
import { IpAllocator } from './compute/ip-pools/ip-allocator.js';
import { IpPoolsRepo } from './compute/ip-pools/ip-pools.repo.js';
import { ipPoolsRoutes } from './compute/ip-pools/ip-pools.routes.js';
import { IpPoolsService } from './compute/ip-pools/ip-pools.service.js';
import { NodesRepo } from './compute/nodes/nodes.repo.js';
import { nodesRoutes } from './compute/nodes/nodes.routes.js';
import { NodesService } from './compute/nodes/nodes.service.js';
import { HypervisorRegistry } from './compute/hypervisor/registry.js';
import { ZERO_STEP_DELAYS } from './compute/hypervisor/simulator/simulator.faults.js';
import type { ComputeFunds } from './compute/vms/vm-funds.js';
import { vmsRoutes } from './compute/vms/vms.routes.js';
import { VmsService } from './compute/vms/vms.service.js';
import { VmSuspension } from './compute/vms/vm-suspension.js';
import type { Config } from './config.js';
import { isReachable, type Db } from './db/database.js';
import { isMigrated } from './db/migrate.js';
import { DomainChecks } from './dns/domains.checks.js';
import { DomainsRepo } from './dns/domains.repo.js';
import { domainsRoutes } from './dns/domains.routes.js';
import { DomainsService, type NameserverCheck } from './dns/domains.service.js';
import { RecordsRepo } from './dns/records.repo.js';
import { recordsRoutes } from './dns/records.routes.js';
import { RecordsService } from './dns/records.service.js';
import type { ZoneChanges } from './dns/zone.js';
import { ZonesRepo } from './dns/zones.repo.js';
import { AuditLog } from './platform/audit.js';
import { JobQueue } from './platform/jobs/job-queue.js';
import type { Clock } from './platform/clock.js';
import { registerErrorHandling } from './platform/error-handler.js';
import { httpServerOptions, registerHttpConventions } from './platform/http.js';
import { registerOpenApi } from './platform/openapi.js';
import { registerWebConsole } from './platform/web-console.js';
import { projectsRoutes } from './projects/projects.routes.js';
import { MembersRepo } from './projects/members.repo.js';
import { ProjectsRepo } from './projects/projects.repo.js';
import { ProjectsService } from './projects/projects.service.js';

export interface AppDeps {
  config: Config;
  db: Db;
  clock: Clock;
  /** How domains are verified (a walk from the root servers) and zone changes announced. */
  dns: { check: NameserverCheck; changes: ZoneChanges };
  /** What compute asks billing before it makes or starts a VM (default: billing's own). */
  funds?: ComputeFunds;
}

/** The services of one running SwiftCloud, wired together. */
export function buildServices({ config, db, clock, dns, funds }: AppDeps) {
  const users = new UsersRepo(db);
  const audit = new AuditLog(db);
  const sessions = new SessionsService(new SessionsRepo(db), config.session, clock);
  const auth = new AuthService(
    users,
    sessions,
    new LoginThrottle(db, config.loginThrottle, clock),
    clock,
  );
  const projects = new ProjectsService(
    new ProjectsRepo(db),
    new MembersRepo(db),
    users,
    audit,
    clock,
  );
  const apiKeys = new ApiKeysService(new ApiKeysRepo(db), projects.isMember, clock);
  const adminUsers = new AdminUsersService(users, sessions, audit, clock);
  const platformDns = { nameservers: config.dns.nameservers, hostmaster: config.dns.hostmaster };
  const domainsRepo = new DomainsRepo(db);
  /** The ZoneSource the DNS server loads its zones from. */
  const zones = new ZonesRepo(db, platformDns);
  const domains = new DomainsService(
    domainsRepo,
    zones,
    projects,
    dns.check,
    dns.changes,
    audit,
    clock,
    platformDns,
  );
  const records = new RecordsService(new RecordsRepo(db), domains, dns.changes, audit, clock);
  /** The verification job's VerificationRepo. */
  const domainChecks = new DomainChecks(domainsRepo, dns.changes);
  const nodesRepo = new NodesRepo(db);
  const nodes = new NodesService(nodesRepo, audit, clock);
  const templates = new TemplatesService(new TemplatesRepo(db), nodesRepo, audit, clock);
  const sizes = new SizesService(new SizesRepo(db), audit, clock);
  const ipPools = new IpPoolsService(new IpPoolsRepo(db), nodesRepo, audit, clock);
  /** Hands out VM addresses inside the caller's transaction. */
  const ipAllocator = new IpAllocator(clock);
  const jobs = new JobQueue(db, clock);
  /** One driver per hypervisor node for this process. */
  const hypervisors = new HypervisorRegistry((id) => nodes.config(id), {
    db,
    clock,
    simulator: {
      shutdownTimeoutSec: config.compute.shutdownTimeoutSec,
      ...(config.compute.simulatorDelays === 'zero' ? { delays: ZERO_STEP_DELAYS } : {}),
    },
  });
  const billingFunds = funds ?? new BillingFunds(db, config.billing, clock);
  const vms = new VmsService({
    db,
    projects,
    ipAllocator,
    jobs,
    funds: billingFunds,
    audit,
    clock,
  });
  const consoles = new ConsoleService(new ConsoleRepo(db), projects, hypervisors, audit, clock, {
    publicUrl: config.publicUrl,
  });

  const billingLog = pino({ level: config.logLevel }).child({ component: 'billing' });
  const ledger = new Ledger(db);
  const meter = new Meter(db, clock, config.billing);
  /** Suspension for lack of money is carried out by compute's VMs service. */
  const billingPolicy = new BillingPolicy(
    db,
    new VmSuspension({ db, jobs, audit, clock }),
    config.billing,
    clock,
    billingLog,
  );
  const couponsRepo = new CouponsRepo(db, ledger);
  const billing = new BillingService(
    db,
    new BillingRepo(db),
    couponsRepo,
    projects,
    billingPolicy,
    new TopupThrottle(db, config.billing.topupThrottle, clock),
    audit,
    clock,
    config.billing,
  );
  const billingAdmin = new BillingAdminService(
    db,
    couponsRepo,
    ledger,
    billingPolicy,
    audit,
    clock,
  );
  return {
    users,
    sessions,
    auth,
    projects,
    apiKeys,
    adminUsers,
    zones,
    domains,
    records,
    domainChecks,
    nodes,
    templates,
    sizes,
    ipPools,
    ipAllocator,
    jobs,
    hypervisors,
    vms,
    consoles,
    ledger,
    funds: billingFunds,
    meter,
    billingPolicy,
    billing,
    billingAdmin,
  };
}

export type Services = ReturnType<typeof buildServices>;

/** The composition root of the HTTP API: config, database and services into one Fastify app. */
export async function buildApp(
  deps: AppDeps,
  services: Services = buildServices(deps),
): Promise<FastifyInstance> {
  const { config, db } = deps;
  const app = Fastify({
    ...httpServerOptions(),
    trustProxy: config.trustProxy,
    logger: { level: config.logLevel, redact: ['req.headers.authorization', 'req.headers.cookie'] },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerHttpConventions(app);
  registerErrorHandling(app);
  await app.register(cookie);
  // Console websockets. A viewer sends keys, pointer moves and clipboard text: 1 MiB is plenty.
  await app.register(websocket, { options: { maxPayload: 1024 * 1024 } });
  registerAuthentication(app, {
    sessions: services.sessions,
    apiKeys: services.apiKeys,
    cookieName: config.session.cookieName,
    publicOrigin: config.publicUrl.origin,
  });
  await registerOpenApi(app, config.publicUrl, config.session.cookieName);

  const probe = z.object({ status: z.string() });
  app.get(
    '/healthz',
    { schema: { tags: ['health'], summary: 'The process is up', response: { 200: probe } } },
    async () => ({ status: 'ok' }),
  );
  app.get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        summary: 'The database answers and is migrated',
        response: { 200: probe, 503: probe },
      },
    },
    async (_request, reply) => {
      if (!(await isReachable(db))) return reply.code(503).send({ status: 'database unreachable' });
      if (!(await isMigrated(db))) return reply.code(503).send({ status: 'migrations pending' });
      return { status: 'ready' };
    },
  );

  await app.register(
    async (v1) => {
      await v1.register(authRoutes({ auth: services.auth, session: config.session }));
      await v1.register(apiKeysRoutes({ apiKeys: services.apiKeys }));
      await v1.register(projectsRoutes({ projects: services.projects }));
      await v1.register(adminRoutes({ users: services.adminUsers }));
      await v1.register(domainsRoutes({ domains: services.domains }));
      await v1.register(recordsRoutes({ records: services.records }));
      await v1.register(catalogRoutes({ templates: services.templates, sizes: services.sizes }));
      await v1.register(
        catalogAdminRoutes({ templates: services.templates, sizes: services.sizes }),
      );
      await v1.register(nodesRoutes({ nodes: services.nodes }));
      await v1.register(ipPoolsRoutes({ pools: services.ipPools }));
      await v1.register(vmsRoutes({ vms: services.vms }));
      await v1.register(consoleRoutes({ consoles: services.consoles }));
      await v1.register(billingRoutes({ billing: services.billing }));
      await v1.register(billingAdminRoutes({ admin: services.billingAdmin }));
    },
    { prefix: '/v1' },
  );
  await registerWebConsole(app, config.webDir);
  return app;
}
