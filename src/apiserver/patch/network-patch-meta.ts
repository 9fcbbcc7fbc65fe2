// Strategic-merge metadata of Services, Endpoints, EndpointSlices, ConfigMaps, Secrets and
// RuntimeClasses (the patchStrategy/patchMergeKey tags of k8s.io/api core/v1, discovery/v1 and
// node/v1 types.go). Maps (data, selector, labels) merge key by key; lists not named here —
// Endpoints subsets, EndpointSlice endpoints and ports, externalIPs, clusterIPs — are atomic.
import { genericPatchMeta, type PatchMeta } from './patch-meta.ts';

const metadata = genericPatchMeta.fields?.metadata ?? {};

export const servicePatchMeta: PatchMeta = {
  fields: {
    metadata,
    // ServiceSpec.ports: `patchStrategy:"merge" patchMergeKey:"port"`.
    spec: { fields: { ports: { mergeKey: 'port' } } },
    status: {
      fields: {
        conditions: { mergeKey: 'type' },
      },
    },
  },
};
