// The cluster DNS component as a node runs it: the kube-dns Service and Endpoints in the store,
// then the server on the node's pod-bridge address, forwarding other names to the host's
// resolvers. The caller makes sure the address exists first (the bridge, src/runtime/oci/cni.ts).
import type { Store } from '../store/store.ts';
import type { Clock } from '../util/clock.ts';
import { DnsServer } from './dns-server.ts';
import { DEFAULT_DNS_LISTEN_IP, DEFAULT_DNS_SERVICE_IP, ensureKubeDnsObjects } from './kube-dns-service.ts';
import { readUpstreams, type UpstreamServer } from './upstream.ts';

export interface ClusterDnsOptions {
  store: Store;
  clock: Clock;
  /** Default 10.87.0.1, port 53. */
  host?: string;
  port?: number;
  serviceIP?: string;
  /** Default: the host's /etc/resolv.conf name servers, read at each forwarded query. */
  upstreams?: () => UpstreamServer[];
  log?: (line: string) => void;
}

export async function startClusterDns(o: ClusterDnsOptions): Promise<DnsServer> {
  const host = o.host ?? DEFAULT_DNS_LISTEN_IP;
  const serviceIP = o.serviceIP ?? DEFAULT_DNS_SERVICE_IP;
  // Neither this server's address nor the Service's leads anywhere but back here.
  const self: UpstreamServer[] = [
    { host, port: o.port ?? 53 },
    { host: serviceIP, port: 53 },
  ];
  const server = new DnsServer({
    store: o.store,
    clock: o.clock,
    host,
    port: o.port ?? 53,
    dnsIP: serviceIP,
    upstreams: o.upstreams ?? (() => readUpstreams(self)),
    ...(o.log ? { log: o.log } : {}),
  });
  const bound = await server.start();
  ensureKubeDnsObjects(o.store, o.clock, { serviceIP, listenIP: host, port: bound.port });
  o.log?.(
    `nodelet: cluster DNS (cluster.local) at ${host}:${bound.port}, Service kube-system/kube-dns ${serviceIP}`,
  );
  return server;
}
