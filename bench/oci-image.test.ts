import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { BENCH_IMAGE, dockerArchiveFiles } from './oci-image.ts';

test('the docker save files: one layer by diff ID, the config named by its digest, the tag', () => {
  const sha = 'a'.repeat(64);
  const f = dockerArchiveFiles(sha);
  const config = JSON.parse(f.config) as {
    rootfs: { diff_ids: string[] };
    os: string;
    config: { Cmd: string[] };
  };
  assert.deepEqual(config.rootfs.diff_ids, [`sha256:${sha}`]);
  assert.equal(config.os, 'linux');
  assert.deepEqual(config.config.Cmd, ['sh']);
  assert.equal(f.configName, `${createHash('sha256').update(f.config).digest('hex')}.json`);
  assert.deepEqual(JSON.parse(f.manifest), [
    { Config: f.configName, RepoTags: [BENCH_IMAGE], Layers: ['layer.tar'] },
  ]);
});
