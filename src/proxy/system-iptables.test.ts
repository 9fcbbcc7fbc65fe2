// The proxy against the real iptables tools, inside a network namespace of its own so the
// machine's rules are never touched: the restore text is accepted, stale chains go, cleanup
// leaves nothing. Needs root and iptables; says so and skips otherwise.
import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { MemoryStore } from '../store/memory-store.ts';
import { realClock } from '../util/clock.ts';
import { chainNames } from './chain-names.ts';
import { SystemIptables, iptablesUnavailable } from './iptables.ts';
import { ServiceProxy } from './service-proxy.ts';
import type { Sysctl } from './sysctl.ts';
import { service, slice } from './test-objects.ts';

const unavailable = await iptablesUnavailable();
const skip = unavailable ? `${unavailable}: skipping the real iptables tests` : false;
const netns = `nodelet-proxy-test-${randomBytes(3).toString('hex')}`;

/** iptables run inside the test's namespace (the wrapper directory puts `ip netns exec` in front). */
function netnsIptables(dir: string): SystemIptables {
  return new SystemIptables({ binDir: dir });
}

describe('SystemIptables in a network namespace', { skip }, () => {
  let dir = '';
  before(() => {
    execFileSync('ip', ['netns', 'add', netns]);
    dir = execFileSync('mktemp', ['-d']).toString().trim();
    for (const tool of ['iptables', 'iptables-save', 'iptables-restore']) {
      execFileSync('sh', [
        '-c',
        `printf '#!/bin/sh\\nexec ip netns exec ${netns} ${tool} "$@"\\n' > ${dir}/${tool} && chmod +x ${dir}/${tool}`,
      ]);
    }
  });
  after(() => {
    execFileSync('ip', ['netns', 'delete', netns]);
    if (dir) execFileSync('rm', ['-rf', dir]);
  });

  const save = (): string => execFileSync('ip', ['netns', 'exec', netns, 'iptables-save']).toString();

  test('writes, rewrites and cleans up with the real tools', async () => {
    const store = new MemoryStore();
    const key = { resource: 'services', namespace: 'default', name: 'web' };
    store.create(
      key,
      service('web', {
        type: 'NodePort',
        clusterIP: '10.96.0.20',
        sessionAffinity: 'ClientIP',
        ports: [
          { name: 'http', port: 80, nodePort: 30080 },
          { name: 'dns', port: 53, protocol: 'UDP' },
        ],
      }),
    );
    const sliceKey = { resource: 'endpointslices', namespace: 'default', name: 'web-abcde' };
    store.create(
      sliceKey,
      slice(
        'web',
        [
          { name: 'http', port: 8080 },
          { name: 'dns', port: 53, protocol: 'UDP' },
        ],
        [{ ip: '10.87.0.5' }, { ip: '10.87.0.6' }],
      ),
    );
    const sysctl: Sysctl = { read: () => '1', write: () => undefined };
    const proxy = new ServiceProxy({
      store,
      clock: realClock,
      iptables: netnsIptables(dir),
      sysctl,
      network: {
        serviceCidr: '10.96.0.0/16',
        podCidr: '10.87.0.0/16',
        bridge: 'nodelet0',
        nodePortAddresses: ['127.0.0.1'],
      },
      instance: '/var/lib/nodelet-test',
      minSyncMs: 0,
    });
    await proxy.start();
    // A failed assertion must not leave the proxy's canary timer holding the process open.
    try {
      let rules = save();
      const c = chainNames('/var/lib/nodelet-test');
      const http = c.service('default/web:http', 'TCP');
      assert.match(rules, new RegExp(`-A ${c.services} -d 10.96.0.20/32 -p tcp .*--dport 80 -j ${http}`));
      assert.match(rules, /--probability 0\.50000/);
      assert.match(rules, /-j DNAT --to-destination 10\.87\.0\.6:8080/);
      assert.match(rules, new RegExp(`-m recent --set --name ${c.prefix}SEP-`));

      store.delete(sliceKey);
      await proxy.sync();
      rules = save();
      assert.doesNotMatch(rules, new RegExp(`${c.prefix}SEP-`));
      assert.doesNotMatch(rules, new RegExp(http));
      assert.match(rules, /default\/web:http has no endpoints/);
      assert.equal(rules.match(new RegExp(`-A PREROUTING .*${c.services}`, 'g'))?.length, 1);
    } finally {
      await proxy.cleanup();
    }
    assert.doesNotMatch(save(), /NODELET/);
  });
});
