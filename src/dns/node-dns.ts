// The cluster DNS as a node component, on the node's pod-bridge address, for pods with their own
// network (the oci runtime; src/cli/pod-network-services.ts starts it with that runtime).
// Host-process pods use the host's resolver (they share the node's /etc/resolv.conf).
import type { Store } from '../store/store.ts';
import type { Clock } from '../util/clock.ts';
import { startClusterDns } from './cluster-dns.ts';
import type { DnsServer } from './dns-server.ts';

export interface NodeDnsOptions {
  store: Store;
  clock: Clock;
  /** Makes sure the listen address exists (the pod bridge, before any pod made it); returns it. */
  ensureAddress: () => Promise<string>;
  log: (line: string) => void;
}

/** Starts the server, or says why not and returns undefined (pods then fail their lookups). */
export async function startNodeDns(o: NodeDnsOptions): Promise<DnsServer | undefined> {
  try {
    const host = await o.ensureAddress();
    return await startClusterDns({ store: o.store, clock: o.clock, host, log: o.log });
  } catch (e) {
    o.log(`cluster DNS: not started (${(e as Error).message}); pods' cluster names will not resolve`);
    return undefined;
  }
}
