// The pod's DNS config through the whole Kubelet on the fake runtime: the sandbox is asked for with
// the DNSConfig dnsPolicy gives, and a config over the resolver's limits is cut with the kubelet's
// DNSConfigForming warning on the pod.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PodSandboxConfig } from '../runtime/runtime.ts';
import { ctr, fakeNode, makePod } from '../testing/kubelet-harness.ts';

test('the sandbox gets ClusterFirst’s DNSConfig; too many nameservers are cut with a DNSConfigForming event', async () => {
  const n = fakeNode();
  const seen: PodSandboxConfig[] = [];
  const run = n.runtime.runPodSandbox.bind(n.runtime);
  n.runtime.runPodSandbox = (config, signal) => {
    seen.push(config);
    return run(config, signal);
  };
  try {
    n.h.create(
      makePod('p', {
        containers: [ctr('app')],
        dnsConfig: {
          nameservers: ['1.1.1.1', '2.2.2.2', '3.3.3.3'],
          options: [{ name: 'ndots', value: '2' }],
        },
      }),
    );
    await n.advance(1000);
    const dns = seen[0]?.dns;
    assert.deepEqual(dns?.servers, ['10.96.0.10', '1.1.1.1', '2.2.2.2']);
    assert.deepEqual(dns?.searches.slice(0, 3), [
      'default.svc.cluster.local',
      'svc.cluster.local',
      'cluster.local',
    ]);
    assert.deepEqual(dns?.options, ['ndots:2']);
    assert.ok(
      n.h
        .eventLines('p')
        .includes(
          'Warning DNSConfigForming - Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: 10.96.0.10 1.1.1.1 2.2.2.2',
        ),
      n.h.eventLines('p').join('\n'),
    );
  } finally {
    await n.h.stop();
  }
});
