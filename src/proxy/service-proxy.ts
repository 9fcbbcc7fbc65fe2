// The service proxy: watches Services and EndpointSlices in the store and keeps the node's
// iptables rules equal to what they ask for, as kube-proxy's iptables mode does. A change
// schedules one sync (changes arriving together are folded into it); a sync computes the full
// rule set and writes it only when it differs from what was last written.
//
// Stopping leaves the rules in place, as kube-proxy does, so pods keep reaching services while
// the node restarts; the next start rewrites the same chains (the names are stable hashes) and
// deletes the ones no longer wanted. cleanup() removes everything (`nodelet run` at exit).
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Store } from '../store/store.ts';
import type { Clock, Timer } from '../util/clock.ts';
import type { Iptables } from './iptables.ts';
import { CHAIN_PREFIX, chainNames, type ChainNames } from './chain-names.ts';
import {
  computeRules,
  jumpRules,
  cleanupText,
  restoreText,
  savedChains,
  savedJumps,
  type ProxyNetwork,
} from './rules.ts';
import { servicePorts } from './service-ports.ts';
import { BRIDGE_NF_CALL_IPTABLES, ROUTE_LOCALNET, ensureSysctls, type Sysctl } from './sysctl.ts';

export const DEFAULT_SERVICE_CIDR = '10.96.0.0/16';

export interface ServiceProxyOptions {
  store: Store;
  clock: Clock;
  iptables: Iptables;
  sysctl: Sysctl;
  network: ProxyNetwork;
  /** Names this node's chains (the data directory): a restart with the same one takes them over. */
  instance: string;
  /** Delay between a change and its sync, folding bursts into one write (kube-proxy's minSyncPeriod). */
  minSyncMs?: number;
  /** A failed write is retried after this long. */
  retryMs?: number;
  /** How often to check that our chains still exist. */
  canaryMs?: number;
  log?: (line: string) => void;
}

export class ServiceProxy {
  private readonly o: Required<Omit<ServiceProxyOptions, 'log'>> & Pick<ServiceProxyOptions, 'log'>;
  readonly chains: ChainNames;
  private lastWritten: string | undefined;
  private timer: Timer | undefined;
  private running: Promise<void> = Promise.resolve();
  private unwatch: (() => void)[] = [];
  private stopped = false;
  private writeCount = 0;
  private canary: Timer | undefined;

  constructor(options: ServiceProxyOptions) {
    this.o = { minSyncMs: 100, retryMs: 1000, canaryMs: 10_000, ...options };
    this.chains = chainNames(options.instance);
  }

  /** How many times rules were written (a sync with nothing new writes nothing). */
  get writes(): number {
    return this.writeCount;
  }

  /** Sets the kernel settings, writes the current rules, then follows the store. */
  async start(): Promise<void> {
    const sysctls = [BRIDGE_NF_CALL_IPTABLES];
    if (this.o.network.nodePortAddresses.some((a) => a.startsWith('127.'))) sysctls.push(ROUTE_LOCALNET);
    const { set, missing } = ensureSysctls(this.o.sysctl, sysctls);
    for (const n of set) this.o.log?.(`service proxy: set ${n.replaceAll('/', '.')}=1`);
    for (const n of missing)
      this.o.log?.(
        `service proxy: ${n.replaceAll('/', '.')} does not exist (${n.startsWith('net/bridge') ? 'modprobe br_netfilter' : 'kernel'}); pod-to-service traffic on the bridge may fail`,
      );
    const onChange = (): void => this.schedule(this.o.minSyncMs);
    this.unwatch.push(this.o.store.watch('services', {}, onChange));
    this.unwatch.push(this.o.store.watch('endpointslices', {}, onChange));
    await this.sync();
    this.armCanary();
  }

  private armCanary(): void {
    if (this.stopped) return;
    this.canary = this.o.clock.setTimer(this.o.canaryMs, () => {
      this.canary = undefined;
      void this.checkCanary().finally(() => this.armCanary());
    });
  }

  private async checkCanary(): Promise<void> {
    try {
      const present = await Promise.all([
        this.o.iptables.hasChain('nat', this.chains.services),
        this.o.iptables.hasChain('filter', this.chains.services),
      ]);
      if (present.every(Boolean) || this.stopped) return;
      this.o.log?.('service proxy: its iptables chains were removed from outside; rewriting them');
      this.lastWritten = undefined;
      await this.sync();
    } catch (e) {
      this.o.log?.(`service proxy: ${(e as Error).message}; retrying`);
      this.lastWritten = undefined;
      this.schedule(this.o.retryMs);
    }
  }

  /** Stops following the store; the rules stay (see the file comment). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
    this.canary?.cancel();
    this.canary = undefined;
    for (const u of this.unwatch.splice(0)) u();
    await this.running;
  }

  /** Stops, then removes the jumps and every chain of ours. */
  async cleanup(): Promise<void> {
    await this.stop();
    await cleanupRules(this.o.iptables, this.chains.prefix);
    this.lastWritten = undefined;
  }

  /** Computes and (if changed) writes the rules now; syncs never overlap. */
  sync(): Promise<void> {
    const next = this.running.then(() => this.syncOnce());
    this.running = next.catch(() => undefined);
    return next;
  }

  private schedule(ms: number): void {
    if (this.stopped || this.timer) return;
    this.timer = this.o.clock.setTimer(ms, () => {
      this.timer = undefined;
      this.sync().catch((e: unknown) => {
        this.o.log?.(`service proxy: ${(e as Error).message}; retrying`);
        this.schedule(this.o.retryMs);
      });
    });
  }

  private async syncOnce(): Promise<void> {
    if (this.stopped) return;
    const services = this.o.store.list<Service>('services').items;
    const slices = this.o.store.list<EndpointSlice>('endpointslices').items;
    const rules = computeRules(servicePorts(services, slices), this.o.network, this.chains);
    const key = JSON.stringify(rules);
    if (key === this.lastWritten) return;
    const existing = {
      nat: savedChains(await this.o.iptables.save('nat')),
      filter: savedChains(await this.o.iptables.save('filter')),
    };
    await this.o.iptables.restore(restoreText(rules, existing, this.chains.prefix));
    // The jumps come after the chains exist; kept one copy each, first in their chain.
    for (const j of jumpRules(this.chains))
      if (!(await this.o.iptables.hasJump(j))) await this.o.iptables.insertJump(j);
    this.lastWritten = key;
    this.writeCount++;
  }
}

/**
 * Removes the jumps into chains beginning with prefix and those chains, from both tables: one
 * node's (`NODELET-<tag>-`) or, by default, every nodelet's on the machine (also for a node that
 * is not running).
 */
export async function cleanupRules(iptables: Iptables, prefix: string = CHAIN_PREFIX): Promise<void> {
  for (const table of ['nat', 'filter'] as const) {
    for (const j of savedJumps(await iptables.save(table), table, prefix)) await iptables.deleteJump(j);
  }
  const existing = {
    nat: savedChains(await iptables.save('nat')),
    filter: savedChains(await iptables.save('filter')),
  };
  await iptables.restore(cleanupText(existing, prefix));
}
