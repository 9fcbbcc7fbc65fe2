// The deletion decision shared by DELETE, deletecollection and the namespace controller.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { rfc3339, type ApiObject } from './meta.ts';
import type { ResourceDef } from './resources.ts';

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: string;
  dryRun?: string[];
}

export type DeletePlan = { action: 'remove' } | { action: 'mark'; object: ApiObject } | { action: 'keep' };

/**
 * The deletion decision (registry store Delete + rest.BeforeDelete + the pod strategy's
 * CheckGracefulDelete): pods get a grace period unless unscheduled or finished; a later delete may
 * only shorten it; objects with finalizers are marked instead of removed.
 */
export function planDelete(
  def: ResourceDef,
  current: ApiObject,
  opts: DeleteOptions,
  now: number,
): DeletePlan {
  const md = current.metadata ?? {};
  let grace = 0;
  if (def.resource === 'pods') {
    const pod = current as Pod;
    grace = opts.gracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
    if (grace < 0) grace = 1;
    const phase = pod.status?.phase;
    if (!pod.spec?.nodeName || phase === 'Succeeded' || phase === 'Failed') grace = 0;
  }
  const hasFinalizers = (md.finalizers?.length ?? 0) > 0;
  if (md.deletionTimestamp) {
    const existing = md.deletionGracePeriodSeconds ?? 0;
    if (grace >= existing) return { action: 'keep' };
    if (grace === 0 && !hasFinalizers) return { action: 'remove' };
  } else if (grace === 0 && !hasFinalizers) {
    return { action: 'remove' };
  }
  const marked: ApiObject = {
    ...current,
    metadata: {
      ...md,
      deletionTimestamp: rfc3339(now + grace * 1000),
      deletionGracePeriodSeconds: grace,
      // The generic registry's BeforeDelete bumps a generation only where one is set.
      ...(!md.deletionTimestamp && (md.generation ?? 0) > 0 ? { generation: (md.generation ?? 0) + 1 } : {}),
    },
  };
  return { action: 'mark', object: marked };
}
