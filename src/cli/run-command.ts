// `nodelet run FILE|-|URL …`: options → frozen config at the edge, then the run session.
import { EventEmitter } from 'node:events';
import { Command, Option } from 'commander';
import { backoffConfig, type BackoffConfig } from '../kubelet/backoff.ts';
import { realClock } from '../util/clock.ts';
import { parseDuration } from '../util/duration.ts';
import { loadPods, RUN_KINDS, type LoadResult } from '../api/load.ts';
import type { RegistryOptions } from '../runtime/image/image-manager.ts';
import { defaultDataDir, registryOptions } from '../runtime/oci/node-config.ts';
import { resolveRuntimeName, RUNTIME_HANDLERS } from './runtime-factory.ts';
import { addContainerLogOptions, parseMaxPods } from './server-command.ts';
import { EXIT_INVALID, runPods } from './run-session.ts';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** `INITIAL[:MAX]`, each a Go duration (`10s`, `1m`). */
export function parseBackoffFlag(text: string): BackoffConfig {
  const [a, b] = text.split(':');
  try {
    const initial = parseDuration(a ?? '');
    const max = b !== undefined ? parseDuration(b) : undefined;
    if (initial > 0 && (max === undefined || max > 0)) return backoffConfig(initial, max);
  } catch {
    // reported below
  }
  throw new UsageError(`invalid --crash-loop-backoff "${text}": want INITIAL[:MAX], e.g. 1s:30s`);
}

export function parseTimeout(text: string): number {
  try {
    const ms = parseDuration(text);
    if (ms >= 0) return ms;
  } catch {
    // reported below
  }
  throw new UsageError(`invalid --timeout "${text}": want a duration such as 30s or 5m`);
}

interface RunFlags {
  timeout?: string;
  output: 'wide' | 'json' | 'yaml';
  crashLoopBackoff?: string;
  runtime?: string;
  dataDir: string;
  registryMirror: string[];
  insecureRegistry: string[];
  maxPods: number;
  containerLogMaxSize: number;
  containerLogMaxFiles: number;
  containerLogMonitorInterval: number;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function runCommand(): Command {
  return addContainerLogOptions(new Command('run'))
    .description('Run the Pods of one or more manifests in the foreground, as a Kubernetes node would')
    .argument('<manifests...>', 'files, directories, - for stdin, or http(s) URLs')
    .option('--timeout <duration>', 'delete the pods gracefully after this long (e.g. 30s, 5m)')
    .addOption(
      new Option('-o, --output <format>', 'final output').choices(['wide', 'json', 'yaml']).default('wide'),
    )
    .option(
      '--crash-loop-backoff <initial[:max]>',
      'crash-loop back-off initial and maximum delay (default 10s:5m)',
    )
    .addOption(
      // No default here: the start-up line says whether the runtime was asked for.
      new Option(
        '--runtime <name>',
        'default container runtime: host processes, or real containers (runc); a pod picks the other with runtimeClassName (default: process)',
      ).choices(['process', 'oci']),
    )
    .option('--data-dir <dir>', 'where the oci runtime keeps its images', defaultDataDir())
    .option('--max-pods <n>', 'pods this node admits; the rest are rejected (OutOfpods)', parseMaxPods, 110)
    .option('--registry-mirror <registry=url>', 'pull REGISTRY through URL (repeatable)', collect, [])
    .option('--insecure-registry <host>', 'speak plain HTTP to this registry (repeatable)', collect, [])
    .action(async (manifests: string[], flags: RunFlags) => {
      let timeoutMs: number | undefined;
      let backoff: BackoffConfig | undefined;
      let registries: RegistryOptions;
      try {
        registries = registryOptions(flags.registryMirror, flags.insecureRegistry);
        resolveRuntimeName(flags.runtime);
        if (flags.timeout !== undefined) timeoutMs = parseTimeout(flags.timeout);
        if (flags.crashLoopBackoff !== undefined) backoff = parseBackoffFlag(flags.crashLoopBackoff);
      } catch (e) {
        process.stderr.write(`error: ${(e as Error).message}\n`);
        process.exitCode = EXIT_INVALID;
        return;
      }
      let loaded: LoadResult;
      try {
        // Pods and the ConfigMaps, Secrets and Services beside them; the RuntimeClasses a run has
        // are the built-in ones.
        loaded = await loadPods(manifests, {
          stdin: process.stdin,
          now: realClock.now(),
          uid: () => crypto.randomUUID(),
          kinds: RUN_KINDS,
          runtimeClasses: RUNTIME_HANDLERS,
        });
      } catch (e) {
        process.stderr.write(`${(e as Error).message}\n`);
        process.exitCode = EXIT_INVALID;
        return;
      }
      const stopSignals = new EventEmitter();
      const onSignal = (): void => void stopSignals.emit('stop');
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      const code = await runPods({
        pods: loaded.pods,
        resources: loaded.resources,
        output: flags.output,
        ...(timeoutMs !== undefined ? { timeoutMs } : {}),
        ...(backoff ? { crashLoopBackOff: backoff } : {}),
        stdout: process.stdout,
        stderr: process.stderr,
        stopSignals,
        ...(flags.runtime !== undefined ? { runtime: flags.runtime } : {}),
        dataDir: flags.dataDir,
        registries,
        maxPods: flags.maxPods,
        containerLogs: {
          maxSize: flags.containerLogMaxSize,
          maxFiles: flags.containerLogMaxFiles,
          monitorIntervalMs: flags.containerLogMonitorInterval,
        },
      });
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.exitCode = code;
    });
}
