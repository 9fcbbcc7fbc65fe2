// The kubelet's image manager (reference §8.1, §8.3): the pull-policy decision, Pulling/Pulled
// events, pull failures with their own back-off (10 s doubling to 300 s, keyed by pod UID and
// image), and pulls serialised across pods (serializeImagePulls: true).
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import {
  defaultPullPolicy,
  ImageError,
  type ImageService,
  type PullPolicy,
} from '../runtime/image/image-service.ts';
import type { Clock } from '../util/clock.ts';
import { goDuration } from '../util/duration.ts';
import type { EventRecorder } from './event-recorder.ts';

export type ImageResult = { ok: true; imageRef?: string } | { ok: false; reason: string; message: string };

const INITIAL_MS = 10_000;
const MAX_MS = 300_000;

interface Entry {
  backoffMs: number;
  lastUpdate: number;
}

/** The image service of a pod's runtime (a RuntimeSet's per handler), or one for every pod. */
export type PodImages = ImageService | undefined | ((pod: Pod) => ImageService | undefined);

export class ImageManager {
  private readonly imagesOf: (pod: Pod) => ImageService | undefined;
  private readonly clock: Clock;
  private readonly recorder: EventRecorder;
  private readonly backoff = new Map<string, Entry>();
  /** The last pull error per key, for the ImagePullBackOff message (1.32+). */
  private readonly lastError = new Map<string, string>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(images: PodImages, clock: Clock, recorder: EventRecorder) {
    this.imagesOf = typeof images === 'function' ? images : () => images;
    this.clock = clock;
    this.recorder = recorder;
  }

  /** EnsureImageExists: what the kubelet does before creating a container. */
  async ensureImage(pod: Pod, c: Container, fieldPath: string, signal?: AbortSignal): Promise<ImageResult> {
    const image = c.image ?? '';
    const images = this.imagesOf(pod);
    if (!images) {
      // The process runtime runs no image: it is always "present".
      this.recorder.event(
        pod,
        fieldPath,
        'Normal',
        'Pulled',
        `Container image "${image}" already present on machine`,
      );
      return { ok: true };
    }
    const policy = (c.imagePullPolicy as PullPolicy | undefined) ?? defaultPullPolicy(image);
    let present;
    try {
      present = await images.imageStatus(image);
    } catch (e) {
      const msg = (e as Error).message;
      if (e instanceof ImageError && e.kind === 'InvalidImageName') {
        this.recorder.event(
          pod,
          fieldPath,
          'Warning',
          'InspectFailed',
          `Failed to apply default image tag "${image}": ${msg}`,
        );
        this.recorder.event(pod, fieldPath, 'Warning', 'Failed', 'Error: InvalidImageName');
        return {
          ok: false,
          reason: 'InvalidImageName',
          message: `Failed to apply default image tag "${image}": ${msg}`,
        };
      }
      this.recorder.event(
        pod,
        fieldPath,
        'Warning',
        'InspectFailed',
        `Failed to inspect image "${image}": ${msg}`,
      );
      this.recorder.event(pod, fieldPath, 'Warning', 'Failed', 'Error: ImageInspectError');
      return {
        ok: false,
        reason: 'ImageInspectError',
        message: `Failed to inspect image "${image}": ${msg}`,
      };
    }
    if (present && policy !== 'Always') {
      this.recorder.event(
        pod,
        fieldPath,
        'Normal',
        'Pulled',
        `Container image "${image}" already present on machine`,
      );
      return { ok: true, imageRef: present.repoDigests[0] ?? present.id };
    }
    if (!present && policy === 'Never') {
      const msg = `Container image "${image}" is not present with pull policy of Never`;
      this.recorder.event(pod, fieldPath, 'Warning', 'ErrImageNeverPull', msg);
      this.recorder.event(pod, fieldPath, 'Warning', 'Failed', 'Error: ErrImageNeverPull');
      return { ok: false, reason: 'ErrImageNeverPull', message: msg };
    }

    const key = `${pod.metadata?.uid ?? ''}_${image}`;
    const now = this.clock.now();
    const entry = this.backoff.get(key);
    if (entry && now - entry.lastUpdate < entry.backoffMs) {
      this.recorder.event(pod, fieldPath, 'Normal', 'BackOff', `Back-off pulling image "${image}"`);
      this.recorder.event(pod, fieldPath, 'Warning', 'Failed', 'Error: ImagePullBackOff');
      const prev = this.lastError.get(key);
      return {
        ok: false,
        reason: 'ImagePullBackOff',
        message: `Back-off pulling image "${image}"${prev ? `: ErrImagePull: ${prev}` : ''}`,
      };
    }

    this.recorder.event(pod, fieldPath, 'Normal', 'Pulling', `Pulling image "${image}"`);
    const queued = this.clock.now();
    const run = this.queue.then(async () => {
      const started = this.clock.now();
      const res = await images.pullImage(image, policy, signal);
      return { res, pullMs: this.clock.now() - started };
    });
    this.queue = run.catch(() => undefined);
    try {
      const { res, pullMs } = await run;
      this.backoff.delete(key);
      this.lastError.delete(key);
      // Once Pulling was said, the kubelet reports the pull, even when another pod's pull (queued
      // before this one) brought the image meanwhile: its CRI PullImage then returns at once.
      const total = this.clock.now() - queued;
      this.recorder.event(
        pod,
        fieldPath,
        'Normal',
        'Pulled',
        `Successfully pulled image "${image}" in ${goDuration(pullMs)} (${goDuration(total)} including waiting). Image size: ${res.size} bytes.`,
      );
      return { ok: true, imageRef: res.imageRef };
    } catch (e) {
      const msg = (e as Error).message;
      const prior = this.backoff.get(key);
      this.backoff.set(key, {
        backoffMs: prior ? Math.min(prior.backoffMs * 2, MAX_MS) : INITIAL_MS,
        lastUpdate: this.clock.now(),
      });
      this.lastError.set(key, msg);
      this.recorder.event(pod, fieldPath, 'Warning', 'Failed', `Failed to pull image "${image}": ${msg}`);
      this.recorder.event(pod, fieldPath, 'Warning', 'Failed', 'Error: ErrImagePull');
      return { ok: false, reason: 'ErrImagePull', message: msg };
    }
  }

  forgetPod(uid: string): void {
    for (const k of this.backoff.keys()) if (k.startsWith(`${uid}_`)) this.backoff.delete(k);
    for (const k of this.lastError.keys()) if (k.startsWith(`${uid}_`)) this.lastError.delete(k);
  }
}
