// `nodelet server [--data-dir DIR] [--listen HOST:PORT] [--runtime process] [--crash-loop-backoff
// INITIAL[:MAX]] [--node-name NAME]`: the command-line edge of runServer.
import { homedir, hostname } from 'node:os';
import { join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { parseQuantity } from '../api/quantity.ts';
import type { BackoffConfig } from '../kubelet/backoff.ts';
import {
  CONTAINER_LOG_MONITOR_INTERVAL_MS,
  DEFAULT_CONTAINER_LOG_MAX_FILES,
  DEFAULT_CONTAINER_LOG_MAX_SIZE,
} from '../kubelet/log-rotation.ts';
import { parseDuration } from '../util/duration.ts';
import type { RegistryOptions } from '../runtime/image/image-manager.ts';
import { parseCidr } from '../apiserver/service-ip-allocator.ts';
import { registryOptions } from '../runtime/oci/node-config.ts';
import { parseBackoffFlag } from './run-command.ts';
import { resolveRuntimeName } from './runtime-factory.ts';
import { parseListen, runServer } from './server.ts';

const EXIT_USAGE = 2;

export function parseMaxPods(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`want a whole number ≥ 1`);
  return n;
}

/** --container-log-max-size: a quantity (`10Mi`), as the kubelet parses containerLogMaxSize; negative turns rotation off. */
export function parseLogMaxSize(text: string): number {
  try {
    return Number(parseQuantity(text).value());
  } catch (e) {
    throw new InvalidArgumentError(
      `failed to parse container log max size "${text}": ${(e as Error).message}`,
    );
  }
}

/** --container-log-max-files: the kubelet's containerLogMaxFiles, more than 1. */
export function parseLogMaxFiles(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('want a whole number');
  if (n <= 1) throw new InvalidArgumentError(`invalid MaxFiles ${n}, must be > 1`);
  return n;
}

/** --container-log-monitor-interval: a positive Go duration (containerLogMonitorInterval). */
export function parseLogMonitorInterval(text: string): number {
  let ms = NaN;
  try {
    ms = parseDuration(text);
  } catch {
    // reported below
  }
  if (!(ms > 0)) throw new InvalidArgumentError('want a positive duration such as 10s');
  return ms;
}

/** The container log flags of `nodelet server` and `nodelet run`, added to a command. */
export function addContainerLogOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        '--container-log-max-size <quantity>',
        'rotate a container log once it is this big (negative: never)',
      )
        .argParser(parseLogMaxSize)
        .default(DEFAULT_CONTAINER_LOG_MAX_SIZE, '10Mi'),
    )
    .addOption(
      new Option('--container-log-max-files <n>', 'log files kept per container, the live one included')
        .argParser(parseLogMaxFiles)
        .default(DEFAULT_CONTAINER_LOG_MAX_FILES),
    )
    .addOption(
      new Option(
        '--container-log-monitor-interval <duration>',
        'how often container logs are checked for rotation',
      )
        .argParser(parseLogMonitorInterval)
        .default(CONTAINER_LOG_MONITOR_INTERVAL_MS, '10s'),
    );
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** The node name as the kubelet defaults it: the host name, lower-cased. */
export function defaultNodeName(): string {
  return hostname().toLowerCase();
}

export function serverCommand(): Command {
  return addContainerLogOptions(new Command('server'))
    .description('Serve the Kubernetes API (for kubectl and client libraries) and run the pods it is given')
    .option('--data-dir <dir>', 'store, credentials and kubeconfig', join(homedir(), '.nodelet'))
    .option('--listen <host:port>', 'address of the API server', '127.0.0.1:6443')
    .addOption(
      // No default here: the start-up line says whether the runtime was asked for.
      new Option(
        '--runtime <name>',
        'container runtime: host processes (default), or real containers (runc)',
      ).choices(['process', 'oci']),
    )
    .option('--registry-mirror <registry=url>', 'pull REGISTRY through URL (repeatable)', collect, [])
    .option('--insecure-registry <host>', 'speak plain HTTP to this registry (repeatable)', collect, [])
    .option(
      '--crash-loop-backoff <initial[:max]>',
      'crash-loop back-off initial and maximum delay (default 10s:5m)',
    )
    .option('--node-name <name>', 'name of this node', defaultNodeName())
    .option('--max-pods <n>', 'pods this node admits; the rest are rejected (OutOfpods)', parseMaxPods, 110)
    .option('--service-cluster-ip-range <cidr>', 'addresses of Services (ClusterIPs)', '10.96.0.0/16')
    .option('-v, --verbose', 'log every API request to stderr')
    .action(
      async (flags: {
        dataDir: string;
        listen: string;
        runtime?: string;
        registryMirror: string[];
        insecureRegistry: string[];
        crashLoopBackoff?: string;
        nodeName: string;
        maxPods: number;
        containerLogMaxSize: number;
        containerLogMaxFiles: number;
        containerLogMonitorInterval: number;
        verbose?: boolean;
        serviceClusterIpRange: string;
      }) => {
        let listen: { host: string; port: number };
        let backoff: BackoffConfig | undefined;
        let registries: RegistryOptions;
        try {
          listen = parseListen(flags.listen);
          registries = registryOptions(flags.registryMirror, flags.insecureRegistry);
          resolveRuntimeName(flags.runtime);
          parseCidr(flags.serviceClusterIpRange);
          if (flags.crashLoopBackoff !== undefined) backoff = parseBackoffFlag(flags.crashLoopBackoff);
        } catch (e) {
          process.stderr.write(`error: ${(e as Error).message}\n`);
          process.exit(EXIT_USAGE);
        }
        const stop = new AbortController();
        const onSignal = (): void => stop.abort();
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        const code = await runServer({
          dataDir: flags.dataDir,
          host: listen.host,
          port: listen.port,
          ...(flags.runtime !== undefined ? { runtime: flags.runtime } : {}),
          registries,
          maxPods: flags.maxPods,
          containerLogs: {
            maxSize: flags.containerLogMaxSize,
            maxFiles: flags.containerLogMaxFiles,
            monitorIntervalMs: flags.containerLogMonitorInterval,
          },
          nodeName: flags.nodeName,
          ...(backoff ? { crashLoopBackOff: backoff } : {}),
          stdout: process.stdout,
          stderr: process.stderr,
          signal: stop.signal,
          ...(flags.verbose ? { verbose: true } : {}),
          serviceClusterIpRange: flags.serviceClusterIpRange,
        });
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        // Everything is stopped and the store closed; what may still hold the event loop are the
        // pods' own pipes (left open on purpose so they keep running), so leave explicitly.
        process.exit(code);
      },
    );
}
