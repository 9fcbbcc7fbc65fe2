// GET …/pods/{name}/log: the container log as text/plain, streamed (follow) until the container
// instance ends or the pod is gone, with the query options of PodLogOptions.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { RequestContext } from './context.ts';
import { containerStatus, logInstance, resolveContainer } from './container-checks.ts';
import { boolParam, intParam } from './http-util.ts';
import { groupResource } from './resources.ts';
import { ApiError, badRequest, invalid, notFound, type InvalidCause } from './status.ts';

function logOptions(
  ctx: RequestContext,
  now: number,
): { tailLines?: number; sinceMs?: number; limitBytes?: number } {
  const q = ctx.query;
  const tailLines = intParam(q, 'tailLines');
  const sinceSeconds = intParam(q, 'sinceSeconds');
  const limitBytes = intParam(q, 'limitBytes');
  const sinceTime = q.get('sinceTime');
  // ValidatePodLogOptions.
  const causes: InvalidCause[] = [];
  if (tailLines !== undefined && tailLines < 0) {
    causes.push({
      reason: 'FieldValueInvalid',
      field: 'tailLines',
      message: `Invalid value: ${tailLines}: must be greater than or equal to 0`,
    });
  }
  if (limitBytes !== undefined && limitBytes < 1) {
    causes.push({
      reason: 'FieldValueInvalid',
      field: 'limitBytes',
      message: `Invalid value: ${limitBytes}: must be greater than 0`,
    });
  }
  if (sinceSeconds !== undefined && sinceTime) {
    causes.push({
      reason: 'FieldValueForbidden',
      field: '',
      message: 'at most one of `sinceTime` or `sinceSeconds` may be specified',
    });
  }
  if (sinceSeconds !== undefined && sinceSeconds < 1) {
    causes.push({
      reason: 'FieldValueInvalid',
      field: 'sinceSeconds',
      message: `Invalid value: ${sinceSeconds}: must be greater than 0`,
    });
  }
  if (causes.length) throw invalid('PodLogOptions', '', ctx.info.name, causes);
  let sinceMs: number | undefined;
  if (sinceSeconds !== undefined) sinceMs = now - sinceSeconds * 1000;
  if (sinceTime) {
    const t = Date.parse(sinceTime);
    if (Number.isNaN(t))
      throw badRequest(`parsing time "${sinceTime}" as "2006-01-02T15:04:05Z07:00": cannot parse`);
    sinceMs = t;
  }
  return {
    ...(tailLines !== undefined ? { tailLines } : {}),
    ...(sinceMs !== undefined ? { sinceMs } : {}),
    ...(limitBytes !== undefined ? { limitBytes } : {}),
  };
}

export async function handleLog(ctx: RequestContext): Promise<void> {
  const { info, services, req, res } = ctx;
  const key = { resource: 'pods', namespace: info.namespace, name: info.name };
  const pod = services.store.get<Pod>(key);
  if (!pod) throw notFound(groupResource(ctx.def), info.name);
  const container = resolveContainer(pod, ctx.query.get('container'));
  const previous = boolParam(ctx.query, 'previous');
  const follow = boolParam(ctx.query, 'follow');
  const options = logOptions(ctx, services.clock.now());
  const instance = logInstance(pod, container, previous);
  if (!services.nodeStreams) throw badRequest(`pod "${info.name}" is not running on a node that serves logs`);

  const aborted = new AbortController();
  const stopFollowing = new AbortController();
  const onGone = (): void => aborted.abort();
  req.on('close', onGone);
  res.on('close', onGone);
  // Follow ends when this instance stops (or is replaced) or the pod object goes away.
  const uid = pod.metadata?.uid;
  const stillRunning = (p: Pod | undefined): boolean => {
    if (!p || p.metadata?.uid !== uid) return false;
    const s = containerStatus(p, container);
    return !!s?.state?.running && (s.containerID ?? '') === instance.containerId;
  };
  let unwatch: () => void = () => {};
  if (follow) {
    if (!stillRunning(pod) || previous) stopFollowing.abort();
    else {
      unwatch = services.store.watch<Pod>(
        'pods',
        { namespace: info.namespace, resourceVersion: pod.metadata?.resourceVersion ?? '' },
        (e) => {
          if (e.object.metadata?.name !== info.name) return;
          if (e.type === 'DELETED' || !stillRunning(e.object)) stopFollowing.abort();
        },
      );
    }
  }
  services.shutdown.addEventListener('abort', onGone, { once: true });
  let stream: AsyncIterable<Uint8Array | string> | undefined;
  try {
    stream = await services.nodeStreams.logs(pod, {
      container,
      previous: instance.previous,
      containerId: instance.containerId,
      follow: follow && !previous,
      timestamps: boolParam(ctx.query, 'timestamps'),
      ...options,
      signal: aborted.signal,
      stopFollowing: stopFollowing.signal,
    });
  } catch (err) {
    unwatch();
    throw err instanceof ApiError ? err : badRequest((err as Error).message);
  }
  if (!stream) {
    unwatch();
    throw badRequest(
      previous
        ? `previous terminated container "${container}" in pod "${info.name}" not found`
        : `container "${container}" in pod "${info.name}" is not available`,
    );
  }
  res.writeHead(200, {
    'Content-Type': 'text/plain',
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked',
  });
  res.flushHeaders();
  let left = options.limitBytes ?? Infinity;
  try {
    for await (const chunk of stream) {
      if (aborted.signal.aborted) break;
      const buf =
        typeof chunk === 'string'
          ? Buffer.from(chunk)
          : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      const part = buf.length > left ? buf.subarray(0, left) : buf;
      left -= part.length;
      if (!res.write(part)) await new Promise<void>((r) => res.once('drain', r).once('close', r));
      if (left <= 0) break;
    }
  } catch (err) {
    if (!aborted.signal.aborted) throw err;
  } finally {
    unwatch();
    services.shutdown.removeEventListener('abort', onGone);
    res.end();
  }
}
