// The cluster DNS as a node component: started beside the oci runtime, where pods have their own
// network and reach the server on the node's pod-bridge address. On the process runtime pods use
// the host's resolver (they share the node's network and /etc/resolv.conf), so none runs there.
import type { Store } from '../store/store.ts';
import type { Clock } from '../util/clock.ts';
import { startClusterDns } from './cluster-dns.ts';
import type { DnsServer } from './dns-server.ts';

export interface NodeDnsOptions {
  store: Store;
  clock: Clock;
  /** The runtime the node runs pods on; the DNS server runs only for `oci`. */
  runtimeName: string;
  /** Makes sure the listen address exists (the pod bridge, before any pod made it); returns it. */
  ensureAddress: () => Promise<string>;
  log: (line: string) => void;
}

/** Starts the server, or says why not and returns undefined (pods then fail their lookups). */
export async function startNodeDns(o: NodeDnsOptions): Promise<DnsServer | undefined> {
  if (o.runtimeName !== 'oci') return undefined;
  try {
    const host = await o.ensureAddress();
    return await startClusterDns({ store: o.store, clock: o.clock, host, log: o.log });
  } catch (e) {
    o.log(`cluster DNS: not started (${(e as Error).message}); pods' cluster names will not resolve`);
    return undefined;
  }
}
