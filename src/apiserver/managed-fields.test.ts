import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from './status.ts';
import { applyServerSide, recordAppliedCreate, recordManagedFields } from './managed-fields.ts';
import { podPatchMeta } from './patch/patch-meta.ts';
import type { ApiObject } from './meta.ts';

const base = { apiVersion: 'v1', patchMeta: podPatchMeta, time: '2026-01-01T00:00:00Z' };
const gr = { group: '', resource: 'pods' };

const pod = (labels: Record<string, string>, image = 'i:1'): ApiObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'default', uid: 'u', resourceVersion: '5', labels },
  spec: { containers: [{ name: 'c', image }] },
  status: { phase: 'Running' },
});

describe('managedFields', () => {
  test('a create owns every field it set except system metadata and status', () => {
    const o = recordManagedFields(undefined, pod({ a: '1' }), {
      ...base,
      manager: 'kubectl-create',
      operation: 'Update',
    });
    const [entry] = o.metadata?.managedFields ?? [];
    assert.equal(entry?.manager, 'kubectl-create');
    assert.equal(entry?.operation, 'Update');
    assert.deepEqual(entry?.fieldsV1, {
      'f:metadata': { 'f:labels': { 'f:a': {} } },
      'f:spec': { 'f:containers': { 'k:{"name":"c"}': { '.': {}, 'f:image': {}, 'f:name': {} } } },
    });
  });

  test('an update moves the fields it changed to its manager', () => {
    const created = recordManagedFields(undefined, pod({ a: '1' }), {
      ...base,
      manager: 'one',
      operation: 'Update',
    });
    const changed = { ...created, metadata: { ...created.metadata, labels: { a: '2', b: '1' } } };
    const o = recordManagedFields(created, changed, { ...base, manager: 'two', operation: 'Update' });
    const fieldsOf = (m: string): string =>
      JSON.stringify(o.metadata?.managedFields?.find((e) => e.manager === m)?.fieldsV1 ?? null);
    assert.equal(fieldsOf('two'), JSON.stringify({ 'f:metadata': { 'f:labels': { 'f:a': {}, 'f:b': {} } } }));
    assert.equal(fieldsOf('one').includes('f:a'), false);
  });

  test('apply: multiple conflicts are listed per manager; force takes the fields', () => {
    const current = recordManagedFields(undefined, pod({ a: '1', b: '1' }), {
      ...base,
      manager: 'other',
      operation: 'Update',
    });
    const config = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { a: '2', b: '2' } } };
    assert.throws(
      () => applyServerSide(current, config, { ...base, manager: 'me', force: false, gr, name: 'p' }),
      (err: unknown) =>
        err instanceof ApiError &&
        err.code === 409 &&
        err.status.message ===
          'Apply failed with 2 conflicts: conflicts with "other" using v1:\n- .metadata.labels.a\n- .metadata.labels.b' &&
        err.status.details?.causes?.length === 2,
    );
    const forced = applyServerSide(current, config, { ...base, manager: 'me', force: true, gr, name: 'p' });
    assert.deepEqual(forced.metadata?.labels, { a: '2', b: '2' });
    const me = forced.metadata?.managedFields?.find((e) => e.manager === 'me');
    assert.equal(me?.operation, 'Apply');
  });

  test('apply of an unchanged value shares ownership without a conflict; a dropped field is removed', () => {
    const created = recordAppliedCreate(
      pod({ a: '1', b: '1' }),
      { metadata: { labels: { a: '1', b: '1' } } },
      { ...base, manager: 'me' },
    );
    const again = applyServerSide(
      created,
      { metadata: { labels: { a: '1' } } },
      { ...base, manager: 'me', force: false, gr, name: 'p' },
    );
    assert.deepEqual(again.metadata?.labels, { a: '1' });
    assert.equal(again.metadata?.resourceVersion, '5');
  });
});
