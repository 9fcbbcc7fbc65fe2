// `nodelet get pods [-o wide] [-n NS | -A]`: asks a running `nodelet server` for the same
// server-side Table kubectl asks for, and prints it with kubectl's printer, so both show the
// same table for the same pods.
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { parse } from 'yaml';
import { printTable } from '../api/printers/table-printer.ts';
import type { Table } from '../api/printers/table.ts';

interface Kubeconfig {
  clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
  users: { user: { token: string } }[];
}

function getJson(url: string, ca: Buffer, token: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      url,
      {
        ca,
        headers: {
          Authorization: `Bearer ${token}`,
          Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
        },
      },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text || '{}') as unknown }),
        );
      },
    );
    req.on('error', reject);
  });
}

export function getCommand(): Command {
  return new Command('get')
    .description('List pods from a running nodelet server, as kubectl get pods prints them')
    .argument('<resource>', 'pods (po, pod)')
    .option('--data-dir <dir>', 'the server’s data dir (its kubeconfig)', join(homedir(), '.nodelet'))
    .option('-n, --namespace <ns>', 'namespace', 'default')
    .option('-A, --all-namespaces', 'pods of every namespace')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['wide']))
    .action(
      async (
        resource: string,
        flags: { dataDir: string; namespace: string; allNamespaces?: boolean; output?: string },
      ) => {
        if (!['pods', 'pod', 'po'].includes(resource)) {
          process.stderr.write(
            `error: the server doesn't have a resource type "${resource}" in nodelet get; use kubectl\n`,
          );
          process.exitCode = 2;
          return;
        }
        let cfg: Kubeconfig;
        try {
          cfg = parse(readFileSync(join(flags.dataDir, 'kubeconfig'), 'utf8')) as Kubeconfig;
        } catch (e) {
          process.stderr.write(
            `error: no nodelet server kubeconfig in ${flags.dataDir}: ${(e as Error).message}\n`,
          );
          process.exitCode = 1;
          return;
        }
        const cluster = cfg.clusters[0]?.cluster;
        const token = cfg.users[0]?.user.token ?? '';
        const ca = Buffer.from(cluster?.['certificate-authority-data'] ?? '', 'base64');
        const path = flags.allNamespaces
          ? '/api/v1/pods'
          : `/api/v1/namespaces/${encodeURIComponent(flags.namespace)}/pods`;
        try {
          const { status, body } = await getJson(`${cluster?.server ?? ''}${path}`, ca, token);
          if (status !== 200) {
            process.stderr.write(
              `Error from server: ${(body as { message?: string }).message ?? `HTTP ${status}`}\n`,
            );
            process.exitCode = 1;
            return;
          }
          const table = body as Table;
          const text = printTable(table, {
            wide: flags.output === 'wide',
            ...(flags.allNamespaces ? { withNamespace: true } : {}),
          });
          if (table.rows.length === 0) {
            process.stderr.write(
              flags.allNamespaces
                ? 'No resources found\n'
                : `No resources found in ${flags.namespace} namespace.\n`,
            );
          }
          process.stdout.write(text);
        } catch (e) {
          process.stderr.write(`error: ${(e as Error).message}\n`);
          process.exitCode = 1;
        }
      },
    );
}
