// A probe as the worker uses it: every field defaulted once at the edge, so the worker never sees
// `undefined` or a zero that means "unset" (the API server's SetDefaults_Probe treats 0 as unset).
import type { Container, Probe } from 'kubernetes-types/core/v1.js';

export type ProbeKind = 'liveness' | 'readiness' | 'startup';

export const PROBE_KINDS: readonly ProbeKind[] = ['startup', 'readiness', 'liveness'];

/** The capitalised name the kubelet puts in event text (`Liveness probe failed: …`). */
export function probeKindName(kind: ProbeKind): 'Liveness' | 'Readiness' | 'Startup' {
  switch (kind) {
    case 'liveness':
      return 'Liveness';
    case 'readiness':
      return 'Readiness';
    case 'startup':
      return 'Startup';
  }
}

export interface HttpHeader {
  name: string;
  value: string;
}

export type ProbeHandler =
  | { type: 'exec'; command: string[] }
  | {
      type: 'httpGet';
      host: string | undefined;
      port: number | string;
      path: string;
      scheme: 'http' | 'https';
      headers: HttpHeader[];
    }
  | { type: 'tcpSocket'; host: string | undefined; port: number | string }
  | { type: 'grpc'; port: number; service: string }
  /** A probe with no handler: the kubelet answers Unknown with a "missing probe handler" error. */
  | { type: 'none' };

export interface CompiledProbe {
  readonly kind: ProbeKind;
  readonly initialDelaySeconds: number;
  readonly periodSeconds: number;
  readonly timeoutSeconds: number;
  readonly successThreshold: number;
  readonly failureThreshold: number;
  /** Probe-level grace for liveness/startup kills; undefined when the pod's applies. */
  readonly terminationGracePeriodSeconds: number | undefined;
  readonly handler: ProbeHandler;
}

/** Kubernetes defaults (pkg/apis/core/v1/defaults.go SetDefaults_Probe, SetDefaults_HTTPGetAction). */
export const PROBE_DEFAULTS = {
  initialDelaySeconds: 0,
  periodSeconds: 10,
  timeoutSeconds: 1,
  successThreshold: 1,
  failureThreshold: 3,
} as const;

function positiveOr(value: number | undefined, fallback: number): number {
  return value === undefined || value === 0 ? fallback : value;
}

export function compileHandler(probe: Probe): ProbeHandler {
  // The kubelet checks the handlers in this order (prober.go runProbe).
  if (probe.exec) return { type: 'exec', command: [...(probe.exec.command ?? [])] };
  if (probe.httpGet) {
    const g = probe.httpGet;
    return {
      type: 'httpGet',
      host: g.host === '' ? undefined : g.host,
      port: g.port,
      path: g.path === undefined || g.path === '' ? '/' : g.path,
      // Scheme is lower-cased when the URL is built (probe/http/request.go).
      scheme: (g.scheme ?? 'HTTP').toLowerCase() === 'https' ? 'https' : 'http',
      headers: (g.httpHeaders ?? []).map((h) => ({ name: h.name, value: h.value })),
    };
  }
  if (probe.tcpSocket) {
    const t = probe.tcpSocket;
    return { type: 'tcpSocket', host: t.host === '' ? undefined : t.host, port: t.port };
  }
  if (probe.grpc) return { type: 'grpc', port: probe.grpc.port, service: probe.grpc.service ?? '' };
  return { type: 'none' };
}

export function compileProbe(kind: ProbeKind, probe: Probe): CompiledProbe {
  return Object.freeze({
    kind,
    initialDelaySeconds: probe.initialDelaySeconds ?? PROBE_DEFAULTS.initialDelaySeconds,
    periodSeconds: positiveOr(probe.periodSeconds, PROBE_DEFAULTS.periodSeconds),
    timeoutSeconds: positiveOr(probe.timeoutSeconds, PROBE_DEFAULTS.timeoutSeconds),
    successThreshold: positiveOr(probe.successThreshold, PROBE_DEFAULTS.successThreshold),
    failureThreshold: positiveOr(probe.failureThreshold, PROBE_DEFAULTS.failureThreshold),
    // Readiness probes may not carry it (validation); the kubelet only reads it for kills.
    terminationGracePeriodSeconds: kind === 'readiness' ? undefined : probe.terminationGracePeriodSeconds,
    handler: compileHandler(probe),
  });
}

/** The container's probe of that kind, or undefined. */
export function containerProbe(container: Container, kind: ProbeKind): Probe | undefined {
  switch (kind) {
    case 'liveness':
      return container.livenessProbe;
    case 'readiness':
      return container.readinessProbe;
    case 'startup':
      return container.startupProbe;
  }
}

/**
 * Resolves a probe port as the kubelet does (pkg/probe/util.go ResolveContainerPort): a number is
 * taken as is; a string names one of the container's ports, and failing that is parsed as a number
 * (so an unknown name fails with strconv's text). The result must lie in 1–65535.
 */
export function resolveContainerPort(port: number | string, container: Container): number {
  let n: number;
  if (typeof port === 'number') {
    n = port;
  } else {
    const named = (container.ports ?? []).find((p) => p.name === port);
    if (named) {
      n = named.containerPort;
    } else if (/^[+-]?\d+$/.test(port)) {
      n = Number.parseInt(port, 10);
    } else {
      throw new Error(`strconv.Atoi: parsing ${goQuote(port)}: invalid syntax`);
    }
  }
  if (Number.isInteger(n) && n > 0 && n < 65536) return n;
  throw new Error(`invalid port number: ${n}`);
}

/** Go's net.JoinHostPort: brackets around IPv6 literals. */
export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Go's %q for a string: double quotes with Go escapes. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + '"';
}

/** Go's time.Duration String() for a millisecond count: `1s`, `500ms`, `1m30s`, `2h0m0s`. */
export function goDuration(ms: number): string {
  if (ms === 0) return '0s';
  const neg = ms < 0;
  let rest = Math.abs(ms);
  let out: string;
  if (rest < 1000) {
    out = `${rest}ms`;
  } else {
    const h = Math.floor(rest / 3_600_000);
    rest -= h * 3_600_000;
    const m = Math.floor(rest / 60_000);
    rest -= m * 60_000;
    const s = rest / 1000;
    const secs = `${Number.isInteger(s) ? s : Number(s.toFixed(3))}s`;
    out = h > 0 ? `${h}h${m}m${secs}` : m > 0 ? `${m}m${secs}` : secs;
  }
  return neg ? `-${out}` : out;
}

/**
 * `$(VAR)` expansion from the container's static env values only, as the kubelet expands exec
 * probe commands (kubecontainer.ExpandContainerCommandOnlyStatic): `$$` is a literal `$`, an unknown
 * reference stays as written, valueFrom entries are not consulted.
 */
export function expandStaticEnv(command: readonly string[], container: Container): string[] {
  const env = new Map<string, string>();
  for (const e of container.env ?? []) if (e.valueFrom === undefined) env.set(e.name, e.value ?? '');
  return command.map((arg) => expandOne(arg, env));
}

function expandOne(input: string, env: Map<string, string>): string {
  let out = '';
  let i = 0;
  while (i < input.length) {
    const ch = input[i];
    if (ch !== '$' || i + 1 >= input.length) {
      out += ch;
      i++;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, close);
      const value = env.get(name);
      out += value ?? `$(${name})`;
      i = close + 1;
    } else {
      out += '$' + next;
      i += 2;
    }
  }
  return out;
}
