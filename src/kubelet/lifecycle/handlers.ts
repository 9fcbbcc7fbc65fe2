// Runs postStart/preStop handlers the way the kubelet's handler runner does (reference §4.1, §4.5):
// exec in the container with no timeout, httpGet sent by the node (any HTTP status is success),
// sleep as a node-side timer. Every run is returned as a HookRun so its output can be shown.
import type { Container, LifecycleHandler, Pod } from 'kubernetes-types/core/v1.js';
import type { ContainerRuntime } from '../../runtime/runtime.ts';
import type { Clock } from '../../util/clock.ts';
import type { EventRecorder } from '../event-recorder.ts';
import { podFmt } from '../pod-util.ts';
import { hostPort, httpGet } from './http-get.ts';
import { tail, type HookName, type HookRun } from './hook-run.ts';

export interface HandlerContext {
  clock: Clock;
  runtime: ContainerRuntime;
  recorder: EventRecorder;
  podIP: string | undefined;
  kubeVersion: { major: string; minor: string };
  signal?: AbortSignal;
}

/** Resolves a port (number or container port name) as the kubelet does. */
export function resolvePort(port: number | string | undefined, container: Container): number {
  if (typeof port === 'number') return port;
  if (port === undefined) throw new Error('port is required');
  if (/^\d+$/.test(port)) return Number(port);
  const p = (container.ports ?? []).find((x) => x.name === port);
  if (!p) throw new Error(`port "${port}" not found`);
  return p.containerPort;
}

export async function runHandler(
  hook: HookName,
  pod: Pod,
  container: Container,
  containerId: string,
  handler: LifecycleHandler,
  ctx: HandlerContext,
): Promise<HookRun> {
  const at = ctx.clock.now();
  const base = { hook, container: container.name, at };
  const done = (r: Omit<HookRun, 'hook' | 'container' | 'at' | 'durationMs'>): HookRun => ({
    ...base,
    durationMs: ctx.clock.now() - at,
    ...r,
  });
  const who = `for Container "${container.name}" in Pod "${podFmt(pod)}"`;

  if (handler.exec) {
    const cmd = handler.exec.command ?? [];
    try {
      const res = await ctx.runtime.execSync(containerId, cmd, {
        timeoutMs: 0,
        maxOutputBytes: 10 * 1024,
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      });
      const stdout = res.stdout.toString('utf8');
      const stderr = res.stderr.toString('utf8');
      const combined = stdout + stderr;
      if (res.exitCode === 0) return done({ handler: 'exec', ok: true, result: 'exit 0', output: tail(combined) });
      const err = `command '${cmd.join(' ')}' exited with ${res.exitCode}: ${stderr}`;
      return done({
        handler: 'exec',
        ok: false,
        result: `exit ${res.exitCode}`,
        output: tail(combined),
        failureMessage: `Exec lifecycle hook ([${cmd.join(' ')}]) ${who} failed - error: ${err}, message: ${JSON.stringify(combined)}`,
      });
    } catch (e) {
      const msg = (e as Error).message;
      return done({
        handler: 'exec',
        ok: false,
        result: msg,
        output: '',
        failureMessage: `Exec lifecycle hook ([${cmd.join(' ')}]) ${who} failed - error: ${msg}, message: ""`,
      });
    }
  }

  if (handler.httpGet) {
    const h = handler.httpGet;
    const path = h.path ?? '/';
    try {
      const port = resolvePort(h.port, container);
      const host = h.host || ctx.podIP;
      if (!host) throw new Error('failed to find networking container: no pod IP');
      const scheme = (h.scheme ?? 'HTTP').toLowerCase() === 'https' ? 'https' : 'http';
      const headers = (h.httpHeaders ?? []).map((x) => ({ name: x.name, value: x.value }));
      const userAgent = `kube-lifecycle/${ctx.kubeVersion.major}.${ctx.kubeVersion.minor}`;
      const request = { scheme, host, port, path, headers, userAgent, ...(ctx.signal ? { signal: ctx.signal } : {}) } as const;
      let res;
      try {
        res = await httpGet(request);
      } catch (e) {
        // As the kubelet: an HTTPS hook answered over plain HTTP is retried once over HTTP, without Authorization.
        if (scheme !== 'https' || !/server gave HTTP response to HTTPS client/.test((e as Error).message)) throw e;
        res = await httpGet({
          ...request,
          scheme: 'http',
          headers: headers.filter((x) => x.name.toLowerCase() !== 'authorization'),
        });
        ctx.recorder.event(
          pod,
          undefined,
          'Warning',
          'LifecycleHTTPFallback',
          `request to HTTPS lifecycle hook ${hostPort(host, port)} got HTTP response, retry with HTTP succeeded`,
        );
      }
      return done({ handler: 'httpGet', ok: true, result: `HTTP ${res.status}`, output: tail(res.body) });
    } catch (e) {
      const msg = (e as Error).message;
      return done({
        handler: 'httpGet',
        ok: false,
        result: msg,
        output: '',
        failureMessage: `HTTP lifecycle hook (${path}) ${who} failed - error: ${msg}`,
      });
    }
  }

  if (handler.sleep) {
    const seconds = handler.sleep.seconds;
    try {
      await ctx.clock.sleep(seconds * 1000, ctx.signal);
      return done({ handler: 'sleep', ok: true, result: `slept ${seconds}s`, output: '' });
    } catch {
      const msg = 'container terminated before sleep hook finished';
      return done({
        handler: 'sleep',
        ok: false,
        result: msg,
        output: '',
        failureMessage: `Sleep lifecycle hook (${seconds}) ${who} failed - error: ${msg}`,
      });
    }
  }

  // tcpSocket is accepted by the API for compatibility but the kubelet cannot run it.
  const text = `invalid handler: ${JSON.stringify(handler)}`;
  return done({
    handler: 'invalid',
    ok: false,
    result: text,
    output: '',
    failureMessage: `Cannot run handler: ${text}`,
  });
}
