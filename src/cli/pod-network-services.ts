// The node components that serve pods with a network of their own: the service proxy (ClusterIP
// and NodePort rules) and the cluster DNS. They start with the oci runtime — at start when it is
// the node's default or holds sandboxes from an earlier run, else when the first
// `runtimeClassName: oci` pod creates it — so a node of host processes writes no rules and makes no
// bridge until a container needs them.
import { startNodeDns } from '../dns/node-dns.ts';
import type { DnsServer } from '../dns/dns-server.ts';
import { startNodeProxy } from '../proxy/node-proxy.ts';
import type { ServiceProxy } from '../proxy/service-proxy.ts';
import { ensureBridge } from '../runtime/oci/cni.ts';
import type { RuntimeSet } from '../runtime/runtime-set.ts';
import type { Store } from '../store/store.ts';
import type { Clock } from '../util/clock.ts';

export interface PodNetworkServicesOptions {
  runtime: RuntimeSet;
  store: Store;
  clock: Clock;
  /** Names this node's iptables chains: its data directory. */
  instance: string;
  /** --service-cluster-ip-range (default 10.96.0.0/16). */
  serviceCidr?: string;
  log: (line: string) => void;
}

export interface PodNetworkServices {
  /** Settles once what has begun to start is up (at once when nothing has). */
  ready(): Promise<void>;
  /** Stops serving; the proxy's rules stay (as kube-proxy's), for the next start of the node. */
  stop(): Promise<void>;
  /** Stops serving and removes the proxy's rules (a `nodelet run` owns its rules). */
  cleanup(): Promise<void>;
}

export function startPodNetworkServices(o: PodNetworkServicesOptions): PodNetworkServices {
  let proxy: ServiceProxy | undefined;
  let dns: DnsServer | undefined;
  let started: Promise<void> | undefined;
  let stopping = false;
  o.runtime.whenCreated('oci', () => {
    if (stopping) return;
    started = (async () => {
      proxy = await startNodeProxy({
        store: o.store,
        clock: o.clock,
        instance: o.instance,
        ...(o.serviceCidr ? { serviceCidr: o.serviceCidr } : {}),
        log: o.log,
      });
      dns = await startNodeDns({
        store: o.store,
        clock: o.clock,
        ensureAddress: () => ensureBridge(),
        log: o.log,
      });
    })();
  });
  const halt = async (): Promise<void> => {
    stopping = true;
    await started;
    await dns?.close();
  };
  return {
    ready: async () => {
      await started;
    },
    stop: async () => {
      await halt();
      await proxy?.stop();
    },
    cleanup: async () => {
      await halt();
      await proxy
        ?.cleanup()
        .catch((e: unknown) => o.log(`service proxy: cleanup failed: ${(e as Error).message}`));
    },
  };
}
