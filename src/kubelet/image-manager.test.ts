// The image manager's policy decisions, events and pull back-off, on a fake image service.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { ImageError, type ImageInfo, type ImageService } from '../runtime/image/image-service.ts';
import { FakeClock } from '../testing/fake-clock.ts';
import type { EventRecorder } from './event-recorder.ts';
import { ImageManager } from './image-manager.ts';

const info: ImageInfo = {
  id: 'sha256:cfg',
  names: ['docker.io/library/busybox:1.36'],
  repoDigests: ['docker.io/library/busybox@sha256:abc'],
  size: 1234,
  createdAt: 0,
};

function setup(opts: { present?: boolean; fail?: string }) {
  const clock = new FakeClock(0);
  const events: string[] = [];
  const recorder: EventRecorder = {
    event: (_p, _f, type, reason, message) => events.push(`${type} ${reason} ${message}`),
  };
  let pulls = 0;
  const images: ImageService = {
    imageStatus: () => Promise.resolve(opts.present ? info : undefined),
    pullImage: async () => {
      pulls++;
      await clock.sleep(1500);
      if (opts.fail) throw new ImageError('ErrImagePull', opts.fail);
      return {
        pulled: true,
        image: info,
        imageRef: info.repoDigests[0] ?? '',
        durationMs: 1500,
        size: info.size,
      };
    },
    listImages: () => Promise.resolve([]),
    removeImage: () => Promise.resolve(),
  };
  const m = new ImageManager(images, clock, recorder);
  const pod: Pod = { metadata: { name: 'p', namespace: 'default', uid: 'u1' }, spec: { containers: [] } };
  return { clock, events, m, pod, pulls: () => pulls };
}

const c = (image: string, imagePullPolicy?: string): Container => ({
  name: 'c',
  image,
  ...(imagePullPolicy ? { imagePullPolicy } : {}),
});

test('IfNotPresent with the image present: already present, no pull', async () => {
  const s = setup({ present: true });
  const r = await s.m.ensureImage(s.pod, c('busybox:1.36', 'IfNotPresent'), 'spec.containers{c}');
  assert.deepEqual(r, { ok: true, imageRef: 'docker.io/library/busybox@sha256:abc' });
  assert.deepEqual(s.events, ['Normal Pulled Container image "busybox:1.36" already present on machine']);
  assert.equal(s.pulls(), 0);
});

test('Always pulls: Pulling, then Pulled with the durations and the size', async () => {
  const s = setup({ present: true });
  const p = s.m.ensureImage(s.pod, c('busybox:1.36', 'Always'), 'f');
  await s.clock.advance(1500);
  assert.equal((await p).ok, true);
  assert.deepEqual(s.events, [
    'Normal Pulling Pulling image "busybox:1.36"',
    'Normal Pulled Successfully pulled image "busybox:1.36" in 1.5s (1.5s including waiting). Image size: 1234 bytes.',
  ]);
});

test('Never with the image absent: ErrImageNeverPull', async () => {
  const s = setup({ present: false });
  const r = await s.m.ensureImage(s.pod, c('busybox:1.36', 'Never'), 'f');
  assert.deepEqual(r, {
    ok: false,
    reason: 'ErrImageNeverPull',
    message: 'Container image "busybox:1.36" is not present with pull policy of Never',
  });
  assert.deepEqual(s.events, [
    'Warning ErrImageNeverPull Container image "busybox:1.36" is not present with pull policy of Never',
    'Warning Failed Error: ErrImageNeverPull',
  ]);
});

test('a failed pull is ErrImagePull, then ImagePullBackOff for 10 s carrying the last error, then 20 s', async () => {
  const s = setup({ present: false, fail: 'manifest unknown' });
  const first = s.m.ensureImage(s.pod, c('busybox:1.36'), 'f');
  await s.clock.advance(1500);
  assert.deepEqual(await first, { ok: false, reason: 'ErrImagePull', message: 'manifest unknown' });
  assert.deepEqual(s.events.splice(0), [
    'Normal Pulling Pulling image "busybox:1.36"',
    'Warning Failed Failed to pull image "busybox:1.36": manifest unknown',
    'Warning Failed Error: ErrImagePull',
  ]);
  await s.clock.advance(9000);
  const backedOff = await s.m.ensureImage(s.pod, c('busybox:1.36'), 'f');
  assert.deepEqual(backedOff, {
    ok: false,
    reason: 'ImagePullBackOff',
    message: 'Back-off pulling image "busybox:1.36": ErrImagePull: manifest unknown',
  });
  assert.deepEqual(s.events.splice(0), [
    'Normal BackOff Back-off pulling image "busybox:1.36"',
    'Warning Failed Error: ImagePullBackOff',
  ]);
  await s.clock.advance(1000);
  const second = s.m.ensureImage(s.pod, c('busybox:1.36'), 'f');
  await s.clock.advance(1500);
  assert.equal((await second).ok, false);
  assert.equal(s.pulls(), 2);
  // The window doubled: 19 s after the second failure it is still backing off.
  await s.clock.advance(19_000);
  assert.equal(
    ((await s.m.ensureImage(s.pod, c('busybox:1.36'), 'f')) as { reason: string }).reason,
    'ImagePullBackOff',
  );
});

test('without an image service (process runtime) every image is present', async () => {
  const clock = new FakeClock(0);
  const events: string[] = [];
  const m = new ImageManager(undefined, clock, {
    event: (_p, _f, t, r, msg) => events.push(`${t} ${r} ${msg}`),
  });
  assert.deepEqual(await m.ensureImage({ metadata: { uid: 'u' } }, c('nginx'), 'f'), { ok: true });
  assert.deepEqual(events, ['Normal Pulled Container image "nginx" already present on machine']);
});

test('a pull queued behind another pod’s pull of the same image still ends in Successfully pulled', async () => {
  const clock = new FakeClock(0);
  const events: string[] = [];
  const recorder: EventRecorder = {
    event: (p, _f, type, reason, message) => events.push(`${p.metadata?.name} ${type} ${reason} ${message}`),
  };
  let present = false;
  const images: ImageService = {
    imageStatus: () => Promise.resolve(present ? info : undefined),
    // The runtime's pull: the first brings the image; the one queued behind it finds it there.
    pullImage: async () => {
      if (present) return { pulled: false, image: info, imageRef: 'ref', durationMs: 0, size: info.size };
      await clock.sleep(1500);
      present = true;
      return { pulled: true, image: info, imageRef: 'ref', durationMs: 1500, size: info.size };
    },
    listImages: () => Promise.resolve([]),
    removeImage: () => Promise.resolve(),
  };
  const m = new ImageManager(images, clock, recorder);
  const pod = (name: string): Pod => ({
    metadata: { name, namespace: 'default', uid: name },
    spec: { containers: [] },
  });
  const a = m.ensureImage(pod('a'), c('nginx', 'IfNotPresent'), 'f');
  const b = m.ensureImage(pod('b'), c('nginx', 'IfNotPresent'), 'f');
  await clock.advance(1500);
  assert.equal((await a).ok, true);
  assert.equal((await b).ok, true);
  assert.deepEqual(events, [
    'a Normal Pulling Pulling image "nginx"',
    'b Normal Pulling Pulling image "nginx"',
    'a Normal Pulled Successfully pulled image "nginx" in 1.5s (1.5s including waiting). Image size: 1234 bytes.',
    'b Normal Pulled Successfully pulled image "nginx" in 0s (1.5s including waiting). Image size: 1234 bytes.',
  ]);
});
