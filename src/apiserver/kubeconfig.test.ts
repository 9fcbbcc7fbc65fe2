import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { kubeconfigYaml, serverUrl } from './kubeconfig.ts';

test('wildcard listen addresses become loopback URLs; IPv6 is bracketed', () => {
  assert.equal(serverUrl('127.0.0.1', 6443), 'https://127.0.0.1:6443');
  assert.equal(serverUrl('0.0.0.0', 1), 'https://127.0.0.1:1');
  assert.equal(serverUrl('::', 2), 'https://[::1]:2');
  assert.equal(serverUrl('::1', 3), 'https://[::1]:3');
  assert.equal(serverUrl('localhost', 4), 'https://localhost:4');
});

test('the kubeconfig names the server, the CA and the token; names stay strings under YAML 1.1', () => {
  const text = kubeconfigYaml({ server: 'https://127.0.0.1:6443', caPem: 'PEM', token: 'tok', name: 'no' });
  const kc = parse(text, { version: '1.1' }) as {
    'current-context': string;
    clusters: { name: string; cluster: { server: string; 'certificate-authority-data': string } }[];
    users: { user: { token: string } }[];
    contexts: { context: { namespace: string } }[];
  };
  assert.equal(kc['current-context'], 'no');
  assert.equal(kc.clusters[0]?.name, 'no');
  assert.equal(kc.clusters[0]?.cluster.server, 'https://127.0.0.1:6443');
  assert.equal(
    Buffer.from(kc.clusters[0]?.cluster['certificate-authority-data'] ?? '', 'base64').toString(),
    'PEM',
  );
  assert.equal(kc.users[0]?.user.token, 'tok');
  assert.equal(kc.contexts[0]?.context.namespace, 'default');
});
