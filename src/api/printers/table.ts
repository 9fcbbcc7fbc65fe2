// The meta.k8s.io/v1 Table, as the API server returns it for
// `Accept: application/json;as=Table;v=v1;g=meta.k8s.io` (what `kubectl get` asks for).
// Field names and nullability follow apimachinery's metav1.Table JSON encoding: columnDefinitions
// and rows carry no omitempty (so an omitted header list is `null`), a row's object is `null`
// when includeObject=None, and conditions are left out when there are none.

export type TableColumnType = 'integer' | 'number' | 'string' | 'boolean' | 'date';

export interface TableColumnDefinition {
  name: string;
  type: TableColumnType;
  format: string;
  description: string;
  priority: number;
}

export interface TableRowCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export type TableCell = string | number | boolean | null;

export interface TableRow {
  cells: TableCell[];
  conditions?: TableRowCondition[];
  object?: unknown;
}

export interface TableListMeta {
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: TableListMeta;
  columnDefinitions: TableColumnDefinition[] | null;
  rows: TableRow[];
}

/** metav1.IncludeObjectPolicy: what each row's `object` holds (the default is Metadata). */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface TableObjectOptions {
  includeObject?: IncludeObject;
  /** TableOptions.noHeaders: leave columnDefinitions out (the apiserver does so after a watch's first event). */
  noHeaders?: boolean;
  /** The list's (or single object's) resourceVersion, copied to the Table's metadata. */
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface KubernetesObjectLike {
  apiVersion?: string;
  kind?: string;
  metadata?: object;
}

/**
 * The row object per includeObject, as the apiserver's handlers do it (endpoints/handlers/response.go
 * asTable): the full object with kind/apiVersion, a PartialObjectMetadata carrying the whole
 * ObjectMeta (kubectl builds NAMESPACE, LABELS and -L columns from it), or nothing.
 */
export function rowObject(
  obj: KubernetesObjectLike,
  kind: string,
  apiVersion: string,
  includeObject: IncludeObject | undefined,
): unknown {
  switch (includeObject) {
    case 'None':
      return null;
    case 'Object': {
      const { kind: _kind, apiVersion: _apiVersion, ...rest } = obj;
      return { kind, apiVersion, ...rest };
    }
    case 'Metadata':
    case undefined:
      return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata ?? {} };
  }
}

export function buildTable(
  columns: readonly TableColumnDefinition[],
  rows: TableRow[],
  options: TableObjectOptions,
): Table {
  const metadata: TableListMeta = {};
  if (options.resourceVersion !== undefined && options.resourceVersion !== '') {
    metadata.resourceVersion = options.resourceVersion;
  }
  if (options.continue !== undefined && options.continue !== '') metadata.continue = options.continue;
  if (options.remainingItemCount !== undefined) metadata.remainingItemCount = options.remainingItemCount;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata,
    columnDefinitions: options.noHeaders === true ? null : columns.map((c) => ({ ...c })),
    rows,
  };
}
