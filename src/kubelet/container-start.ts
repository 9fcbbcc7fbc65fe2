// startContainer (reference §4.2, §6.2, §8.1): back-off check, image, create (Created), start
// (Started), then postStart synchronously; a failed postStart kills the container through the
// normal kill path (so preStop runs) and the start reports PostStartHookError.
import { RuntimeError } from '../runtime/runtime.ts';
import { backoffKey } from './backoff.ts';
import { buildContainerConfig, ConfigError } from './container-config.ts';
import { killContainer } from './container-kill.ts';
import { containerFieldPath } from './event-recorder.ts';
import { runHandler } from './lifecycle/handlers.ts';
import type { HookJournalState } from './lifecycle/hook-journal.ts';
import type { HookRun } from './lifecycle/hook-run.ts';
import type { PodContext } from './pod-context.ts';
import { allContainers, containerHash, podFmt, type SpecContainer } from './pod-util.ts';
import { allInstancesOf, newestOf, type RuntimePod } from './runtime-view.ts';
import { goDuration } from '../util/duration.ts';

export type StartResult =
  { ok: true; containerId: string } | { ok: false; reason: string; message: string; backoff?: boolean };

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
    const key = backoffKey(
      md.name ?? '',
      md.namespace ?? 'default',
      md.uid ?? '',
      name,
      containerHash(sc.container),
    );
    const finishedAt = dead.finishedAt ?? now;
    const window = ctx.backoff.inBackoff(key, finishedAt, now);
    if (window !== undefined) {
      ctx.recorder.event(
        pod,
        fieldPath,
        'Warning',
        'BackOff',
        `Back-off restarting failed container ${name} in pod ${podFmt(pod)}`,
      );
      return fail(
        'CrashLoopBackOff',
        `back-off ${goDuration(window)} restarting failed container=${name} pod=${podFmt(pod)}`,
        {
          backoff: true,
        },
      );
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
    return fail(
      e instanceof RuntimeError && e.kind === 'CreateContainerConfigError' ? e.kind : 'CreateContainerError',
      msg,
    );
  }
  // The kubelet's wording changed in 1.33: `Created container: <c>`.
  const minor = Number(ctx.kubeVersion.minor.replace(/\D.*$/, ''));
  ctx.recorder.event(
    pod,
    fieldPath,
    'Normal',
    'Created',
    minor >= 33 ? `Created container: ${name}` : `Created container ${name}`,
  );

  // Before the start: a nodelet that dies from here on finds the hook not yet begun (hook-journal.ts).
  if (sc.container.lifecycle?.postStart) journalPut(ctx, id, name, 'pending');
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

  if (sc.container.lifecycle?.postStart) {
    const failed = await runPostStart(ctx, sc, id, signal);
    if (failed) return fail(failed.reason, failed.message);
  }
  ctx.reasonCache.delete(name);
  return { ok: true, containerId: id };
}

function journalPut(
  ctx: PodContext,
  containerId: string,
  container: string,
  state: HookJournalState,
  run?: HookRun,
): void {
  ctx.hookJournal?.put({
    containerId,
    podUid: ctx.pod().metadata?.uid ?? '',
    container,
    state,
    at: ctx.clock.now(),
    ...(run ? { run } : {}),
  });
}

/**
 * Runs the container's postStart (journalled: running before, done with the outcome after), then
 * acts on the outcome. Returns the start failure when the hook failed.
 */
async function runPostStart(
  ctx: PodContext,
  sc: SpecContainer,
  id: string,
  signal: AbortSignal,
): Promise<{ reason: string; message: string } | undefined> {
  const postStart = sc.container.lifecycle?.postStart;
  if (!postStart) return undefined;
  journalPut(ctx, id, sc.container.name, 'running');
  const run = await runHandler('postStart', ctx.pod(), sc.container, id, postStart, {
    clock: ctx.clock,
    runtime: ctx.runtime,
    recorder: ctx.recorder,
    podIP: ctx.podIP(),
    kubeVersion: ctx.kubeVersion,
    signal,
  });
  // A run cut short by this nodelet stopping is left `running`: the next start settles it.
  if (signal.aborted && !run.ok)
    return { reason: 'PostStartHookError', message: run.failureMessage ?? 'PostStartHook failed' };
  journalPut(ctx, id, sc.container.name, 'done', run);
  return settlePostStart(ctx, sc, id, run);
}

/** The kubelet's response to a postStart outcome: a failure kills the container through the normal kill path. */
async function settlePostStart(
  ctx: PodContext,
  sc: SpecContainer,
  id: string,
  run: HookRun,
): Promise<{ reason: string; message: string } | undefined> {
  const name = sc.container.name;
  ctx.hookRan(run);
  if (!run.ok && !run.interrupted) {
    const pod = ctx.pod();
    ctx.recorder.event(
      pod,
      containerFieldPath(pod, name),
      'Warning',
      'FailedPostStartHook',
      'PostStartHook failed',
    );
    const status = await ctx.runtime.containerStatus(id);
    await killContainer(ctx, sc, status, { message: 'FailedPostStartHook', reason: 'postStartFailed' });
    journalPut(ctx, id, name, 'settled', run);
    const message = run.failureMessage ?? 'PostStartHook failed';
    ctx.reasonCache.set(name, { reason: 'PostStartHookError', message });
    return { reason: 'PostStartHookError', message };
  }
  journalPut(ctx, id, name, 'settled', run);
  return undefined;
}

/**
 * After a nodelet restart: settles the postStart of each running container instance whose journal
 * entry is not settled (hook-journal.ts says what each state means). Returns whether anything was
 * done, so the caller looks at the runtime again.
 */
export async function recoverPostStart(
  ctx: PodContext,
  view: RuntimePod,
  signal: AbortSignal,
): Promise<boolean> {
  const journal = ctx.hookJournal;
  if (!journal) return false;
  let acted = false;
  for (const sc of allContainers(ctx.pod())) {
    if (!sc.container.lifecycle?.postStart) continue;
    const c = newestOf(view, sc.container.name);
    if (c?.state !== 'running') continue;
    const entry = journal.get(c.id);
    if (!entry || entry.state === 'settled') continue;
    if (signal.aborted) return acted;
    acted = true;
    if (entry.state === 'pending') {
      // Started, but the hook never began: it runs now, once.
      await runPostStart(ctx, sc, c.id, signal);
    } else if (entry.state === 'running') {
      const pod = ctx.pod();
      const at = entry.at;
      const run: HookRun = {
        hook: 'postStart',
        container: sc.container.name,
        handler: handlerKind(sc),
        at,
        durationMs: Math.max(0, ctx.clock.now() - at),
        ok: false,
        interrupted: true,
        result: 'outcome unknown: nodelet stopped while the hook ran; not run again',
        output: '',
      };
      ctx.recorder.event(
        pod,
        containerFieldPath(pod, sc.container.name),
        'Warning',
        'PostStartHookInterrupted',
        'PostStartHook was running when the node agent stopped; its outcome is unknown and it is not run again',
      );
      journalPut(ctx, c.id, sc.container.name, 'done', run);
      await settlePostStart(ctx, sc, c.id, run);
    } else if (entry.run) {
      // The outcome was recorded but not acted on: act on it now.
      await settlePostStart(ctx, sc, c.id, entry.run);
    } else {
      journalPut(ctx, c.id, sc.container.name, 'settled');
    }
  }
  return acted;
}

function handlerKind(sc: SpecContainer): HookRun['handler'] {
  const h = sc.container.lifecycle?.postStart;
  return h?.exec ? 'exec' : h?.httpGet ? 'httpGet' : h?.sleep ? 'sleep' : 'invalid';
}
