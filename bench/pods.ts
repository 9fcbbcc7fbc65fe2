// The pods the bench runs. They are written out in full (the defaults the API server would apply
// are spelled here), so the in-process path and the HTTPS path create exactly the same objects.
import type { Container, Pod, Probe } from 'kubernetes-types/core/v1.js';

export const BENCH_LABEL = 'bench.nodelet.dev/run';

/** The command every start-up and deletion pod runs (the floor spawns the same one). */
export const SLEEP_COMMAND: readonly string[] = ['sleep', '3600'];
/**
 * The peer rows' command, run by nodelet and podman alike: as PID 1 of a container a plain sleep
 * would ignore SIGTERM and wait out the grace period, so it traps the signal and exits.
 */
export const PEER_COMMAND: readonly string[] = ['sh', '-c', "trap 'exit 0' TERM; sleep 3600 & wait"];
/** The exec probe command (readiness in the start-up rows, liveness in the density rows). */
export const PROBE_COMMAND: readonly string[] = ['true'];

export interface PodShape {
  name: string;
  namespace?: string;
  /** Value of the bench label, to list and clean up one run's pods. */
  run: string;
  command: readonly string[];
  /** An exec readiness probe running PROBE_COMMAND. */
  execReadiness?: boolean;
  /** An exec liveness probe (PROBE_COMMAND) and an httpGet readiness probe on this port. */
  httpPort?: number;
  terminationGracePeriodSeconds?: number;
}

/** The API's defaults for a probe (period 10 s, timeout 1 s, thresholds 1 and 3). */
function withProbeDefaults(p: Probe): Probe {
  return { periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3, ...p };
}

export function benchPod(shape: PodShape): Pod {
  const container: Container = {
    name: 'main',
    image: 'busybox',
    command: [...shape.command],
    imagePullPolicy: 'IfNotPresent',
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
  };
  if (shape.execReadiness)
    container.readinessProbe = withProbeDefaults({ exec: { command: [...PROBE_COMMAND] } });
  if (shape.httpPort !== undefined) {
    container.livenessProbe = withProbeDefaults({ exec: { command: [...PROBE_COMMAND] } });
    container.readinessProbe = withProbeDefaults({
      httpGet: { path: '/', port: shape.httpPort, scheme: 'HTTP' },
    });
  }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: shape.name,
      namespace: shape.namespace ?? 'default',
      labels: { [BENCH_LABEL]: shape.run },
    },
    spec: {
      containers: [container],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: shape.terminationGracePeriodSeconds ?? 30,
      dnsPolicy: 'ClusterFirst',
      schedulerName: 'default-scheduler',
      enableServiceLinks: true,
    },
  };
}

/** busybox httpd in the foreground on one loopback port, serving dir (which holds index.html). */
export function httpdCommand(port: number, dir: string): string[] {
  return ['busybox', 'httpd', '-f', '-p', `127.0.0.1:${port}`, '-h', dir];
}

export function isRunning(pod: Pod): boolean {
  return pod.status?.phase === 'Running';
}

/** The pod's Ready condition is True (every container ready, readiness gates aside). */
export function isReady(pod: Pod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}
