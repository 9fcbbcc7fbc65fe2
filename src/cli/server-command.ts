// `nodelet server [--data-dir DIR] [--listen HOST:PORT] [--runtime process] [--crash-loop-backoff
// INITIAL[:MAX]] [--node-name NAME]`: the command-line edge of runServer.
import { homedir, hostname } from 'node:os';
import { join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { BackoffConfig } from '../kubelet/backoff.ts';
import type { RegistryOptions } from '../runtime/image/image-manager.ts';
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

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** The node name as the kubelet defaults it: the host name, lower-cased. */
export function defaultNodeName(): string {
  return hostname().toLowerCase();
}

export function serverCommand(): Command {
  return new Command('server')
    .description('Serve the Kubernetes API (for kubectl and client libraries) and run the pods it is given')
    .option('--data-dir <dir>', 'store, credentials and kubeconfig', join(homedir(), '.nodelet'))
    .option('--listen <host:port>', 'address of the API server', '127.0.0.1:6443')
    .addOption(
      new Option('--runtime <name>', 'container runtime: host processes, or real containers (runc)')
        .choices(['process', 'oci'])
        .default('process'),
    )
    .option('--registry-mirror <registry=url>', 'pull REGISTRY through URL (repeatable)', collect, [])
    .option('--insecure-registry <host>', 'speak plain HTTP to this registry (repeatable)', collect, [])
    .option(
      '--crash-loop-backoff <initial[:max]>',
      'crash-loop back-off initial and maximum delay (default 10s:5m)',
    )
    .option('--node-name <name>', 'name of this node', defaultNodeName())
    .option('--max-pods <n>', 'pods this node admits; the rest are rejected (OutOfpods)', parseMaxPods, 110)
    .option('-v, --verbose', 'log every API request to stderr')
    .action(
      async (flags: {
        dataDir: string;
        listen: string;
        runtime: string;
        registryMirror: string[];
        insecureRegistry: string[];
        crashLoopBackoff?: string;
        nodeName: string;
        maxPods: number;
        verbose?: boolean;
      }) => {
        let listen: { host: string; port: number };
        let backoff: BackoffConfig | undefined;
        let registries: RegistryOptions;
        try {
          listen = parseListen(flags.listen);
          registries = registryOptions(flags.registryMirror, flags.insecureRegistry);
          resolveRuntimeName(flags.runtime);
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
          runtime: flags.runtime,
          registries,
          maxPods: flags.maxPods,
          nodeName: flags.nodeName,
          ...(backoff ? { crashLoopBackOff: backoff } : {}),
          stdout: process.stdout,
          stderr: process.stderr,
          signal: stop.signal,
          ...(flags.verbose ? { verbose: true } : {}),
        });
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        // Everything is stopped and the store closed; what may still hold the event loop are the
        // pods' own pipes (left open on purpose so they keep running), so leave explicitly.
        process.exit(code);
      },
    );
}
