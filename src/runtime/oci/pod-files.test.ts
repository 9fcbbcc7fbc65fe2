import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolvConfFromDns } from './pod-files.ts';

test('the sandbox DNSConfig as resolv.conf: search, nameservers, options, as containerd writes it', () => {
  assert.equal(
    resolvConfFromDns({
      servers: ['10.96.0.10'],
      searches: ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local'],
      options: ['ndots:5'],
    }),
    'search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n',
  );
  assert.equal(
    resolvConfFromDns({ servers: ['1.1.1.1', '8.8.8.8'], searches: [], options: [] }),
    'nameserver 1.1.1.1\nnameserver 8.8.8.8\n',
  );
  assert.equal(resolvConfFromDns({ servers: [], searches: [], options: [] }), '');
});
