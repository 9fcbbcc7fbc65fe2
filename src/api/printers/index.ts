// What kubectl 1.32 shows for pods, events, nodes and namespaces: server-side Tables, the text
// kubectl makes of them, and `kubectl describe pod`. See README.md in this folder.

export { DEFAULT_COLUMNS, EVENT_COLUMNS, NAMESPACE_COLUMNS, NODE_COLUMNS, POD_COLUMNS } from './columns.ts';
export { describeProbe } from './describe-containers.ts';
export { describeEventAge, describeEvents, sortEventsForDescribe } from './describe-events.ts';
export { describeExtras, nodeletRecords, type NodeletRecord } from './describe-extras.ts';
export { describePod, type DescribeOptions } from './describe-pod.ts';
export {
  eventCount,
  eventFirstSeen,
  eventLastSeen,
  eventObject,
  eventSource,
  eventTableRow,
} from './event-row.ts';
export { eventTable } from './event-table.ts';
export { namespaceTableRow } from './namespace-row.ts';
export { nodeRoles, nodeStatus, nodeTableRow } from './node-row.ts';
export {
  podReadyColumn,
  podRestartsColumn,
  podRowConditions,
  podStatusReason,
  podTableRow,
  summarizePod,
  type PodSummary,
} from './pod-row.ts';
export { podTable, PodWatchPrinter, watchLine, type PodTableOptions } from './pod-table.ts';
export {
  defaultTableObject,
  eventTableObject,
  namespaceTableObject,
  nodeTableObject,
  podTableObject,
  tableObjectFor,
} from './table-objects.ts';
export { formatLabels, KubectlTablePrinter, printTable, type PrintOptions } from './table-printer.ts';
export type {
  IncludeObject,
  Table,
  TableCell,
  TableColumnDefinition,
  TableObjectOptions,
  TableRow,
  TableRowCondition,
} from './table.ts';
export {
  KUBECTL_DESCRIBE_TABWRITER,
  KUBECTL_TABLE_TABWRITER,
  TabWriter,
  type TabWriterOptions,
} from './tabwriter.ts';
export { ageSince, formatRfc1123z, parseTimestamp, type TimeZone } from './time-format.ts';
