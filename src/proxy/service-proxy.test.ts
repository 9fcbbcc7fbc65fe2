import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MemoryStore } from '../store/memory-store.ts';
import { FakeClock } from '../testing/fake-clock.ts';
import { chainNames } from './chain-names.ts';
import { FakeIptables } from './fake-iptables.ts';
import { ServiceProxy, cleanupRules } from './service-proxy.ts';
import type { Sysctl } from './sysctl.ts';
import { service, slice } from './test-objects.ts';

function fakeSysctl(values: Record<string, string>): Sysctl & { values: Record<string, string> } {
  return {
    values,
    read: (n) => values[n],
    write: (n, v) => {
      values[n] = v;
    },
  };
}

function setup(sysctlValues: Record<string, string> = {}) {
  const store = new MemoryStore();
  const clock = new FakeClock();
  const iptables = new FakeIptables();
  const sysctl = fakeSysctl(sysctlValues);
  const logs: string[] = [];
  const proxy = new ServiceProxy({
    store,
    clock,
    iptables,
    sysctl,
    network: {
      serviceCidr: '10.96.0.0/16',
      podCidr: '10.87.0.0/16',
      bridge: 'nodelet0',
      nodePortAddresses: ['10.87.0.1', '127.0.0.1'],
    },
    instance: '/var/lib/nodelet',
    minSyncMs: 100,
    retryMs: 1000,
    log: (l) => logs.push(l),
  });
  return { store, clock, iptables, sysctl, proxy, logs };
}

const webKey = { resource: 'services', namespace: 'default', name: 'web' };
const sliceKey = { resource: 'endpointslices', namespace: 'default', name: 'web-abcde' };
const WEB = service('web', { clusterIP: '10.96.0.20', ports: [{ port: 80 }] });
const C = chainNames('/var/lib/nodelet');
const P = C.prefix;
const svcChain = C.service('default/web', 'TCP');

describe('ServiceProxy', () => {
  test('start writes the rules and the jumps; a change is synced after minSyncMs, bursts folded', async () => {
    const { store, clock, iptables, proxy } = setup();
    store.create(webKey, WEB);
    await proxy.start();
    assert.equal(proxy.writes, 1);
    assert.ok(iptables.rules('nat', 'PREROUTING').some((r) => r.includes(`-j ${C.services}`)));
    assert.ok(iptables.rules('nat', 'OUTPUT').some((r) => r.includes(`-j ${C.services}`)));
    assert.ok(iptables.rules('nat', 'POSTROUTING').some((r) => r.includes(`-j ${C.postrouting}`)));
    assert.ok(iptables.rules('filter', C.services).some((r) => r.includes('default/web has no endpoints')));

    store.create(sliceKey, slice('web', [{ port: 80 }], [{ ip: '10.87.0.5' }]));
    store.update(sliceKey, slice('web', [{ port: 80 }], [{ ip: '10.87.0.5' }, { ip: '10.87.0.6' }]));
    await clock.advance(99);
    assert.equal(proxy.writes, 1);
    await clock.advance(1);
    assert.equal(proxy.writes, 2);
    assert.equal(iptables.rules('nat', svcChain).filter((r) => r.includes('-> 10.87.0.')).length, 2);
    assert.ok(!iptables.rules('filter', C.services).some((r) => r.includes('default/web has no endpoints')));
    await proxy.stop();
  });

  test('nothing changed, nothing written; the jumps are added once', async () => {
    const { store, clock, iptables, proxy } = setup();
    store.create(webKey, WEB);
    await proxy.start();
    const restores = iptables.restores.length;
    // An update that changes nothing the rules depend on (a label).
    store.update(webKey, { ...WEB, metadata: { ...WEB.metadata, labels: { a: 'b' } } });
    await clock.advance(200);
    await proxy.sync();
    await proxy.sync();
    assert.equal(proxy.writes, 1);
    assert.equal(iptables.restores.length, restores);
    assert.equal(iptables.rules('nat', 'PREROUTING').length, 1);
    await proxy.stop();
  });

  test('a readiness change moves the endpoint in and out', async () => {
    const { store, clock, iptables, proxy } = setup();
    store.create(webKey, WEB);
    store.create(sliceKey, slice('web', [{ port: 80 }], [{ ip: '10.87.0.5' }, { ip: '10.87.0.6' }]));
    await proxy.start();
    const dnats = (): string[] =>
      iptables
        .chains('nat', `${P}SEP-`)
        .flatMap((c) => iptables.rules('nat', c))
        .map((r) => /--to-destination (\S+)/.exec(r)?.[1] ?? '')
        .filter(Boolean)
        .sort();
    assert.deepEqual(dnats(), ['10.87.0.5:80', '10.87.0.6:80']);
    store.update(
      sliceKey,
      slice('web', [{ port: 80 }], [{ ip: '10.87.0.5' }, { ip: '10.87.0.6', ready: false }]),
    );
    await clock.advance(100);
    // The stale endpoint's chain is deleted, not left empty.
    assert.deepEqual(dnats(), ['10.87.0.5:80']);
    assert.equal(iptables.chains('nat', `${P}SEP-`).length, 1);
    store.update(
      sliceKey,
      slice('web', [{ port: 80 }], [{ ip: '10.87.0.5' }, { ip: '10.87.0.6', ready: true }]),
    );
    await clock.advance(100);
    assert.deepEqual(dnats(), ['10.87.0.5:80', '10.87.0.6:80']);
    await proxy.stop();
  });

  test('deleting the Service removes its chains', async () => {
    const { store, clock, iptables, proxy } = setup();
    store.create(webKey, WEB);
    store.create(sliceKey, slice('web', [{ port: 80 }], [{ ip: '10.87.0.5' }]));
    await proxy.start();
    assert.ok(iptables.chains('nat').includes(svcChain));
    store.delete(webKey);
    await clock.advance(100);
    assert.deepEqual(iptables.chains('nat'), [C.markMasq, C.nodePorts, C.postrouting, C.services]);
    assert.ok(!iptables.rules('nat', C.services).some((r) => r.includes('default/web')));
    await proxy.stop();
  });

  test('stop leaves the rules (pods keep their services across a restart); a new proxy takes them over', async () => {
    const { store, iptables, proxy, sysctl } = setup();
    store.create(webKey, WEB);
    store.create(sliceKey, slice('web', [{ port: 80 }], [{ ip: '10.87.0.5' }]));
    await proxy.start();
    await proxy.stop();
    assert.ok(iptables.chains('nat').includes(svcChain));

    // The next start (another process) finds the old chains and rewrites them, one jump each.
    store.delete(sliceKey);
    const next = new ServiceProxy({
      store,
      clock: new FakeClock(),
      iptables,
      sysctl,
      instance: '/var/lib/nodelet',
      network: {
        serviceCidr: '10.96.0.0/16',
        podCidr: '10.87.0.0/16',
        bridge: 'nodelet0',
        nodePortAddresses: [],
      },
    });
    await next.start();
    assert.ok(!iptables.chains('nat').includes(svcChain));
    assert.equal(iptables.rules('nat', 'PREROUTING').length, 1);
    await next.stop();
  });

  test('two nodes on one machine keep their own chains; one cleaning up leaves the other', async () => {
    const a = setup();
    a.store.create(webKey, WEB);
    a.store.create(sliceKey, slice('web', [{ port: 80 }], [{ ip: '10.87.0.5' }]));
    const otherStore = new MemoryStore();
    otherStore.create(webKey, { ...WEB, spec: { ...WEB.spec, clusterIP: '10.96.0.99' } });
    const b = new ServiceProxy({
      store: otherStore,
      clock: a.clock,
      iptables: a.iptables,
      sysctl: a.sysctl,
      instance: '/tmp/other-node',
      network: {
        serviceCidr: '10.96.0.0/16',
        podCidr: '10.87.0.0/16',
        bridge: 'nodelet0',
        nodePortAddresses: [],
      },
    });
    await a.proxy.start();
    await b.start();
    assert.ok(a.iptables.chains('nat').includes(svcChain));
    assert.ok(a.iptables.rules('filter', b.chains.services).some((r) => r.includes('10.96.0.99')));
    assert.equal(a.iptables.rules('nat', 'PREROUTING').length, 2);
    await b.cleanup();
    assert.ok(a.iptables.chains('nat').includes(svcChain));
    assert.deepEqual(a.iptables.chains('nat', b.chains.prefix), []);
    assert.deepEqual(a.iptables.rules('nat', 'PREROUTING'), [
      `-A PREROUTING -m comment --comment nodelet ${C.tag} service portals -j ${C.services}`,
    ]);
    await a.proxy.stop();
  });

  test('cleanup removes the jumps and every chain of ours, and leaves the rest', async () => {
    const { store, iptables, proxy } = setup();
    iptables.tables.nat.set('NETAVARK-HOSTPORT-DNAT', ['-A NETAVARK-HOSTPORT-DNAT -j RETURN']);
    iptables.tables.nat.get('PREROUTING')?.push('-A PREROUTING -j NETAVARK-HOSTPORT-DNAT');
    store.create(webKey, {
      ...WEB,
      spec: { ...WEB.spec, type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] },
    });
    store.create(sliceKey, slice('web', [{ port: 80 }], [{ ip: '10.87.0.5' }]));
    await proxy.start();
    await proxy.cleanup();
    assert.deepEqual(iptables.chains('nat'), []);
    assert.deepEqual(iptables.chains('filter'), []);
    for (const t of ['nat', 'filter'] as const)
      for (const c of iptables.tables[t].keys())
        assert.ok(!iptables.rules(t, c).some((r) => r.includes('NODELET')), `${t} ${c}`);
    assert.deepEqual(iptables.rules('nat', 'PREROUTING'), ['-A PREROUTING -j NETAVARK-HOSTPORT-DNAT']);
    // Idempotent: cleaning a clean machine is fine.
    await cleanupRules(iptables);
  });

  test('a failed write is retried', async () => {
    const { store, clock, iptables, proxy, logs } = setup();
    await proxy.start();
    iptables.failNext = 'iptables-restore failed (exit 2): boom';
    store.create(webKey, WEB);
    await clock.advance(100);
    assert.equal(proxy.writes, 1);
    assert.ok(logs.some((l) => l.includes('boom; retrying')));
    await clock.advance(1000);
    assert.equal(proxy.writes, 2);
    assert.ok(iptables.chains('filter').includes(C.services));
    await proxy.stop();
  });

  test('chains removed from outside are rewritten at the next canary check', async () => {
    const { store, clock, iptables, proxy, logs } = setup();
    store.create(webKey, WEB);
    store.create(sliceKey, slice('web', [{ port: 80 }], [{ ip: '10.87.0.5' }]));
    await proxy.start();
    await cleanupRules(iptables);
    assert.deepEqual(iptables.chains('nat'), []);
    await clock.advance(10_000);
    assert.ok(logs.some((l) => l.includes('removed from outside')));
    assert.ok(iptables.chains('nat').includes(svcChain));
    assert.equal(iptables.rules('nat', 'PREROUTING').length, 1);
    assert.equal(proxy.writes, 2);
    // Still there: the next checks write nothing.
    await clock.advance(30_000);
    assert.equal(proxy.writes, 2);
    await proxy.stop();
    assert.equal(clock.timers, 0);
  });

  test('sets bridge-nf-call-iptables and route_localnet when off; says when br_netfilter is missing', async () => {
    const a = setup({ 'net/bridge/bridge-nf-call-iptables': '0', 'net/ipv4/conf/all/route_localnet': '0' });
    await a.proxy.start();
    assert.deepEqual(a.sysctl.values, {
      'net/bridge/bridge-nf-call-iptables': '1',
      'net/ipv4/conf/all/route_localnet': '1',
    });
    await a.proxy.stop();
    const b = setup({ 'net/ipv4/conf/all/route_localnet': '1' });
    await b.proxy.start();
    assert.ok(b.logs.some((l) => l.includes('modprobe br_netfilter')));
    assert.deepEqual(b.sysctl.values, { 'net/ipv4/conf/all/route_localnet': '1' });
    await b.proxy.stop();
  });
});
