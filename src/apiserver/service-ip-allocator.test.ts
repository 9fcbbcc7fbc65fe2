import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Service } from 'kubernetes-types/core/v1.js';
import { MemoryStore } from '../store/memory-store.ts';
import { NodePortAllocator } from './node-port-allocator.ts';
import { parseCidr, ServiceIpAllocator } from './service-ip-allocator.ts';
import { ServiceNetwork } from './service-network.ts';

/** A deterministic "random" source: always the start of the band. */
const first = (): number => 0;

describe('ClusterIP allocator', () => {
  test('the range excludes the network and broadcast addresses; the first address is .1', () => {
    const a = new ServiceIpAllocator('10.96.0.0/16', first);
    assert.equal(a.size, 65534);
    assert.equal(a.first(), '10.96.0.1');
    assert.equal(a.contains('10.96.0.0'), false);
    assert.equal(a.contains('10.96.255.255'), false);
    assert.equal(a.contains('10.96.255.254'), true);
    assert.equal(parseCidr('10.96.3.4/16').text, '10.96.0.0/16');
    assert.throws(() => parseCidr('10.96.0.0'), /invalid service CIDR/);
  });

  test('dynamic allocation starts above the static band (256 addresses of a /16)', () => {
    const a = new ServiceIpAllocator('10.96.0.0/16', first);
    assert.equal(a.allocateNext(), '10.96.1.1');
    assert.equal(a.allocateNext(), '10.96.1.2');
  });

  test('a small range fills the upper band, then the lower one, then is full', () => {
    const a = new ServiceIpAllocator('10.0.0.0/27', first); // 30 addresses, static band 16
    const got = Array.from({ length: 30 }, () => a.allocateNext());
    assert.equal(got[0], '10.0.0.17');
    assert.equal(got[14], '10.0.0.1');
    assert.equal(new Set(got).size, 30);
    assert.throws(() => a.allocateNext(), /range is full/);
    a.release('10.0.0.5');
    assert.equal(a.allocateNext(), '10.0.0.5');
  });

  test('requested addresses: taken, out of range, released', () => {
    const a = new ServiceIpAllocator('10.96.0.0/16');
    a.allocate('10.96.0.10');
    assert.throws(() => a.allocate('10.96.0.10'), { message: 'provided IP is already allocated' });
    assert.throws(() => a.allocate('10.0.0.1'), {
      message: 'the provided IP (10.0.0.1) is not in the valid range. The range of valid IPs is 10.96.0.0/16',
    });
    a.release('10.96.0.10');
    a.allocate('10.96.0.10');
    assert.deepEqual(a.allocated(), ['10.96.0.10']);
  });
});

describe('NodePort allocator', () => {
  test('30000-32767; requested ports checked; random ports above the static band', () => {
    const p = new NodePortAllocator(undefined, first);
    assert.equal(p.rangeText, '30000-32767');
    assert.equal(p.allocateNext(), 30086); // static band: min(max(16, 2768/32), 128) = 86
    p.allocate(30080);
    assert.throws(() => p.allocate(30080), { message: 'provided port is already allocated' });
    assert.throws(() => p.allocate(8080), {
      message: 'provided port is not in the valid range. The range of valid ports is 30000-32767',
    });
    p.release(30080);
    p.allocate(30080);
  });
});

const svc = (name: string, clusterIP: string, nodePort?: number): Service => ({
  metadata: { name, namespace: 'default' },
  spec: {
    type: nodePort ? 'NodePort' : 'ClusterIP',
    clusterIP,
    clusterIPs: [clusterIP],
    ports: [{ port: 80, ...(nodePort ? { nodePort } : {}) }],
  },
});

describe('ServiceNetwork', () => {
  test('rebuilt from the stored Services (a restart), then kept current by the store', () => {
    const store = new MemoryStore();
    const key = (name: string) => ({ resource: 'services', namespace: 'default', name });
    store.create(key('a'), svc('a', '10.96.0.1'));
    store.create(key('b'), svc('b', '10.96.5.5', 30080));
    const net = new ServiceNetwork(store);
    assert.equal(net.ips.isAllocated('10.96.0.1'), true);
    assert.equal(net.ips.isAllocated('10.96.5.5'), true);
    assert.equal(net.nodePorts.isAllocated(30080), true);
    // Written straight to the store (as the DNS component writes kube-dns): held as well.
    store.create(key('dns'), svc('dns', '10.96.0.10'));
    assert.equal(net.ips.isAllocated('10.96.0.10'), true);
    // Deleted: given back.
    store.delete(key('b'));
    assert.equal(net.ips.isAllocated('10.96.5.5'), false);
    assert.equal(net.nodePorts.isAllocated(30080), false);
    // Changed from NodePort to ClusterIP: the nodePort goes back, the IP stays.
    store.create(key('c'), svc('c', '10.96.6.6', 30081));
    store.update(key('c'), svc('c', '10.96.6.6'));
    assert.equal(net.nodePorts.isAllocated(30081), false);
    assert.equal(net.ips.isAllocated('10.96.6.6'), true);
    net.close();
    store.close();
  });

  test('a reservation whose write never reached the store is given back at the next allocation', () => {
    const store = new MemoryStore();
    const net = new ServiceNetwork(store);
    net.begin();
    net.reserveIP('10.96.0.7');
    net.reservePort(30007);
    assert.equal(net.ips.isAllocated('10.96.0.7'), true);
    net.begin();
    assert.equal(net.ips.isAllocated('10.96.0.7'), false);
    assert.equal(net.nodePorts.isAllocated(30007), false);
    // A reservation the store then confirms stays.
    net.reserveIP('10.96.0.8');
    store.create({ resource: 'services', namespace: 'default', name: 'x' }, svc('x', '10.96.0.8'));
    net.begin();
    assert.equal(net.ips.isAllocated('10.96.0.8'), true);
    net.close();
    store.close();
  });
});
