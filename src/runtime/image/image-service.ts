// The image side of a runtime, shaped like the CRI ImageService, plus the pull-policy decision the
// kubelet's image manager makes (pkg/kubelet/images/image_manager.go), so the engine can call one
// method and emit the kubelet's events from its result or error kind.

/** A container's imagePullPolicy. */
export type PullPolicy = 'Always' | 'IfNotPresent' | 'Never';

export interface ImageInfo {
  /** Image ID: the digest of the image's config (what the kubelet calls the image's ID). */
  id: string;
  /** Normalized tagged names, e.g. docker.io/library/busybox:latest. */
  names: string[];
  /** Repository digests, e.g. docker.io/library/busybox@sha256:… (none for imported archives). */
  repoDigests: string[];
  /** Bytes of the image as stored (compressed layers and config), as the CRI's Image.size. */
  size: number;
  createdAt: number;
}

export interface PullResult {
  /** False when the policy let an image already present be used (`already present on machine`). */
  pulled: boolean;
  image: ImageInfo;
  /** The container status's imageID: the repo digest when known, else the image ID. */
  imageRef: string;
  /** Time spent pulling, in milliseconds (0 when not pulled). */
  durationMs: number;
  /** Bytes of the image (the `Image size: N bytes` of the Pulled event). */
  size: number;
}

/** The kubelet's image error names (pkg/kubelet/images/types.go) that a pull can end in. */
export type ImageErrorKind = 'ErrImagePull' | 'ErrImageNeverPull' | 'InvalidImageName' | 'ImageInspectError';

export class ImageError extends Error {
  readonly kind: ImageErrorKind;
  constructor(kind: ImageErrorKind, message: string) {
    super(message);
    this.name = 'ImageError';
    this.kind = kind;
  }
}

export interface ImageService {
  /** The image a reference names, if it is on this machine. Throws ImageError InvalidImageName. */
  imageStatus(image: string): Promise<ImageInfo | undefined>;
  /**
   * Ensures the image is present as the policy says: Never → present or ImageError
   * ErrImageNeverPull; IfNotPresent → pull only when absent; Always → pull (the registry is asked
   * for the manifest; layers already stored are not fetched again). A failed pull throws ImageError
   * ErrImagePull with the registry's error text.
   */
  pullImage(image: string, policy: PullPolicy, signal?: AbortSignal): Promise<PullResult>;
  listImages(): Promise<ImageInfo[]>;
  /** Removes the image's names; its blobs and unpacked layers go when no image uses them. */
  removeImage(image: string): Promise<void>;
}

/** The default pull policy (pkg/apis/core/v1/defaults.go): Always for :latest or no tag, else IfNotPresent. */
export function defaultPullPolicy(image: string): PullPolicy {
  if (image.includes('@')) return 'IfNotPresent';
  const last = image.slice(image.lastIndexOf('/') + 1);
  const colon = last.lastIndexOf(':');
  if (colon < 0) return 'Always';
  return last.slice(colon + 1) === 'latest' ? 'Always' : 'IfNotPresent';
}
