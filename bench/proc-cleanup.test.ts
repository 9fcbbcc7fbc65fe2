import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mentions } from './proc-cleanup.ts';

test('a process belongs to the node when its command line or environment mentions the node directory', () => {
  const m = '/tmp/nodelet-bench-abc123';
  assert.equal(mentions('/usr/bin/conmon\0-b\0/tmp/nodelet-bench-abc123/data/x\0', '', m), true);
  assert.equal(
    mentions('busybox\0httpd\0', 'PATH=/bin\0NODELET_X=/tmp/nodelet-bench-abc123/pods/1\0', m),
    true,
  );
  assert.equal(mentions('busybox\0httpd\0', 'PATH=/bin\0', m), false);
  assert.equal(mentions('/tmp/nodelet-bench-abc12\0', '', m), false);
});
