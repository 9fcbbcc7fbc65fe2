// The QoS class describe shows: status.qosClass when the server set it, else computed the way
// kubectl's pkg/util/qos ComputePodQOS does (cpu and memory only, init containers included,
// pod-level resources taking precedence when present).

import type { Container, Pod, ResourceRequirements } from 'kubernetes-types/core/v1.js';
import { parseQuantity, type Quantity } from '../quantity.ts';

const QOS_RESOURCES = new Set(['cpu', 'memory']);

type Amounts = Map<string, Quantity>;

function positiveAmounts(list: Readonly<Record<string, unknown>> | undefined): Amounts {
  const out: Amounts = new Map();
  for (const [name, value] of Object.entries(list ?? {})) {
    if (!QOS_RESOURCES.has(name)) continue;
    let q: Quantity;
    try {
      q = parseQuantity(String(value));
    } catch {
      continue;
    }
    if (q.sign() > 0) out.set(name, q);
  }
  return out;
}

function addInto(target: Amounts, source: Amounts): void {
  for (const [name, value] of source) target.set(name, target.get(name)?.add(value) ?? value);
}

export function computePodQOS(pod: Pod): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const requests: Amounts = new Map();
  const limits: Amounts = new Map();
  let guaranteed = true;
  const podResources = (pod.spec as { resources?: ResourceRequirements } | undefined)?.resources;
  const consider = (resources: ResourceRequirements | undefined): void => {
    addInto(requests, positiveAmounts(resources?.requests));
    const lim = positiveAmounts(resources?.limits);
    addInto(limits, lim);
    if (!lim.has('cpu') || !lim.has('memory')) guaranteed = false;
  };
  if (podResources !== undefined) {
    addInto(requests, positiveAmounts(podResources.requests));
    if (podResources.limits !== undefined) {
      const lim = positiveAmounts(podResources.limits);
      addInto(limits, lim);
      if (!lim.has('cpu') || !lim.has('memory')) guaranteed = false;
    }
  } else {
    const all: Container[] = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
    for (const c of all) consider(c.resources);
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [name, req] of requests) {
      const limit = limits.get(name);
      if (limit === undefined || limit.cmp(req) !== 0) {
        guaranteed = false;
        break;
      }
    }
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}

/** qos.GetPodQOS: the recorded class, or the computed one. */
export function podQOSClass(pod: Pod): string {
  const recorded = pod.status?.qosClass;
  return recorded !== undefined && recorded !== '' ? recorded : computePodQOS(pod);
}
