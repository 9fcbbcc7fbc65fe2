// Service links: the environment variables the kubelet gives a container for the Services it may
// need (pkg/kubelet/envvars/envvars.go FromServices and kubelet_pods.go getServiceEnvVarMap,
// Kubernetes 1.32). Every Service of the pod's namespace with a ClusterIP when enableServiceLinks
// is on (the default), and always the `kubernetes` Service of `default` — the one in-cluster
// clients find the API server by.
import type { Service } from 'kubernetes-types/core/v1.js';
import type { ObjectSource } from './ports.ts';

/** The Services whose variables are given to every pod, whatever enableServiceLinks says. */
const MASTER_SERVICES = new Set(['kubernetes']);

/** makeEnvVariableName: dashes become underscores, upper case. */
export function serviceEnvName(name: string): string {
  return name.replaceAll('-', '_').toUpperCase();
}

function isServiceIPSet(svc: Service): boolean {
  const ip = svc.spec?.clusterIP ?? '';
  return ip !== '' && ip !== 'None';
}

/** net.JoinHostPort: IPv6 addresses in brackets. */
function hostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/**
 * envvars.FromServices: for each Service, `<NAME>_SERVICE_HOST`, `<NAME>_SERVICE_PORT` (its first
 * port), `<NAME>_SERVICE_PORT_<PORTNAME>` for each named port, then the Docker link variables:
 * `<NAME>_PORT` (the first port's URL) and for every port `<NAME>_PORT_<port>_<PROTO>` with its
 * `_PROTO`, `_PORT` and `_ADDR`. Services without a ClusterIP (headless, ExternalName) give none.
 */
export function serviceEnvVars(services: readonly Service[]): { name: string; value: string }[] {
  const out: { name: string; value: string }[] = [];
  for (const svc of services) {
    if (!isServiceIPSet(svc)) continue;
    const ports = svc.spec?.ports ?? [];
    const first = ports[0];
    if (!first) continue;
    const ip = svc.spec?.clusterIP ?? '';
    const prefix = serviceEnvName(svc.metadata?.name ?? '');
    out.push({ name: `${prefix}_SERVICE_HOST`, value: ip });
    out.push({ name: `${prefix}_SERVICE_PORT`, value: String(first.port) });
    for (const p of ports) {
      if (p.name)
        out.push({ name: `${prefix}_SERVICE_PORT_${serviceEnvName(p.name)}`, value: String(p.port) });
    }
    for (const [i, p] of ports.entries()) {
      const protocol = p.protocol ?? 'TCP';
      const url = `${protocol.toLowerCase()}://${hostPort(ip, p.port)}`;
      if (i === 0) out.push({ name: `${prefix}_PORT`, value: url });
      const pp = `${prefix}_PORT_${p.port}_${protocol.toUpperCase()}`;
      out.push({ name: pp, value: url });
      out.push({ name: `${pp}_PROTO`, value: protocol.toLowerCase() });
      out.push({ name: `${pp}_PORT`, value: String(p.port) });
      out.push({ name: `${pp}_ADDR`, value: ip });
    }
  }
  return out;
}

/**
 * getServiceEnvVarMap: the Services a pod in `namespace` sees — `default/kubernetes` always, the
 * namespace's own when enableServiceLinks — as a name → value map, Services in name order. A
 * Service of the pod's namespace named like a master Service wins over `default`'s (whatever order
 * the kubelet's lister returns them in, the namespace's one is written last or first and kept).
 */
export function serviceEnvMap(
  objects: ObjectSource,
  namespace: string,
  enableServiceLinks: boolean,
): Map<string, string> {
  const chosen = new Map<string, Service>();
  for (const svc of objects.services('default')) {
    const name = svc.metadata?.name ?? '';
    if (MASTER_SERVICES.has(name) && isServiceIPSet(svc)) chosen.set(name, svc);
  }
  if (enableServiceLinks) {
    for (const svc of objects.services(namespace)) {
      const name = svc.metadata?.name ?? '';
      if (isServiceIPSet(svc)) chosen.set(name, svc);
    }
  }
  const sorted = [...chosen.values()].sort((a, b) => cmp(a.metadata?.name ?? '', b.metadata?.name ?? ''));
  return new Map(serviceEnvVars(sorted).map((e) => [e.name, e.value]));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
