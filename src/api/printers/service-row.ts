// The Service row of `kubectl get services` (printers.go printService, 1.32): NAME, TYPE,
// CLUSTER-IP, EXTERNAL-IP, PORT(S), AGE and, with -o wide, SELECTOR.

import type { Service, ServicePort } from 'kubernetes-types/core/v1.js';
import { formatLabels } from './table-printer.ts';
import { ageSince } from './time-format.ts';

/** loadBalancerStatusStringer: ingress IPs or hostnames; shortened past 16 characters unless wide. */
function loadBalancerStatus(svc: Service, wide: boolean): string {
  const names = (svc.status?.loadBalancer?.ingress ?? [])
    .map((i) => i.ip || i.hostname || '')
    .filter((s) => s !== '');
  const r = names.join(',');
  return !wide && r.length > 16 ? `${r.slice(0, 13)}...` : r;
}

/** getServiceExternalIP. */
export function serviceExternalIP(svc: Service, wide: boolean): string {
  const external = svc.spec?.externalIPs ?? [];
  switch (svc.spec?.type) {
    case 'ClusterIP':
    case 'NodePort':
      return external.length > 0 ? external.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerStatus(svc, wide);
      if (external.length > 0) return [...(lb ? lb.split(',') : []), ...external].join(',');
      return lb !== '' ? lb : '<pending>';
    }
    case 'ExternalName':
      return svc.spec.externalName ?? '';
  }
  return '<unknown>';
}

/** makePortString: `80/TCP`, or `80:30080/TCP` with a nodePort, comma-separated. */
export function servicePorts(ports: readonly ServicePort[] | undefined): string {
  return (ports ?? [])
    .map((p) =>
      p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? ''}` : `${p.port}/${p.protocol ?? ''}`,
    )
    .join(',');
}

export function serviceTableRow(svc: Service, now: number, options: { wide?: boolean } = {}): string[] {
  const wide = options.wide === true;
  const clusterIPs = svc.spec?.clusterIPs ?? [];
  const ports = servicePorts(svc.spec?.ports);
  const cells = [
    svc.metadata?.name ?? '',
    svc.spec?.type ?? '',
    clusterIPs[0] ?? '<none>',
    serviceExternalIP(svc, wide),
    ports === '' ? '<none>' : ports,
    ageSince(now, svc.metadata?.creationTimestamp),
  ];
  if (wide) cells.push(formatLabels(svc.spec?.selector));
  return cells;
}
