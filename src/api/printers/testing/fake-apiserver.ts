// A minimal API server for checking printers against the real kubectl: just enough discovery for
// kubectl 1.32 to run `get`, `get -w` and `describe` against canned pods, events and Tables.
// Test-only; it listens on loopback and serves whatever the test hands it.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';

export const KUBECTL = '/usr/bin/kubectl';

/** Whether the real kubectl can be run here (these checks are skipped, and say so, when not). */
export function kubectlAvailable(): boolean {
  const r = spawnSync(KUBECTL, ['version', '--client'], { encoding: 'utf8' });
  return r.status === 0;
}

export interface Route {
  /** Answers a request, or returns undefined to fall through to 404. */
  (req: IncomingMessage, url: URL, res: ServerResponse): boolean | Promise<boolean>;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

const RESOURCES = [
  {
    name: 'pods',
    singularName: 'pod',
    namespaced: true,
    kind: 'Pod',
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    shortNames: ['po'],
    categories: ['all'],
  },
  {
    name: 'events',
    singularName: 'event',
    namespaced: true,
    kind: 'Event',
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    shortNames: ['ev'],
  },
  {
    name: 'namespaces',
    singularName: 'namespace',
    namespaced: false,
    kind: 'Namespace',
    verbs: ['get', 'list', 'watch'],
    shortNames: ['ns'],
  },
  {
    name: 'nodes',
    singularName: 'node',
    namespaced: false,
    kind: 'Node',
    verbs: ['get', 'list', 'watch'],
    shortNames: ['no'],
  },
  {
    name: 'configmaps',
    singularName: 'configmap',
    namespaced: true,
    kind: 'ConfigMap',
    verbs: ['get', 'list', 'watch'],
    shortNames: ['cm'],
  },
];

function discovery(req: IncomingMessage, url: URL, res: ServerResponse, address: string): boolean {
  switch (url.pathname) {
    case '/version':
      json(res, 200, {
        major: '1',
        minor: '32',
        gitVersion: 'v1.32.4',
        gitCommit: '0000000',
        gitTreeState: 'clean',
        buildDate: '2025-01-01T00:00:00Z',
        goVersion: 'go1.23.4',
        compiler: 'gc',
        platform: 'linux/amd64',
      });
      return true;
    case '/api':
      json(res, 200, {
        kind: 'APIVersions',
        versions: ['v1'],
        serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: address }],
      });
      return true;
    case '/apis':
      json(res, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups: [] });
      return true;
    case '/api/v1':
      json(res, 200, { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'v1', resources: RESOURCES });
      return true;
    default:
      void req;
      return false;
  }
}

export interface FakeApiServer {
  kubeconfig: string;
  cacheDir: string;
  requests: string[];
  close(): Promise<void>;
}

export async function startFakeApiServer(route: Route): Promise<FakeApiServer> {
  const dir = mkdtempSync(join(tmpdir(), 'nodelet-printers-'));
  const requests: string[] = [];
  let address = '';
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    if (discovery(req, url, res, address)) return;
    Promise.resolve(route(req, url, res))
      .then((handled) => {
        if (!handled)
          json(res, 404, {
            kind: 'Status',
            apiVersion: 'v1',
            metadata: {},
            status: 'Failure',
            reason: 'NotFound',
            code: 404,
            message: 'not found',
          });
      })
      .catch((err: unknown) => {
        json(res, 500, {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          code: 500,
          message: String(err),
        });
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  address = `127.0.0.1:${port}`;
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: fake',
      '  cluster:',
      `    server: http://${address}`,
      'contexts:',
      '- name: fake',
      '  context: {cluster: fake, user: fake, namespace: default}',
      'current-context: fake',
      'users:',
      '- name: fake',
      '  user: {}',
      '',
    ].join('\n'),
  );
  return {
    kubeconfig,
    cacheDir: join(dir, 'cache'),
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface KubectlResult {
  stdout: string;
  stderr: string;
  code: number | null;
}

/** Runs the real kubectl against the fake server, in UTC, with a private cache. */
export function runKubectl(
  server: FakeApiServer,
  args: readonly string[],
  timeoutMs = 20_000,
): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      KUBECTL,
      ['--kubeconfig', server.kubeconfig, '--cache-dir', server.cacheDir, ...args],
      {
        env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: server.cacheDir, TZ: 'UTC' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code });
    });
  });
}

export function wantsTable(req: IncomingMessage): boolean {
  return (req.headers.accept ?? '').includes('as=Table');
}

export { json as sendJson };
