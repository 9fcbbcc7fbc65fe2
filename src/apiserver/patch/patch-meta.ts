// The strategic-merge metadata of the types nodelet serves: which lists merge by which key
// (the `patchStrategy`/`patchMergeKey` struct tags of k8s.io/api core/v1 types.go). Lists not listed
// here are atomic: a patch replaces them whole.

export interface PatchMeta {
  /** Metadata of the named fields of an object. */
  fields?: Record<string, PatchMeta>;
  /** This field is a list merged element-wise by this key. */
  mergeKey?: string;
  /** This field is a list of scalars merged as a set (e.g. metadata.finalizers). */
  setMerge?: boolean;
  /** Elements of this list (for merge-key lists) or values of this map. */
  items?: PatchMeta;
  /** The retainKeys strategy (volumes): `$retainKeys` lists the keys to keep. */
  retainKeys?: boolean;
}

const byKey = (mergeKey: string, items?: PatchMeta, extra: Partial<PatchMeta> = {}): PatchMeta => ({
  mergeKey,
  ...(items ? { items } : {}),
  ...extra,
});

const objectMeta: PatchMeta = {
  fields: {
    finalizers: { setMerge: true },
    ownerReferences: byKey('uid'),
  },
};

const container: PatchMeta = {
  fields: {
    ports: byKey('containerPort'),
    env: byKey('name'),
    volumeMounts: byKey('mountPath'),
    volumeDevices: byKey('devicePath'),
  },
};

export const podPatchMeta: PatchMeta = {
  fields: {
    metadata: objectMeta,
    spec: {
      fields: {
        containers: byKey('name', container),
        initContainers: byKey('name', container),
        ephemeralContainers: byKey('name', container),
        volumes: byKey('name', undefined, { retainKeys: true }),
        imagePullSecrets: byKey('name'),
        hostAliases: byKey('ip'),
        topologySpreadConstraints: byKey('topologyKey'),
        schedulingGates: byKey('name'),
        resourceClaims: byKey('name'),
      },
    },
    status: {
      fields: {
        conditions: byKey('type'),
        podIPs: byKey('ip'),
        hostIPs: byKey('ip'),
      },
    },
  },
};

export const nodePatchMeta: PatchMeta = {
  fields: {
    metadata: objectMeta,
    spec: { fields: { podCIDRs: { setMerge: true } } },
    status: {
      fields: {
        conditions: byKey('type'),
        addresses: byKey('type'),
      },
    },
  },
};

export const namespacePatchMeta: PatchMeta = {
  fields: { metadata: objectMeta, status: { fields: { conditions: byKey('type') } } },
};

/** Objects without merge-key lists beyond their metadata (Event, …). */
export const genericPatchMeta: PatchMeta = { fields: { metadata: objectMeta } };
