// Server-side Tables for Services, Endpoints, EndpointSlices, ConfigMaps, Secrets and
// RuntimeClasses: rows generated wide, as the API server's TableConvertor always does.

import type { ConfigMap, Endpoints, Secret, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { RuntimeClass } from 'kubernetes-types/node/v1.js';
import { configMapTableRow, runtimeClassTableRow, secretTableRow } from './config-rows.ts';
import { endpointsTableRow } from './endpoints-row.ts';
import { endpointSliceTableRow } from './endpointslice-row.ts';
import {
  CONFIG_MAP_COLUMNS,
  ENDPOINT_SLICE_COLUMNS,
  ENDPOINTS_COLUMNS,
  RUNTIME_CLASS_COLUMNS,
  SECRET_COLUMNS,
  SERVICE_COLUMNS,
} from './network-columns.ts';
import { serviceTableRow } from './service-row.ts';
import {
  buildTable,
  rowObject,
  type KubernetesObjectLike,
  type Table,
  type TableCell,
  type TableColumnDefinition,
  type TableObjectOptions,
} from './table.ts';

interface Printer {
  columns: readonly TableColumnDefinition[];
  row(obj: KubernetesObjectLike, now: number): TableCell[];
}

const PRINTERS: Record<string, Printer> = {
  'v1/Service': {
    columns: SERVICE_COLUMNS,
    row: (o, now) => serviceTableRow(o as Service, now, { wide: true }),
  },
  'v1/Endpoints': { columns: ENDPOINTS_COLUMNS, row: (o, now) => endpointsTableRow(o as Endpoints, now) },
  'v1/ConfigMap': { columns: CONFIG_MAP_COLUMNS, row: (o, now) => configMapTableRow(o as ConfigMap, now) },
  'v1/Secret': { columns: SECRET_COLUMNS, row: (o, now) => secretTableRow(o as Secret, now) },
  'discovery.k8s.io/v1/EndpointSlice': {
    columns: ENDPOINT_SLICE_COLUMNS,
    row: (o, now) => endpointSliceTableRow(o as EndpointSlice, now),
  },
  'node.k8s.io/v1/RuntimeClass': {
    columns: RUNTIME_CLASS_COLUMNS,
    row: (o, now) => runtimeClassTableRow(o as RuntimeClass, now),
  },
};

/** The Table of these kinds, or undefined for any other kind. */
export function networkTableObject(
  kind: string,
  apiVersion: string,
  objects: readonly KubernetesObjectLike[],
  now: number,
  options: TableObjectOptions = {},
): Table | undefined {
  const printer = PRINTERS[`${apiVersion}/${kind}`];
  if (printer === undefined) return undefined;
  const rows = objects.map((obj) => ({
    cells: printer.row(obj, now),
    object: rowObject(obj, kind, apiVersion, options.includeObject),
  }));
  return buildTable(printer.columns, rows, options);
}
