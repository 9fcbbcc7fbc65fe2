// Watch streams (`?watch=true`), as the API server's watch handler and watch cache serve them:
// one JSON event per line, headers flushed at once, initial ADDED events for resourceVersion unset
// or "0", replay after a given resourceVersion, 410 Expired when it is too old, selectors applied
// with objects moving in and out of them, optional bookmarks, and `timeoutSeconds`. Streams read
// the store's own frozen objects (no copy per stream) and share each version's JSON text.
import { tableObjectFor } from '../api/printers/table-objects.ts';
import { GoneError, type StoredObject, type WatchEvent } from '../store/store.ts';
import { InvalidResourceVersionError } from '../store/versioned-store.ts';
import type { RequestContext } from './context.ts';
import { boolParam, intParam, type ResponseShape } from './http-util.ts';
import type { ApiObject } from './meta.ts';
import { encodedObject } from './object-encoding.ts';
import { apiVersionOf } from './resources.ts';
import type { ObjectFilter } from './rest.ts';
import { badRequest, expired } from './status.ts';
import type { IncludeObject } from '../api/printers/table.ts';

type OutType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export function serveWatch(
  ctx: RequestContext,
  filter: ObjectFilter,
  shape: ResponseShape,
  includeObject: IncludeObject,
): void {
  const { res, req, query, def, services } = ctx;
  const { store, clock } = services;
  const rvParam = query.get('resourceVersion') ?? '';
  const timeoutSeconds = intParam(query, 'timeoutSeconds');
  const bookmarks = boolParam(query, 'allowWatchBookmarks');
  const sendInitialEvents = boolParam(query, 'sendInitialEvents');
  const apiVersion = apiVersionOf(def);

  let headerSent = false;
  let closed = false;
  const pending: string[] = [];
  let tableHeaderSent = false;

  const encode = (type: OutType, object: unknown): string => {
    if (type === 'ERROR' || type === 'BOOKMARK') return JSON.stringify({ type, object });
    const obj = object as StoredObject;
    if (shape === 'object') return `{"type":"${type}","object":${encodedObject(def, obj as ApiObject)}}`;
    if (shape === 'partial') {
      return JSON.stringify({
        type,
        object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata ?? {} },
      });
    }
    // Table watches: one row per event; only the first event carries the column definitions.
    const table = tableObjectFor(def.kind, apiVersion, [obj], clock.now(), {
      includeObject,
      resourceVersion: obj.metadata?.resourceVersion ?? '',
      noHeaders: tableHeaderSent,
    });
    tableHeaderSent = true;
    return JSON.stringify({ type, object: table });
  };

  const send = (type: OutType, object: unknown): void => {
    if (closed) return;
    const line = `${encode(type, object)}\n`;
    if (headerSent) res.write(line);
    else pending.push(line);
  };

  const matches = (o: StoredObject | undefined): boolean => o !== undefined && filter.matches(o);

  const onEvent = (e: WatchEvent & { previous?: StoredObject }): void => {
    if (e.type === 'BOOKMARK') return;
    const now = matches(e.object);
    if (e.type === 'ADDED') {
      if (now) send('ADDED', e.object);
      return;
    }
    if (e.type === 'DELETED') {
      if (now) send('DELETED', e.object);
      return;
    }
    // MODIFIED: an object entering the selection is ADDED, one leaving it DELETED (watch cache rule).
    const before = e.previous === undefined ? now : matches(e.previous);
    if (before && now) send('MODIFIED', e.object);
    else if (!before && now) send('ADDED', e.object);
    else if (before && !now) send('DELETED', e.object);
  };

  let unsubscribe: () => void = () => {};
  let goneMessage: string | undefined;
  // resourceVersion unset or "0": the current state first, as synthetic ADDED events.
  const initialState = rvParam === '' || rvParam === '0' || sendInitialEvents;
  const storage = ctx.storage;
  try {
    if (initialState) {
      const listed = storage.listShared(filter.namespace);
      for (const o of listed.items) if (matches(o)) send('ADDED', o);
      if (sendInitialEvents) {
        // The watch-list protocol: a bookmark annotated as the end of the initial events.
        send('BOOKMARK', {
          kind: def.kind,
          apiVersion,
          metadata: {
            resourceVersion: listed.resourceVersion,
            annotations: { 'k8s.io/initial-events-end': 'true' },
          },
        });
      }
      unsubscribe = storage.watch(
        { resourceVersion: listed.resourceVersion, shared: true, ...ns(filter) },
        onEvent,
      );
    } else {
      unsubscribe = storage.watch({ resourceVersion: rvParam, shared: true, ...ns(filter) }, onEvent);
    }
  } catch (err) {
    if (err instanceof InvalidResourceVersionError) throw badRequest(err.message);
    if (!(err instanceof GoneError)) throw err;
    goneMessage = err.message;
  }

  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked',
  });
  // kubectl wait and client-node informers need the headers before the first event.
  res.flushHeaders();
  headerSent = true;
  for (const line of pending.splice(0)) res.write(line);

  const timers: { cancel(): void }[] = [];
  const finish = (): void => {
    if (closed) return;
    closed = true;
    unsubscribe();
    for (const t of timers) t.cancel();
    services.shutdown.removeEventListener('abort', finish);
    res.end();
  };

  if (goneMessage !== undefined) {
    send('ERROR', expired(goneMessage).status);
    finish();
    return;
  }

  const bookmark = (): void => {
    send('BOOKMARK', {
      kind: def.kind,
      apiVersion,
      metadata: { resourceVersion: store.currentResourceVersion() },
    });
  };
  if (bookmarks && shape === 'object') {
    const tick = (): void => {
      bookmark();
      timers[0] = clock.setTimer(services.bookmarkIntervalMs, tick);
    };
    timers[0] = clock.setTimer(services.bookmarkIntervalMs, tick);
  }
  if (timeoutSeconds !== undefined && timeoutSeconds > 0) {
    timers.push(
      clock.setTimer(timeoutSeconds * 1000, () => {
        // As the watch cache: a last bookmark lets the client resume exactly where this ended.
        if (bookmarks && shape === 'object') bookmark();
        finish();
      }),
    );
  }
  req.on('close', finish);
  res.on('close', finish);
  services.shutdown.addEventListener('abort', finish, { once: true });
}

function ns(filter: ObjectFilter): { namespace?: string } {
  return filter.namespace ? { namespace: filter.namespace } : {};
}
