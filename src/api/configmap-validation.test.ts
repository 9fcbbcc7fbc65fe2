import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigMap, Secret } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import {
  applySecretDefaults,
  MAX_DATA_SIZE,
  validateConfigMap,
  validateConfigMapUpdate,
  validateSecret,
  validateSecretUpdate,
} from './configmap-validation.ts';
import {
  applyEndpointSliceDefaults,
  applyEndpointsDefaults,
  validateEndpointSlice,
  validateEndpoints,
} from './endpoints-validation.ts';
import { validateRuntimeClass, validateRuntimeClassUpdate } from './runtimeclass-validation.ts';

const strings = (errs: { toString(): string }[]): string[] => errs.map((e) => e.toString());
const meta = { name: 'cfg', namespace: 'default', resourceVersion: '1' };
const KEY_MSG = `a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`;

describe('ConfigMap', () => {
  test('keys must be config keys; data and binaryData may not share a key', () => {
    const cm: ConfigMap = { metadata: meta, data: { 'a b': 'x', k: 'v' }, binaryData: { k: 'dg==' } };
    assert.deepEqual(strings(validateConfigMap(cm)), [
      `data[a b]: Invalid value: "a b": ${KEY_MSG}`,
      'data[k]: Invalid value: "k": duplicate of key present in binaryData',
      'binaryData[k]: Invalid value: "k": duplicate of key present in data',
    ]);
  });

  test('1 MiB in total', () => {
    const cm: ConfigMap = { metadata: meta, data: { a: 'x'.repeat(MAX_DATA_SIZE), b: 'y' } };
    assert.deepEqual(strings(validateConfigMap(cm)), ['[]: Too long: may not be more than 1048576 bytes']);
    assert.deepEqual(
      strings(validateConfigMap({ metadata: meta, data: { a: 'x'.repeat(MAX_DATA_SIZE) } })),
      [],
    );
  });

  test('an immutable ConfigMap keeps its data and stays immutable', () => {
    const old: ConfigMap = { metadata: meta, data: { a: '1' }, immutable: true };
    assert.deepEqual(strings(validateConfigMapUpdate({ ...old, data: { a: '2' } }, old)), [
      'data: Forbidden: field is immutable when `immutable` is set',
    ]);
    assert.deepEqual(strings(validateConfigMapUpdate({ ...old, immutable: false }, old)), [
      'immutable: Forbidden: field is immutable when `immutable` is set',
    ]);
    assert.deepEqual(
      strings(validateConfigMapUpdate({ ...old, metadata: { ...meta, labels: { a: 'b' } } }, old)),
      [],
    );
  });
});

describe('Secret', () => {
  test('stringData is merged into data (winning) and dropped; the type defaults to Opaque', () => {
    const s = applySecretDefaults({ metadata: meta, data: { a: 'eA==', b: 'eQ==' }, stringData: { b: 'z' } });
    assert.deepEqual(s, { metadata: meta, type: 'Opaque', data: { a: 'eA==', b: 'eg==' } });
  });

  test('typed Secrets need their keys', () => {
    assert.deepEqual(
      strings(validateSecret({ metadata: meta, type: 'kubernetes.io/tls', data: { 'tls.crt': '' } })),
      ['data[tls.key]: Required value'],
    );
    assert.deepEqual(
      strings(validateSecret({ metadata: meta, type: 'kubernetes.io/basic-auth', data: {} })),
      ['data[username]: Required value', 'data[password]: Required value'],
    );
    assert.deepEqual(
      strings(
        validateSecret({
          metadata: meta,
          type: 'kubernetes.io/dockerconfigjson',
          data: { '.dockerconfigjson': Buffer.from('{}').toString('base64') },
        }),
      ),
      [],
    );
  });

  test('data size counts decoded bytes; the type never changes', () => {
    const big = Buffer.alloc(MAX_DATA_SIZE + 1).toString('base64');
    assert.deepEqual(strings(validateSecret({ metadata: meta, type: 'Opaque', data: { a: big } })), [
      'data: Too long: may not be more than 1048576 bytes',
    ]);
    const old: Secret = { metadata: meta, type: 'Opaque', data: {} };
    assert.deepEqual(
      strings(
        validateSecretUpdate(
          { ...old, type: 'kubernetes.io/tls', data: { 'tls.crt': '', 'tls.key': '' } },
          old,
        ),
      ),
      ['type: Invalid value: "kubernetes.io/tls": field is immutable'],
    );
  });
});

describe('Endpoints and EndpointSlices', () => {
  test('ports default to TCP; addresses are valid and not loopback', () => {
    const ep = applyEndpointsDefaults({
      metadata: meta,
      subsets: [{ addresses: [{ ip: '127.0.0.1' }, { ip: 'x' }], ports: [{ port: 80 }] }],
    });
    assert.equal(ep.subsets?.[0]?.ports?.[0]?.protocol, 'TCP');
    assert.deepEqual(strings(validateEndpoints(ep)), [
      'subsets[0].addresses[0].ip: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
      'subsets[0].addresses[1].ip: Invalid value: "x": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
    ]);
    assert.deepEqual(strings(validateEndpoints({ metadata: meta, subsets: [{}] })), [
      'subsets[0]: Required value: must specify `addresses` or `notReadyAddresses`',
    ]);
  });

  test('EndpointSlices: address type, at least one address, unique port names', () => {
    const slice = applyEndpointSliceDefaults({
      metadata: meta,
      addressType: 'IPv4',
      endpoints: [{ addresses: [] }, { addresses: ['10.87.0.5'] }],
      ports: [{ port: 80 }, { port: 81 }],
    });
    assert.deepEqual(slice.ports?.[0], { port: 80, name: '', protocol: 'TCP' });
    assert.deepEqual(strings(validateEndpointSlice(slice)), [
      'endpoints[0].addresses: Required value: must contain at least 1 address',
      'ports[1].name: Duplicate value: ""',
    ]);
    assert.deepEqual(
      strings(validateEndpointSlice({ metadata: meta, addressType: 'IPX' } as EndpointSlice)),
      ['addressType: Unsupported value: "IPX": supported values: "FQDN", "IPv4", "IPv6"'],
    );
  });
});

describe('RuntimeClass', () => {
  test('a DNS-label handler that never changes', () => {
    const rc = { metadata: { name: 'oci', resourceVersion: '1' }, handler: 'oci' };
    assert.deepEqual(strings(validateRuntimeClass(rc)), []);
    assert.deepEqual(strings(validateRuntimeClass({ metadata: { name: 'x' }, handler: '' })), [
      'handler: Required value',
    ]);
    assert.deepEqual(strings(validateRuntimeClassUpdate({ ...rc, handler: 'runc' }, rc)), [
      'handler: Invalid value: "runc": field is immutable',
    ]);
  });
});
