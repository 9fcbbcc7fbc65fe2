// The kubeconfig nodelet writes for its clients: the server URL, the CA to trust and the bearer
// token. Names are quoted strings in JSON-compatible YAML, so no YAML 1.1 reader takes one for a
// boolean.
import { writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { stringify } from 'yaml';

export interface KubeconfigOptions {
  server: string;
  caPem: string;
  token: string;
  /** Cluster, user and context name. */
  name?: string;
  namespace?: string;
}

/** The URL clients use for a listen address: wildcard addresses become loopback. */
export function serverUrl(host: string, port: number): string {
  let h = host;
  if (h === '' || h === '0.0.0.0') h = '127.0.0.1';
  if (h === '::') h = '::1';
  return `https://${isIP(h) === 6 ? `[${h}]` : h}:${port}`;
}

export function kubeconfigYaml(o: KubeconfigOptions): string {
  const name = o.name ?? 'nodelet';
  return stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name,
          cluster: {
            server: o.server,
            'certificate-authority-data': Buffer.from(o.caPem).toString('base64'),
          },
        },
      ],
      users: [{ name, user: { token: o.token } }],
      contexts: [{ name, context: { cluster: name, user: name, namespace: o.namespace ?? 'default' } }],
      'current-context': name,
      preferences: {},
    },
    { defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN', lineWidth: 0 },
  );
}

export function writeKubeconfig(path: string, o: KubeconfigOptions): void {
  writeFileSync(path, kubeconfigYaml(o), { mode: 0o600 });
}
