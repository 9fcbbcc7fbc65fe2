import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodedObject, withTypeMeta } from './object-encoding.ts';
import { eventsV1, pods } from './resources.ts';

test('withTypeMeta puts the served kind and apiVersion first, over what the object carried', () => {
  const typed = withTypeMeta(eventsV1, { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e' } });
  assert.deepEqual(Object.keys(typed), ['kind', 'apiVersion', 'metadata']);
  assert.deepEqual([typed.kind, typed.apiVersion], ['Event', 'events.k8s.io/v1']);
});

test('encodedObject is the JSON of the typed object; a frozen object keeps its text per resource', () => {
  const frozen = Object.freeze({ metadata: Object.freeze({ name: 'p', labels: Object.freeze({ a: '1' }) }) });
  const text = encodedObject(pods, frozen);
  assert.equal(text, JSON.stringify(withTypeMeta(pods, frozen)));
  assert.equal(encodedObject(pods, frozen), text);
  // The same stored object served as another resource gets that resource's kind.
  assert.match(encodedObject(eventsV1, frozen), /^\{"kind":"Event","apiVersion":"events\.k8s\.io\/v1"/);
  assert.equal(encodedObject(pods, frozen), text);
});

test('encodedObject does not remember an object that can still change', () => {
  const open = { metadata: { name: 'p' } };
  assert.match(encodedObject(pods, open), /"name":"p"/);
  open.metadata.name = 'q';
  assert.match(encodedObject(pods, open), /"name":"q"/);
});
