// Column definitions of the 1.32 API server's Tables for Services, Endpoints, EndpointSlices,
// ConfigMaps, Secrets and RuntimeClasses (pkg/printers/internalversion/printers.go AddHandlers),
// with the API's own field documentation as descriptions. Data is declared "string" though its
// cells are integers, as the server declares it.

import { FIELD_DOCS } from './columns.ts';
import type { TableColumnDefinition } from './table.ts';

// Field documentation (SwaggerDoc strings of k8s.io/api v0.32), quoted verbatim.
const DOCS = {
  'ServiceSpec.type':
    'type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer. "ClusterIP" allocates a cluster-internal IP address for load-balancing to endpoints. Endpoints are determined by the selector or if that is not specified, by manual construction of an Endpoints object or EndpointSlice objects. If clusterIP is "None", no virtual IP is allocated and the endpoints are published as a set of endpoints rather than a virtual IP. "NodePort" builds on ClusterIP and allocates a port on every node which routes to the same endpoints as the clusterIP. "LoadBalancer" builds on NodePort and creates an external load-balancer (if supported in the current cloud) which routes to the same endpoints as the clusterIP. "ExternalName" aliases this service to the specified externalName. Several other fields do not apply to ExternalName services. More info: https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types',
  'ServiceSpec.clusterIP':
    'clusterIP is the IP address of the service and is usually assigned randomly. If an address is specified manually, is in-range (as per system configuration), and is not in use, it will be allocated to the service; otherwise creation of the service will fail. This field may not be changed through updates unless the type field is also being changed to ExternalName (which requires this field to be blank) or the type field is being changed from ExternalName (in which case this field may optionally be specified, as describe above).  Valid values are "None", empty string (""), or a valid IP address. Setting this to "None" makes a "headless service" (no virtual IP), which is useful when direct endpoint connections are preferred and proxying is not required.  Only applies to types ClusterIP, NodePort, and LoadBalancer. If this field is specified when creating a Service of type ExternalName, creation will fail. This field will be wiped when updating a Service to type ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies',
  'ServiceSpec.externalIPs':
    'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.  These IPs are not managed by Kubernetes.  The user is responsible for ensuring that traffic arrives at a node with this IP.  A common example is external load-balancers that are not part of the Kubernetes system.',
  'ServiceSpec.ports':
    'The list of ports that are exposed by this service. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies',
  'ServiceSpec.selector':
    'Route service traffic to pods with label keys and values matching this selector. If empty or not present, the service is assumed to have an external process managing its endpoints, which Kubernetes will not modify. Only applies to types ClusterIP, NodePort, and LoadBalancer. Ignored if type is ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/',
  'Endpoints.subsets':
    'The set of all endpoints is the union of all subsets. Addresses are placed into subsets according to the IPs they share. A single address with multiple ports, some of which are ready and some of which are not (because they come from different containers) will result in the address being displayed in different subsets for the different ports. No address will appear in both Addresses and NotReadyAddresses in the same subset. Sets of addresses and ports that comprise a service.',
  'EndpointSlice.addressType':
    'addressType specifies the type of address carried by this EndpointSlice. All addresses in this slice must be the same type. This field is immutable after creation. The following address types are currently supported: * IPv4: Represents an IPv4 Address. * IPv6: Represents an IPv6 Address. * FQDN: Represents a Fully Qualified Domain Name. (Deprecated) The EndpointSlice controller only generates, and kube-proxy only processes, slices of addressType "IPv4" and "IPv6". No semantics are defined for the "FQDN" type.',
  'EndpointSlice.ports':
    'ports specifies the list of network ports exposed by each endpoint in this slice. Each port must have a unique name. Each slice may include a maximum of 100 ports. Services always have at least 1 port, so EndpointSlices generated by the EndpointSlice controller will likewise always have at least 1 port. EndpointSlices used for other purposes may have an empty ports list.',
  'EndpointSlice.endpoints':
    'endpoints is a list of unique endpoints in this slice. Each slice may include a maximum of 1000 endpoints.',
  'ConfigMap.data':
    "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process.",
  'Secret.type':
    'Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types',
  'Secret.data':
    "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4",
  'RuntimeClass.handler':
    'handler specifies the underlying runtime and configuration that the CRI implementation will use to handle pods of this class. The possible values are specific to the node & CRI configuration.  It is assumed that all handlers are available on every node, and handlers of the same name are equivalent on every node. For example, a handler called "runc" might specify that the runc OCI runtime (using native Linux containers) will be used to run the containers in a pod. The Handler must be lowercase, conform to the DNS Label (RFC 1123) requirements, and is immutable.',
} as const;

function column(name: string, description: string, priority = 0): TableColumnDefinition {
  return { name, type: 'string', format: '', description, priority };
}

const nameColumn: TableColumnDefinition = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: FIELD_DOCS['ObjectMeta.name'],
  priority: 0,
};
const ageColumn = column('Age', FIELD_DOCS['ObjectMeta.creationTimestamp']);

export const SERVICE_COLUMNS: readonly TableColumnDefinition[] = [
  nameColumn,
  column('Type', DOCS['ServiceSpec.type']),
  column('Cluster-IP', DOCS['ServiceSpec.clusterIP']),
  column('External-IP', DOCS['ServiceSpec.externalIPs']),
  column('Port(s)', DOCS['ServiceSpec.ports']),
  ageColumn,
  column('Selector', DOCS['ServiceSpec.selector'], 1),
];

export const ENDPOINTS_COLUMNS: readonly TableColumnDefinition[] = [
  nameColumn,
  column('Endpoints', DOCS['Endpoints.subsets']),
  ageColumn,
];

export const ENDPOINT_SLICE_COLUMNS: readonly TableColumnDefinition[] = [
  nameColumn,
  column('AddressType', DOCS['EndpointSlice.addressType']),
  column('Ports', DOCS['EndpointSlice.ports']),
  column('Endpoints', DOCS['EndpointSlice.endpoints']),
  ageColumn,
];

export const CONFIG_MAP_COLUMNS: readonly TableColumnDefinition[] = [
  nameColumn,
  column('Data', DOCS['ConfigMap.data']),
  ageColumn,
];

export const SECRET_COLUMNS: readonly TableColumnDefinition[] = [
  nameColumn,
  column('Type', DOCS['Secret.type']),
  column('Data', DOCS['Secret.data']),
  ageColumn,
];

export const RUNTIME_CLASS_COLUMNS: readonly TableColumnDefinition[] = [
  nameColumn,
  column('Handler', DOCS['RuntimeClass.handler']),
  ageColumn,
];
