// What every handler of one request gets: the parsed request, the resource, the server's services.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Store } from '../store/store.ts';
import type { Clock } from '../util/clock.ts';
import type { NodeStreams } from './node-streams.ts';
import type { ResourceRequest } from './request-info.ts';
import type { ResourceDef } from './resources.ts';
import type { ResourceStorage } from './storage.ts';

export interface ServerServices {
  store: Store;
  clock: Clock;
  uid: () => string;
  nodeStreams: NodeStreams | undefined;
  /** Period of BOOKMARK events on watches that allow them. */
  bookmarkIntervalMs: number;
  /** Server-side Closing of streams (watches, log follows) on shutdown. */
  shutdown: AbortSignal;
}

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  query: URLSearchParams;
  info: ResourceRequest;
  def: ResourceDef;
  /** The resource's view of the store. */
  storage: ResourceStorage;
  services: ServerServices;
  /** Warning headers to send with the answer. */
  warnings: string[];
}
