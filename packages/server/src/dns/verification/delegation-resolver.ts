import type { RecordType } from 'dns-packet';
import type { Endpoint } from '../../config.js';
import {
  DnsQueryError,
  label,
  UdpDnsClient,
  type DnsQuerier,
  type DnsResponse,
} from './dns-client.js';
import {
  normalizeName,
  parentAnswer,
  readResponse,
  type ParentAnswer,
  type Step,
  type ZoneServer,
} from './responses.js';

export type { ParentAnswer, ZoneServer };

export interface ParentServerReport {
  /** The server's NS name, or `host:port` for a configured root. */
  server: string;
  answer: ParentAnswer;
}

export interface Delegation {
  domain: string;
  /** The zone whose servers were asked for the domain's NS: its parent (`.` for the root). */
  parentZone: string;
  servers: ParentServerReport[];
  /** Every NS name a parent server delegates the domain to: lowercase, no trailing dot, sorted. */
  nameservers: string[];
}

/** The walk down the tree could not reach the servers of some zone on the way. */
export class DelegationLookupFailed extends Error {
  override name = 'DelegationLookupFailed';
}

export interface DelegationResolverOptions {
  /** Where every walk starts (config.dns.rootServers). */
  rootServers: Endpoint[];
  /**
   * The port for servers learned from glue or address lookups, which give addresses only.
   * 53 on the internet; tests that run every fake server on one other port pass it here.
   */
  gluePort?: number;
  /** Default: UDP with TCP retry, 2 s per query. */
  querier?: DnsQuerier;
  /** Queries tried at one level of the walk (across its servers and addresses) before giving up. Default 6. */
  attemptsPerLevel?: number;
  /** Addresses tried per parent server when asking each of them. Default 2. */
  attemptsPerServer?: number;
  /** How deep lookups of glueless NS names may nest. Default 3. */
  maxGluelessDepth?: number;
  /** Upper bound on the queries of one lookup, however the tree is shaped. Default 100. */
  maxQueries?: number;
}

interface Walked {
  zone: string;
  servers: ZoneServer[];
  step: Step;
  answeredBy: ZoneServer;
}

/** State of one lookup: its query budget, and addresses found for glueless NS names. */
interface Lookup {
  queries: number;
  addresses: Map<string, Endpoint[]>;
}

/**
 * The glueless NS names being looked up on the way to the current question, outermost
 * first: a name already on it is not looked up again (it would wait for itself), and its
 * length bounds the nesting.
 */
type Chain = readonly string[];

/**
 * Finds a domain's delegation the way a resolver would, but without trusting any recursive
 * resolver: from the root servers down, with non-recursive queries, following referrals to
 * the servers of the domain's parent zone, then asks each of those directly. The parent zone
 * is where the walk ends (the zone whose servers refer the domain itself), since zone cuts
 * can be anywhere: `co.zm` may or may not be a zone of its own.
 */
export class DelegationResolver {
  private readonly roots: ZoneServer[];
  private readonly gluePort: number;
  private readonly querier: DnsQuerier;
  private readonly attemptsPerLevel: number;
  private readonly attemptsPerServer: number;
  private readonly maxGluelessDepth: number;
  private readonly maxQueries: number;

  constructor(options: DelegationResolverOptions) {
    if (options.rootServers.length === 0) throw new Error('DelegationResolver needs root servers');
    this.roots = options.rootServers.map((root) => ({ name: undefined, addresses: [root] }));
    this.gluePort = options.gluePort ?? 53;
    this.querier = options.querier ?? new UdpDnsClient();
    this.attemptsPerLevel = options.attemptsPerLevel ?? 6;
    this.attemptsPerServer = options.attemptsPerServer ?? 2;
    this.maxGluelessDepth = options.maxGluelessDepth ?? 3;
    this.maxQueries = options.maxQueries ?? 100;
  }

  /**
   * What the parent zone's servers say about `domain` today. Throws DelegationLookupFailed
   * when the walk cannot reach them; a parent server that does not answer is reported as
   * an `error` among the others.
   */
  async findDelegation(domain: string): Promise<Delegation> {
    const name = normalizeName(domain);
    const lookup: Lookup = { queries: 0, addresses: new Map() };
    const walked = await this.walk(lookup, [], name, 'NS', true);
    const servers = await Promise.all(
      walked.servers.map(async (server) => {
        const step =
          server === walked.answeredBy
            ? walked.step
            : await this.askServer(lookup, [], walked.zone, server, name);
        return { server: serverLabel(server), answer: parentAnswer(step, name) };
      }),
    );
    const nameservers = new Set<string>();
    for (const { answer } of servers) {
      if (answer.kind === 'delegated') answer.nameservers.forEach((ns) => nameservers.add(ns));
    }
    return {
      domain: name,
      parentZone: walked.zone || '.',
      servers,
      nameservers: [...nameservers].sort(),
    };
  }

  /**
   * From the roots down, following referrals towards `qname`, until a server answers,
   * denies the name, or (with `stopAtOwnCut`) refers `qname` itself.
   */
  private async walk(
    lookup: Lookup,
    chain: Chain,
    qname: string,
    qtype: RecordType,
    stopAtOwnCut: boolean,
  ): Promise<Walked> {
    let zone = '';
    let servers = this.roots;
    // Each referral must go strictly deeper towards qname, so this ends within its labels.
    for (;;) {
      const { step, answeredBy } = await this.askLevel(lookup, chain, zone, servers, qname, qtype);
      if (step.kind === 'error') {
        throw new DelegationLookupFailed(
          `no server of ${zone || '.'} answered for ${qname}: ${step.message}`,
        );
      }
      if (step.kind !== 'referral' || (stopAtOwnCut && step.cut === qname)) {
        return { zone, servers, step, answeredBy };
      }
      zone = step.cut;
      servers = step.servers;
    }
  }

  /** Asks the servers of one level in turn (those with glue first) until one answers usefully. */
  private async askLevel(
    lookup: Lookup,
    chain: Chain,
    zone: string,
    servers: ZoneServer[],
    qname: string,
    qtype: RecordType,
  ): Promise<{ step: Step; answeredBy: ZoneServer }> {
    const ordered = [...servers].sort(
      (a, b) => Number(a.addresses.length === 0) - Number(b.addresses.length === 0),
    );
    let attempts = 0;
    let last: Step = { kind: 'error', message: 'no server address could be found' };
    for (const server of ordered) {
      for (const address of await this.addressesOf(lookup, chain, server)) {
        if (attempts++ >= this.attemptsPerLevel) return { step: last, answeredBy: server };
        last = await this.ask(lookup, zone, address, qname, qtype);
        if (last.kind !== 'error') return { step: last, answeredBy: server };
      }
    }
    return { step: last, answeredBy: ordered[0]! };
  }

  /** Asks one server (trying a few of its addresses) for `qname`'s NS. */
  private async askServer(
    lookup: Lookup,
    chain: Chain,
    zone: string,
    server: ZoneServer,
    qname: string,
  ): Promise<Step> {
    const addresses = (await this.addressesOf(lookup, chain, server)).slice(
      0,
      this.attemptsPerServer,
    );
    let last: Step = { kind: 'error', message: 'no address could be found for it' };
    for (const address of addresses) {
      last = await this.ask(lookup, zone, address, qname, 'NS');
      if (last.kind !== 'error') return last;
    }
    return last;
  }

  private async ask(
    lookup: Lookup,
    zone: string,
    address: Endpoint,
    qname: string,
    qtype: RecordType,
  ): Promise<Step> {
    if (++lookup.queries > this.maxQueries) {
      throw new DelegationLookupFailed(`gave up on ${qname} after ${this.maxQueries} queries`);
    }
    let response: DnsResponse;
    try {
      response = await this.querier.query(address, qname, qtype);
    } catch (err) {
      if (err instanceof DnsQueryError) return { kind: 'error', message: err.message };
      throw err;
    }
    const step = readResponse(response, zone, qname, qtype, this.gluePort);
    return step.kind === 'error'
      ? { ...step, message: `${label(address)}: ${step.message}` }
      : step;
  }

  private async addressesOf(lookup: Lookup, chain: Chain, server: ZoneServer): Promise<Endpoint[]> {
    if (server.addresses.length > 0 || server.name === undefined) return server.addresses;
    return this.lookUpAddresses(lookup, chain, server.name);
  }

  /** The IPv4 addresses of a glueless NS name, by a walk of its own; none when it cannot be found. */
  private async lookUpAddresses(lookup: Lookup, chain: Chain, name: string): Promise<Endpoint[]> {
    const known = lookup.addresses.get(name);
    if (known) return known;
    if (chain.includes(name) || chain.length >= this.maxGluelessDepth) return [];
    const inner = [...chain, name];
    let addresses: Endpoint[] = [];
    try {
      const { step } = await this.walk(lookup, inner, name, 'A', false);
      if (step.kind === 'answer') {
        const a = step.records.filter((r) => r.type === 'A');
        const alias = step.records.find((r) => r.type === 'CNAME');
        if (a.length > 0) addresses = a.map((r) => ({ host: r.data, port: this.gluePort }));
        else if (alias)
          addresses = await this.lookUpAddresses(lookup, inner, normalizeName(alias.data));
      }
    } catch (err) {
      if (!(err instanceof DelegationLookupFailed)) throw err;
    }
    lookup.addresses.set(name, addresses);
    return addresses;
  }
}

function serverLabel(server: ZoneServer): string {
  return server.name ?? label(server.addresses[0]!);
}
