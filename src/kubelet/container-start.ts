// startContainer (reference §4.2, §6.2, §8.1): back-off check, image, create (Created), start
// (Started), then postStart synchronously; a failed postStart kills the container through the
// normal kill path (so preStop runs) and the start reports PostStartHookError.
import { RuntimeError } from '../runtime/runtime.ts';
import { backoffKey } from './backoff.ts';
import { buildContainerConfig, ConfigError } from './container-config.ts';
import { killContainer } from './container-kill.ts';
import { containerFieldPath } from './event-recorder.ts';
import { runHandler } from './lifecycle/handlers.ts';
import type { PodContext } from './pod-context.ts';
import { containerHash, podFmt, type SpecContainer } from './pod-util.ts';
import { allInstancesOf, type RuntimePod } from './runtime-view.ts';
import { goDuration } from '../util/duration.ts';

export type StartResult =
  | { ok: true; containerId: string }
  | { ok: false; reason: string; message: string; backoff?: boolean };

export async function startContainer(
  ctx: PodContext,
  view: RuntimePod,
  sc: SpecContainer,
  signal: AbortSignal,
): Promise<StartResult> {
  const pod = ctx.pod();
  const md = pod.metadata ?? {};
  const name = sc.container.name;
  const fieldPath = containerFieldPath(pod, name);
  // As the kubelet: the previous instance (in any sandbox) gives the restart count and back-off.
  const instances = allInstancesOf(view, name);
  const newest = instances[0];
  const now = ctx.clock.now();

  const fail = (reason: string, message: string, extra: { backoff?: boolean } = {}): StartResult => {
    ctx.reasonCache.set(name, { reason, message });
    return { ok: false, reason, message, ...extra };
  };

  // Crash-loop back-off, keyed on the most recent exited instance.
  const dead = instances.find((c) => c.state === 'exited');
  if (dead) {
    const key = backoffKey(md.name ?? '', md.namespace ?? 'default', md.uid ?? '', name, containerHash(sc.container));
    const finishedAt = dead.finishedAt ?? now;
    const window = ctx.backoff.inBackoff(key, finishedAt, now);
    if (window !== undefined) {
      ctx.recorder.event(pod, fieldPath, 'Warning', 'BackOff', `Back-off restarting failed container ${name} in pod ${podFmt(pod)}`);
      return fail('CrashLoopBackOff', `back-off ${goDuration(window)} restarting failed container=${name} pod=${podFmt(pod)}`, {
        backoff: true,
      });
    }
    ctx.backoff.next(key, finishedAt, now);
  }

  const image = await ctx.images.ensureImage(pod, sc.container, fieldPath, signal);
  if (!image.ok) return fail(image.reason, image.message);

  const attempt = newest ? newest.attempt + 1 : 0;
  let config;
  try {
    config = buildContainerConfig(
      pod,
      sc,
      attempt,
      ctx.podIP(),
      { nodeName: ctx.nodeName, hostIP: ctx.hostIP },
      {
        ...(ctx.objects ? { objects: ctx.objects } : {}),
        kubeMinor: Number(ctx.kubeVersion.minor.replace(/\D.*$/, '')),
        // The kubelet's events about the pod itself (InvalidEnvironmentVariableNames).
        warn: (reason, message) => ctx.recorder.event(pod, undefined, 'Warning', reason, message),
      },
    );
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    ctx.recorder.event(pod, fieldPath, 'Warning', 'Failed', `Error: ${e.message}`);
    return fail('CreateContainerConfigError', e.message);
  }

  const sandboxId = view.sandbox?.id ?? '';
  let id: string;
  try {
    id = await ctx.runtime.createContainer(sandboxId, config);
  } catch (e) {
    const msg = (e as Error).message;
    ctx.recorder.event(pod, fieldPath, 'Warning', 'Failed', `Error: ${msg}`);
    return fail(e instanceof RuntimeError && e.kind === 'CreateContainerConfigError' ? e.kind : 'CreateContainerError', msg);
  }
  // The kubelet's wording changed in 1.33: `Created container: <c>`.
  const minor = Number(ctx.kubeVersion.minor.replace(/\D.*$/, ''));
  ctx.recorder.event(pod, fieldPath, 'Normal', 'Created', minor >= 33 ? `Created container: ${name}` : `Created container ${name}`);

  try {
    await ctx.runtime.startContainer(id);
  } catch (e) {
    const msg = (e as Error).message;
    ctx.recorder.event(pod, fieldPath, 'Warning', 'Failed', `Error: ${msg}`);
    return fail('RunContainerError', msg);
  }
  ctx.recorder.event(pod, fieldPath, 'Normal', 'Started', `Started container ${name}`);

  // Only the newest dead instance is kept beside the new one (it becomes lastState).
  for (const old of instances.slice(1)) {
    await ctx.runtime.removeContainer(old.id).catch(() => undefined);
  }

  const postStart = sc.container.lifecycle?.postStart;
  if (postStart) {
    const run = await runHandler('postStart', pod, sc.container, id, postStart, {
      clock: ctx.clock,
      runtime: ctx.runtime,
      recorder: ctx.recorder,
      podIP: ctx.podIP(),
      kubeVersion: ctx.kubeVersion,
      signal,
    });
    ctx.hookRan(run);
    if (!run.ok) {
      ctx.recorder.event(pod, fieldPath, 'Warning', 'FailedPostStartHook', 'PostStartHook failed');
      const status = await ctx.runtime.containerStatus(id);
      await killContainer(ctx, sc, status, { message: 'FailedPostStartHook', reason: 'postStartFailed' });
      return fail('PostStartHookError', run.failureMessage ?? 'PostStartHook failed');
    }
  }
  ctx.reasonCache.delete(name);
  return { ok: true, containerId: id };
}
