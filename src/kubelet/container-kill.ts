// killContainer (reference §4.3, §7.3): Killing event first, then preStop within the grace period,
// then the stop signal with at least 2 s before SIGKILL.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { NotFoundError, type ContainerStatus as RuntimeContainer } from '../runtime/runtime.ts';
import { containerFieldPath } from './event-recorder.ts';
import { runHandler } from './lifecycle/handlers.ts';
import type { KillReason } from './pod-actions.ts';
import type { PodContext } from './pod-context.ts';
import type { SpecContainer } from './pod-util.ts';

/** The kubelet's floor for the CRI StopContainer timeout. */
export const MIN_GRACE_SECONDS = 2;

export interface KillOptions {
  message?: string;
  reason?: KillReason | 'postStartFailed' | 'podTermination';
  /** Pod-level grace during pod termination; replaces the per-container computation. */
  gracePeriodOverride?: number;
  /** Sidecars wait for these before their stop signal (termination ordering). */
  waitBeforeStop?: Promise<unknown>;
}

/** setTerminationGracePeriod: the grace for a kill outside pod termination. */
export function containerGrace(pod: Pod, sc: SpecContainer, reason: KillOptions['reason']): number {
  if (pod.metadata?.deletionGracePeriodSeconds !== undefined) return pod.metadata.deletionGracePeriodSeconds;
  const probe =
    reason === 'liveness' ? sc.container.livenessProbe : reason === 'startup' ? sc.container.startupProbe : undefined;
  if (probe?.terminationGracePeriodSeconds !== undefined) return probe.terminationGracePeriodSeconds;
  return pod.spec?.terminationGracePeriodSeconds ?? MIN_GRACE_SECONDS;
}

export async function killContainer(
  ctx: PodContext,
  sc: SpecContainer,
  container: RuntimeContainer,
  options: KillOptions = {},
): Promise<void> {
  const pod = ctx.pod();
  const name = sc.container.name;
  let grace = options.gracePeriodOverride ?? containerGrace(pod, sc, options.reason);
  ctx.recorder.event(pod, containerFieldPath(pod, name), 'Normal', 'Killing', options.message ?? `Stopping container ${name}`);

  const preStop = sc.container.lifecycle?.preStop;
  if (preStop && grace > 0 && container.state === 'running') {
    const started = ctx.clock.now();
    const hook = runHandler('preStop', pod, sc.container, container.id, preStop, {
      clock: ctx.clock,
      runtime: ctx.runtime,
      recorder: ctx.recorder,
      podIP: ctx.podIP(),
      kubeVersion: ctx.kubeVersion,
    }).then((run) => {
      ctx.hookRan(run);
      if (!run.ok) ctx.recorder.event(pod, containerFieldPath(pod, name), 'Warning', 'FailedPreStopHook', 'PreStopHook failed');
    });
    // Wait for the hook or the grace period, whichever ends first; an overrunning hook is not cancelled.
    const ac = new AbortController();
    await Promise.race([hook, ctx.clock.sleep(grace * 1000, ac.signal).catch(() => undefined)]);
    ac.abort();
    grace -= Math.floor((ctx.clock.now() - started) / 1000);
  }

  if (options.waitBeforeStop && grace > 0) {
    const started = ctx.clock.now();
    const ac = new AbortController();
    await Promise.race([options.waitBeforeStop, ctx.clock.sleep(grace * 1000, ac.signal).catch(() => undefined)]);
    ac.abort();
    grace -= Math.floor((ctx.clock.now() - started) / 1000);
  }

  grace = Math.max(grace, MIN_GRACE_SECONDS);
  try {
    await ctx.runtime.stopContainer(container.id, grace);
  } catch (e) {
    if (!(e instanceof NotFoundError)) throw e;
  }
}
