// Server-side printing: the meta.k8s.io/v1 Tables the API server answers `kubectl get` with.
// Like the real server (pkg/printers/storage TableConvertor), rows are always generated "wide",
// with every column, and clients drop priority-1 columns unless they were asked for -o wide.

import type { Event, Namespace, Node, Pod } from 'kubernetes-types/core/v1.js';
import { DEFAULT_COLUMNS, EVENT_COLUMNS, NAMESPACE_COLUMNS, NODE_COLUMNS, POD_COLUMNS } from './columns.ts';
import { eventTableRow } from './event-row.ts';
import { namespaceTableRow } from './namespace-row.ts';
import { networkTableObject } from './network-tables.ts';
import { nodeTableRow } from './node-row.ts';
import { podRowConditions, podTableRow } from './pod-row.ts';
import {
  buildTable,
  rowObject,
  type KubernetesObjectLike,
  type Table,
  type TableObjectOptions,
  type TableRow,
} from './table.ts';
import { formatRfc3339 } from './time-format.ts';

export function podTableObject(pods: readonly Pod[], now: number, options: TableObjectOptions = {}): Table {
  const rows = pods.map((pod): TableRow => {
    const row: TableRow = { cells: podTableRow(pod, now, { wide: true }) };
    const conditions = podRowConditions(pod);
    if (conditions !== undefined) row.conditions = conditions;
    row.object = rowObject(pod, 'Pod', 'v1', options.includeObject);
    return row;
  });
  return buildTable(POD_COLUMNS, rows, options);
}

export function eventTableObject(
  events: readonly Event[],
  now: number,
  options: TableObjectOptions = {},
): Table {
  const rows = events.map((event): TableRow => ({
    cells: eventTableRow(event, now, { wide: true }),
    object: rowObject(event, 'Event', 'v1', options.includeObject),
  }));
  return buildTable(EVENT_COLUMNS, rows, options);
}

export function namespaceTableObject(
  namespaces: readonly Namespace[],
  now: number,
  options: TableObjectOptions = {},
): Table {
  const rows = namespaces.map((ns): TableRow => ({
    cells: namespaceTableRow(ns, now),
    object: rowObject(ns, 'Namespace', 'v1', options.includeObject),
  }));
  return buildTable(NAMESPACE_COLUMNS, rows, options);
}

export function nodeTableObject(
  nodes: readonly Node[],
  now: number,
  options: TableObjectOptions = {},
): Table {
  const rows = nodes.map((node): TableRow => ({
    cells: nodeTableRow(node, now, { wide: true }),
    object: rowObject(node, 'Node', 'v1', options.includeObject),
  }));
  return buildTable(NODE_COLUMNS, rows, options);
}

interface ObjectWithMeta extends KubernetesObjectLike {
  metadata?: { name?: string; creationTimestamp?: string };
}

/**
 * apiserver's default table convertor, for kinds without a printer: Name and "Created At" (the
 * RFC3339 creation time). kind/apiVersion name what includeObject=Object reports.
 */
export function defaultTableObject(
  objects: readonly ObjectWithMeta[],
  kind: string,
  apiVersion: string,
  options: TableObjectOptions = {},
): Table {
  const rows = objects.map((obj): TableRow => ({
    cells: [obj.metadata?.name ?? '', formatRfc3339(obj.metadata?.creationTimestamp)],
    object: rowObject(obj, kind, apiVersion, options.includeObject),
  }));
  return buildTable(DEFAULT_COLUMNS, rows, options);
}

/**
 * The Table for a list (or a single object, as a one-element list) of a core/v1 kind: pods, events,
 * namespaces and nodes get their printers' columns, anything else the default convertor's.
 */
export function tableObjectFor(
  kind: string,
  apiVersion: string,
  objects: readonly KubernetesObjectLike[],
  now: number,
  options: TableObjectOptions = {},
): Table {
  if (apiVersion === 'v1') {
    switch (kind) {
      case 'Pod':
        return podTableObject(objects as Pod[], now, options);
      case 'Event':
        return eventTableObject(objects as Event[], now, options);
      case 'Namespace':
        return namespaceTableObject(objects as Namespace[], now, options);
      case 'Node':
        return nodeTableObject(objects as Node[], now, options);
    }
  }
  return (
    networkTableObject(kind, apiVersion, objects, now, options) ??
    defaultTableObject(objects, kind, apiVersion, options)
  );
}
