// Generates src/api/schema/types.generated.ts: the field layout of the Kubernetes objects nodelet
// serves, as the API server's Go structs see it (field names, Go types, int32 vs int64,
// quantities), for strict field validation and JSON type errors.
//
// Source: the OpenAPI-derived models of @kubernetes/client-node 1.1.x (OpenAPI spec v1.32.0),
// whose attribute maps carry each field's JSON name, type and format. The package is not a
// dependency; fetch it once and point this script at it:
//
//   npm pack @kubernetes/client-node@1.1.2 && tar xzf kubernetes-client-node-1.1.2.tgz
//   npx node scripts/generate-api-schema.ts package > src/api/schema/types.generated.ts
//
// OpenAPI loses two things the Go decoder's messages show, so they are restored below by hand:
// named string types (`v1.RestartPolicy`, not `string`) and resource quantities (plain strings
// in OpenAPI, resource.Quantity in Go).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';

interface Attribute {
  name: string;
  baseName: string;
  type: string;
  format: string;
}

const [packageDir] = process.argv.slice(2);
if (packageDir === undefined) {
  process.stderr.write(
    'usage: generate-api-schema.ts <path to an unpacked @kubernetes/client-node package>\n',
  );
  process.exit(2);
}
const modelsDir = join(packageDir, 'dist', 'gen', 'models');
const version = (JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string })
  .version;

const models = new Map<string, Attribute[]>();
for (const file of readdirSync(modelsDir)) {
  if (!file.endsWith('.js')) continue;
  const text = readFileSync(join(modelsDir, file), 'utf8');
  const m = /\.attributeTypeMap = (\[[\s\S]*?\]);/.exec(text);
  if (m?.[1] === undefined) continue;
  models.set(file.replace(/\.js$/, ''), JSON.parse(m[1]) as Attribute[]);
}

/** Kind name → client-node model of the top-level object. */
const roots: Record<string, string> = {
  Pod: 'V1Pod',
  Namespace: 'V1Namespace',
  Event: 'CoreV1Event',
  Service: 'V1Service',
  ConfigMap: 'V1ConfigMap',
  Secret: 'V1Secret',
  Node: 'V1Node',
  Endpoints: 'V1Endpoints',
  EndpointSlice: 'V1EndpointSlice',
  RuntimeClass: 'V1RuntimeClass',
};

// Go named types the decoder prints in "of type …" (k8s.io/api/core/v1/types.go, v0.32).
// Keyed by Go struct name and JSON field name.
const goNames: Record<string, string> = {
  'ObjectMeta.uid': 'types.UID',
  'OwnerReference.uid': 'types.UID',
  'ManagedFieldsEntry.operation': 'v1.ManagedFieldsOperationType',
  'PodSpec.restartPolicy': 'v1.RestartPolicy',
  'PodSpec.dnsPolicy': 'v1.DNSPolicy',
  'PodSpec.preemptionPolicy': 'v1.PreemptionPolicy',
  'PodOS.name': 'v1.OSName',
  'Container.imagePullPolicy': 'v1.PullPolicy',
  'Container.terminationMessagePolicy': 'v1.TerminationMessagePolicy',
  'Container.restartPolicy': 'v1.ContainerRestartPolicy',
  'EphemeralContainer.imagePullPolicy': 'v1.PullPolicy',
  'EphemeralContainer.terminationMessagePolicy': 'v1.TerminationMessagePolicy',
  'EphemeralContainer.restartPolicy': 'v1.ContainerRestartPolicy',
  'ContainerResizePolicy.resourceName': 'v1.ResourceName',
  'ContainerResizePolicy.restartPolicy': 'v1.ResourceResizeRestartPolicy',
  'ContainerPort.protocol': 'v1.Protocol',
  'ServicePort.protocol': 'v1.Protocol',
  'HTTPGetAction.scheme': 'v1.URIScheme',
  'VolumeMount.mountPropagation': 'v1.MountPropagationMode',
  'VolumeMount.recursiveReadOnly': 'v1.RecursiveReadOnlyMode',
  'Toleration.operator': 'v1.TolerationOperator',
  'Toleration.effect': 'v1.TaintEffect',
  'Taint.effect': 'v1.TaintEffect',
  'HostPathVolumeSource.type': 'v1.HostPathType',
  'EmptyDirVolumeSource.medium': 'v1.StorageMedium',
  'Capabilities.add': '[]v1.Capability',
  'Capabilities.drop': '[]v1.Capability',
  'SecurityContext.procMount': 'v1.ProcMountType',
  'SeccompProfile.type': 'v1.SeccompProfileType',
  'AppArmorProfile.type': 'v1.AppArmorProfileType',
  'PodSecurityContext.fsGroupChangePolicy': 'v1.PodFSGroupChangePolicy',
  'PodSecurityContext.supplementalGroupsPolicy': 'v1.SupplementalGroupsPolicy',
  'PodSecurityContext.seLinuxChangePolicy': 'v1.PodSELinuxChangePolicy',
  'TopologySpreadConstraint.whenUnsatisfiable': 'v1.UnsatisfiableConstraintAction',
  'TopologySpreadConstraint.nodeAffinityPolicy': 'v1.NodeInclusionPolicy',
  'TopologySpreadConstraint.nodeTaintsPolicy': 'v1.NodeInclusionPolicy',
  'NodeSelectorRequirement.operator': 'v1.NodeSelectorOperator',
  'LabelSelectorRequirement.operator': 'v1.LabelSelectorOperator',
  'PodReadinessGate.conditionType': 'v1.PodConditionType',
  'PodCondition.type': 'v1.PodConditionType',
  'PodCondition.status': 'v1.ConditionStatus',
  'PodStatus.phase': 'v1.PodPhase',
  'PodStatus.qosClass': 'v1.PodQOSClass',
  'PodStatus.resize': 'v1.PodResizeStatus',
  'PersistentVolumeClaimSpec.accessModes': '[]v1.PersistentVolumeAccessMode',
  'PersistentVolumeClaimSpec.volumeMode': 'v1.PersistentVolumeMode',
  'ServiceSpec.type': 'v1.ServiceType',
  'ServiceSpec.sessionAffinity': 'v1.ServiceAffinity',
  'ServiceSpec.externalTrafficPolicy': 'v1.ServiceExternalTrafficPolicy',
  'ServiceSpec.internalTrafficPolicy': 'v1.ServiceInternalTrafficPolicy',
  'ServiceSpec.ipFamilies': '[]v1.IPFamily',
  'ServiceSpec.ipFamilyPolicy': 'v1.IPFamilyPolicy',
  'Secret.type': 'v1.SecretType',
  'NamespaceSpec.finalizers': '[]v1.FinalizerName',
  'NamespaceStatus.phase': 'v1.NamespacePhase',
  'NamespaceCondition.type': 'v1.NamespaceConditionType',
  'NamespaceCondition.status': 'v1.ConditionStatus',
  'NodeCondition.type': 'v1.NodeConditionType',
  'NodeCondition.status': 'v1.ConditionStatus',
  'NodeAddress.type': 'v1.NodeAddressType',
  'NodeStatus.phase': 'v1.NodePhase',
  'ServiceStatus.conditions': '[]v1.Condition',
  'EndpointPort.protocol': 'v1.Protocol',
  'EndpointSlice.addressType': 'v1.AddressType',
  'DiscoveryEndpointPort.protocol': 'v1.Protocol',
};

// Fields that are resource.Quantity (or maps of them) in Go but plain strings in OpenAPI.
const quantityMaps: Record<string, string> = {
  'ResourceRequirements.limits': 'v1.ResourceList',
  'ResourceRequirements.requests': 'v1.ResourceList',
  'VolumeResourceRequirements.limits': 'v1.ResourceList',
  'VolumeResourceRequirements.requests': 'v1.ResourceList',
  'PodSpec.overhead': 'v1.ResourceList',
  'ContainerStatus.allocatedResources': 'v1.ResourceList',
  'NodeStatus.capacity': 'v1.ResourceList',
  'NodeStatus.allocatable': 'v1.ResourceList',
  'Overhead.podFixed': 'v1.ResourceList',
};
const quantities = new Set(['EmptyDirVolumeSource.sizeLimit', 'ResourceFieldSelector.divisor']);

function structName(model: string): string {
  // discovery/v1 and core/v1 both have an EndpointPort; the discovery one keeps a group prefix
  // (its Go name, printed in decoding errors, is EndpointPort too).
  if (model === 'DiscoveryV1EndpointPort') return 'DiscoveryEndpointPort';
  return model.replace(/^(CoreV1|V1)(?=[A-Z])/, '');
}

const structs = new Map<string, Record<string, string>>();
const modelOf = new Map<string, string>();

function describe(struct: string, attr: Attribute): string {
  const key = `${struct}.${attr.baseName}`;
  const qmap = quantityMaps[key];
  if (qmap !== undefined) return `map:quantity|${qmap}`;
  if (quantities.has(key)) return 'quantity';
  const base = typeOf(attr.type, attr.format);
  const go = goNames[key];
  return go === undefined ? base : `${base}|${go}`;
}

function typeOf(type: string, format: string): string {
  const arr = /^Array<(.+)>$/.exec(type);
  if (arr?.[1] !== undefined) return `[]${typeOf(arr[1], format)}`;
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map?.[1] !== undefined) return `map:${typeOf(map[1], format)}`;
  switch (type) {
    case 'string':
      return format === 'byte' ? 'bytes' : 'string';
    case 'number':
      if (format === 'int32') return 'int32';
      if (format === 'int64') return 'int64';
      return 'float64';
    case 'boolean':
      return 'bool';
    case 'Date':
      return 'time';
    case 'V1MicroTime':
      return 'microtime';
    case 'IntOrString':
      return 'intstr';
    case 'any':
      return 'any';
    default: {
      if (!models.has(type)) throw new Error(`unknown model ${type}`);
      visit(type);
      return `@${structName(type)}`;
    }
  }
}

function visit(model: string): void {
  const name = structName(model);
  const seen = modelOf.get(name);
  if (seen !== undefined) {
    if (seen !== model) throw new Error(`two models map to struct ${name}: ${seen}, ${model}`);
    return;
  }
  modelOf.set(name, model);
  const fields: Record<string, string> = {};
  structs.set(name, fields);
  for (const attr of models.get(model) ?? []) fields[attr.baseName] = describe(name, attr);
}

const kinds: Record<string, string> = {};
for (const [kind, model] of Object.entries(roots)) {
  visit(model);
  kinds[kind] = structName(model);
}

// A hand-written override that matches no field is a typo; fail rather than silently ignore it.
for (const key of [...Object.keys(goNames), ...Object.keys(quantityMaps), ...quantities]) {
  const [struct = '', field = ''] = key.split('.');
  if (structs.get(struct)?.[field] === undefined) throw new Error(`override ${key} matches no field`);
}

const out: string[] = [];
out.push(
  '// Generated by scripts/generate-api-schema.ts from @kubernetes/client-node ' +
    version +
    ' (OpenAPI v1.32.0).',
);
out.push('// Do not edit by hand; edit the generator and run it again.');
out.push('//');
out.push(
  "// Field types: 'string' | 'int32' | 'int64' | 'float64' | 'bool' | 'time' | 'microtime' | 'quantity'",
);
out.push(
  "// | 'intstr' | 'bytes' | 'any' | '[]T' | 'map:T' | '@Struct', optionally followed by '|<Go type>'.",
);
out.push('');
out.push('export const kindStructs: Readonly<Record<string, string>> = ' + JSON.stringify(kinds) + ';');
out.push('');
out.push('export const structs: Readonly<Record<string, Readonly<Record<string, string>>>> = {');
for (const name of [...structs.keys()].sort()) {
  out.push(`  ${name}: ${JSON.stringify(structs.get(name))},`);
}
out.push('};');
process.stdout.write(out.join('\n') + '\n');
