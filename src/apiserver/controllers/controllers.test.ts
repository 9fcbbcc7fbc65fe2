import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Event, Node, Pod } from 'kubernetes-types/core/v1.js';
import { MemoryStore } from '../../store/memory-store.ts';
import type { StoredObject } from '../../store/store.ts';
import { FakeClock } from '../../testing/fake-clock.ts';
import { ensureSystemNamespaces, namespaceObject } from '../bootstrap.ts';
import { rfc3339 } from '../meta.ts';
import { EventTtl } from './event-ttl.ts';
import { NamespaceController } from './namespace-controller.ts';
import { NodeStatusWriter, NODE_STATUS_REPORT_MS } from './node-status.ts';

describe('node status', () => {
  test('registers the node, renews its lease every 10 s, reports status on change or every 5 min', async () => {
    const clock = new FakeClock();
    const store = new MemoryStore();
    ensureSystemNamespaces(store, clock);
    const w = new NodeStatusWriter({
      store,
      clock,
      nodeName: 'n1',
      internalIP: '127.0.0.1',
      kubeletVersion: 'v1.32.4',
      containerRuntimeVersion: 'process://0.1.0',
    });
    const nodeWrites: string[] = [];
    const leaseWrites: string[] = [];
    store.watch('nodes', {}, (e) => nodeWrites.push(e.type));
    store.watch('leases', {}, (e) => leaseWrites.push(e.type));
    w.start();
    const node = store.get<Node>({ resource: 'nodes', namespace: '', name: 'n1' });
    assert.equal(node?.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
    assert.equal(node?.status?.nodeInfo?.kubeletVersion, 'v1.32.4');
    assert.deepEqual(node?.status?.addresses?.[0], { type: 'InternalIP', address: '127.0.0.1' });
    assert.equal(node?.metadata?.labels?.['kubernetes.io/hostname'], 'n1');
    await clock.advance(30_000);
    assert.equal(leaseWrites.length, 4, 'created, then renewed at 10, 20 and 30 s');
    assert.equal(nodeWrites.length, 1, 'an unchanged status is not rewritten before the report period');
    await clock.advance(NODE_STATUS_REPORT_MS);
    assert.ok(nodeWrites.length >= 2);
    const lease = store.get<StoredObject & { spec: { holderIdentity: string; renewTime: string } }>({
      resource: 'leases',
      namespace: 'kube-node-lease',
      name: 'n1',
    });
    assert.equal(lease?.spec.holderIdentity, 'n1');
    assert.match(lease?.spec.renewTime ?? '', /\.\d{6}Z$/);
    w.stop();
    const stopped = store.get<Node>({ resource: 'nodes', namespace: '', name: 'n1' });
    assert.equal(stopped?.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'Unknown');
    assert.equal(clock.timers, 0);
  });
});

describe('namespace controller', () => {
  test('deleting a namespace deletes its pods gracefully and its events, then the namespace', () => {
    const clock = new FakeClock();
    const store = new MemoryStore();
    const nsKey = { resource: 'namespaces', namespace: '', name: 'team' };
    store.create(nsKey, namespaceObject('team', clock.now(), 'u'));
    const podKey = { resource: 'pods', namespace: 'team', name: 'p' };
    store.create<Pod>(podKey, {
      metadata: { name: 'p', namespace: 'team', uid: 'pu' },
      spec: { nodeName: 'n1', terminationGracePeriodSeconds: 7, containers: [{ name: 'c' }] },
      status: { phase: 'Running' },
    });
    store.create(
      { resource: 'pods', namespace: 'team', name: 'unscheduled' },
      {
        metadata: { name: 'unscheduled', namespace: 'team' },
        spec: { containers: [] },
      },
    );
    store.create<Event>(
      { resource: 'events', namespace: 'team', name: 'e' },
      { metadata: { name: 'e', namespace: 'team' }, involvedObject: {} },
    );
    const c = new NamespaceController(store, clock);
    c.start();
    const ns = store.get(nsKey);
    store.update(nsKey, { ...ns, metadata: { ...ns?.metadata, deletionTimestamp: rfc3339(clock.now()) } });
    const pod = store.get<Pod>(podKey);
    assert.equal(pod?.metadata?.deletionGracePeriodSeconds, 7, 'the running pod gets its grace period');
    assert.equal(store.get({ resource: 'pods', namespace: 'team', name: 'unscheduled' }), undefined);
    assert.equal(store.list('events', { namespace: 'team' }).items.length, 0);
    assert.ok(store.get(nsKey), 'the namespace waits for its pods');
    store.delete(podKey); // the kubelet's final delete
    assert.equal(store.get(nsKey), undefined);
    c.stop();
  });
});

describe('event TTL', () => {
  test('events not seen for an hour are removed', async () => {
    const clock = new FakeClock();
    const store = new MemoryStore();
    const ev = (name: string, at: number): Event => ({
      metadata: { name, namespace: 'default', creationTimestamp: rfc3339(at) },
      involvedObject: {},
      lastTimestamp: rfc3339(at),
    });
    store.create(
      { resource: 'events', namespace: 'default', name: 'old' },
      ev('old', clock.now() - 2 * 3600_000),
    );
    store.create({ resource: 'events', namespace: 'default', name: 'new' }, ev('new', clock.now()));
    const ttl = new EventTtl(store, clock);
    ttl.start();
    assert.deepEqual(
      store.list('events').items.map((e) => e.metadata?.name),
      ['new'],
    );
    await clock.advance(3600_000 + 60_000);
    assert.equal(store.list('events').items.length, 0);
    ttl.stop();
  });
});
