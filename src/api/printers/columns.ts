// Column definitions the Kubernetes 1.32 API server sends in Tables, in order, with their exact
// types, priorities and descriptions (pkg/printers/internalversion/printers.go AddHandlers, and
// apiserver's registry/rest default table convertor for everything else). The descriptions are the
// API's own field documentation (the SwaggerDoc strings of k8s.io/api and apimachinery v0.32).
// Priority 1 columns are what `-o wide` adds; the server always sends them.

import type { TableColumnDefinition } from './table.ts';

// Field documentation strings (API reference text), quoted verbatim because clients display them.
export const FIELD_DOCS = {
  'ObjectMeta.name':
    'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
  'ObjectMeta.creationTimestamp':
    'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata',
  'PodStatus.podIP':
    'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.',
  'PodStatus.nominatedNodeName':
    'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become available sooner. Scheduler may also decide to give the resources on this node to a higher priority pod that is created after preemption. As a result, this field may be different than PodSpec.nodeName when the pod is scheduled.',
  'PodSpec.nodeName':
    'NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName. Once this field is set, the kubelet for this node becomes responsible for the lifecycle of this pod. This field should not be used to express a desire for the pod to be scheduled on a specific node. https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodename',
  'PodSpec.readinessGates':
    'If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to "True" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates',
  'NodeSystemInfo.kubeletVersion': 'Kubelet Version reported by the node.',
  'NodeSystemInfo.osImage':
    'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).',
  'NodeSystemInfo.kernelVersion':
    "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
  'NodeSystemInfo.containerRuntimeVersion':
    'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).',
  'NodeStatus.addresses':
    "List of addresses reachable to the node. Queried from cloud provider, if available. More info: https://kubernetes.io/docs/reference/node/node-status/#addresses Note: This field is declared as mergeable, but the merge key is not sufficiently unique, which can cause data corruption when it is merged. Callers should instead use a full-replacement patch. See https://pr.k8s.io/79391 for an example. Consumers should assume that addresses can change during the lifetime of a Node. However, there are some exceptions where this may not be possible, such as Pods that inherit a Node's address in its own status or consumers of the downward API (status.hostIP).",
  'Event.lastTimestamp': 'The time at which the most recent occurrence of this event was recorded.',
  'Event.type': 'Type of this event (Normal, Warning), new types could be added in the future',
  'Event.reason':
    "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
  'Event.involvedObject': 'The object that this event is about.',
  'Event.source': 'The component reporting this event. Should be a short machine understandable string.',
  'Event.message': 'A human-readable description of the status of this operation.',
  'Event.firstTimestamp':
    'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)',
  'Event.count': 'The number of times this event has occurred.',
  'ObjectReference.fieldPath':
    'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2]. For example, if the object reference is to a container within a pod, this would take on a value like: "spec.containers{name}" (where "name" refers to the name of the container that triggered the event) or if no container name is specified "spec.containers[2]" (container with index 2 in this pod). This syntax is chosen only to have some well-defined way of referencing a part of an object.',
} as const;
function column(
  name: string,
  type: TableColumnDefinition['type'],
  description: string,
  extra: { format?: string; priority?: number } = {},
): TableColumnDefinition {
  return { name, type, format: extra.format ?? '', description, priority: extra.priority ?? 0 };
}

const nameColumn = column('Name', 'string', FIELD_DOCS['ObjectMeta.name'], { format: 'name' });
const ageColumn = column('Age', 'string', FIELD_DOCS['ObjectMeta.creationTimestamp']);

// In 1.32 Restarts is a string column ("2 (5m ago)"); before 1.23 it was an integer.
export const POD_COLUMNS: readonly TableColumnDefinition[] = [
  nameColumn,
  column('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
  column('Status', 'string', 'The aggregate status of the containers in this pod.'),
  column(
    'Restarts',
    'string',
    'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
  ),
  ageColumn,
  column('IP', 'string', FIELD_DOCS['PodStatus.podIP'], { priority: 1 }),
  column('Node', 'string', FIELD_DOCS['PodSpec.nodeName'], { priority: 1 }),
  column('Nominated Node', 'string', FIELD_DOCS['PodStatus.nominatedNodeName'], { priority: 1 }),
  column('Readiness Gates', 'string', FIELD_DOCS['PodSpec.readinessGates'], { priority: 1 }),
];

// Every event column is declared "string", yet the server sends Count as a JSON integer.
export const EVENT_COLUMNS: readonly TableColumnDefinition[] = [
  column('Last Seen', 'string', FIELD_DOCS['Event.lastTimestamp']),
  column('Type', 'string', FIELD_DOCS['Event.type']),
  column('Reason', 'string', FIELD_DOCS['Event.reason']),
  column('Object', 'string', FIELD_DOCS['Event.involvedObject']),
  column('Subobject', 'string', FIELD_DOCS['ObjectReference.fieldPath'], { priority: 1 }),
  column('Source', 'string', FIELD_DOCS['Event.source'], { priority: 1 }),
  column('Message', 'string', FIELD_DOCS['Event.message']),
  column('First Seen', 'string', FIELD_DOCS['Event.firstTimestamp'], { priority: 1 }),
  column('Count', 'string', FIELD_DOCS['Event.count'], { priority: 1 }),
  column('Name', 'string', FIELD_DOCS['ObjectMeta.name'], { format: 'name', priority: 1 }),
];

export const NAMESPACE_COLUMNS: readonly TableColumnDefinition[] = [
  nameColumn,
  column('Status', 'string', 'The status of the namespace'),
  ageColumn,
];

export const NODE_COLUMNS: readonly TableColumnDefinition[] = [
  nameColumn,
  column('Status', 'string', 'The status of the node'),
  column('Roles', 'string', 'The roles of the node'),
  ageColumn,
  column('Version', 'string', FIELD_DOCS['NodeSystemInfo.kubeletVersion']),
  column('Internal-IP', 'string', FIELD_DOCS['NodeStatus.addresses'], { priority: 1 }),
  column('External-IP', 'string', FIELD_DOCS['NodeStatus.addresses'], { priority: 1 }),
  column('OS-Image', 'string', FIELD_DOCS['NodeSystemInfo.osImage'], { priority: 1 }),
  column('Kernel-Version', 'string', FIELD_DOCS['NodeSystemInfo.kernelVersion'], { priority: 1 }),
  column('Container-Runtime', 'string', FIELD_DOCS['NodeSystemInfo.containerRuntimeVersion'], {
    priority: 1,
  }),
];

// apiserver's defaultTableConvertor, for kinds without a printer: the name and the creation time
// as an RFC3339 "date" cell (kubectl prints the raw timestamp, it does not turn it into an age).
export const DEFAULT_COLUMNS: readonly TableColumnDefinition[] = [
  nameColumn,
  column('Created At', 'date', FIELD_DOCS['ObjectMeta.creationTimestamp']),
];
