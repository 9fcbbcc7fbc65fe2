// The "Volumes:" section of kubectl describe pod (describe.go describeVolumes and the
// print*VolumeSource functions, 1.32), for the volume types a single node can have.

import type { Volume } from 'kubernetes-types/core/v1.js';
import { LEVEL_0, LEVEL_1, LEVEL_2, LEVEL_3, type PrefixWriter } from './describe-writer.ts';
import { parseQuantity } from '../quantity.ts';

const MAX_ANNOTATION_LEN = 140;

/** Go's %v of a *bool: kubectl prints the pointer; "<nil>" when unset (see README: deviation). */
function optionalPointer(value: boolean | undefined): string {
  return value === undefined ? '<nil>' : String(value);
}

function bool(value: boolean | undefined): string {
  return value === true ? 'true' : 'false';
}

function sortedKeys(map: Readonly<Record<string, string>>): string[] {
  return Object.keys(map).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function writeVolumeAttributes(
  w: PrefixWriter,
  attributes: Readonly<Record<string, string>> | undefined,
): void {
  w.write(LEVEL_2, 'VolumeAttributes:\t');
  const keys = sortedKeys(attributes ?? {});
  if (keys.length === 0) {
    w.writeLine('<none>');
    return;
  }
  keys.forEach((key, i) => {
    if (i !== 0) {
      w.write(LEVEL_2, '');
      w.write(LEVEL_2, '\t');
    }
    const line = `${key}=${attributes?.[key] ?? ''}`;
    w.write(
      LEVEL_2,
      line.length > MAX_ANNOTATION_LEN ? `${line.slice(0, MAX_ANNOTATION_LEN)}...\n` : `${line}\n`,
    );
  });
}

/** Extra volume types the bundled API types do not know yet. */
interface NewerVolume extends Volume {
  image?: { reference?: string; pullPolicy?: string };
}

function writeVolumeSource(w: PrefixWriter, volume: NewerVolume): void {
  if (volume.hostPath !== undefined) {
    w.write(
      LEVEL_2,
      'Type:\tHostPath (bare host directory volume)\n' +
        `    Path:\t${volume.hostPath.path}\n` +
        `    HostPathType:\t${volume.hostPath.type ?? '<none>'}\n`,
    );
  } else if (volume.emptyDir !== undefined) {
    const limit = volume.emptyDir.sizeLimit;
    let sizeLimit = '<unset>';
    if (limit !== undefined) {
      try {
        const q = parseQuantity(String(limit));
        if (q.sign() > 0) sizeLimit = q.toString();
      } catch {
        sizeLimit = String(limit);
      }
    }
    w.write(
      LEVEL_2,
      "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n" +
        `    Medium:\t${volume.emptyDir.medium ?? ''}\n` +
        `    SizeLimit:\t${sizeLimit}\n`,
    );
  } else if (volume.gcePersistentDisk !== undefined) {
    const gce = volume.gcePersistentDisk;
    w.write(
      LEVEL_2,
      'Type:\tGCEPersistentDisk (a Persistent Disk resource in Google Compute Engine)\n' +
        `    PDName:\t${gce.pdName}\n    FSType:\t${gce.fsType ?? ''}\n` +
        `    Partition:\t${gce.partition ?? 0}\n    ReadOnly:\t${bool(gce.readOnly)}\n`,
    );
  } else if (volume.awsElasticBlockStore !== undefined) {
    const aws = volume.awsElasticBlockStore;
    w.write(
      LEVEL_2,
      'Type:\tAWSElasticBlockStore (a Persistent Disk resource in AWS)\n' +
        `    VolumeID:\t${aws.volumeID}\n    FSType:\t${aws.fsType ?? ''}\n` +
        `    Partition:\t${aws.partition ?? 0}\n    ReadOnly:\t${bool(aws.readOnly)}\n`,
    );
  } else if (volume.gitRepo !== undefined) {
    w.write(
      LEVEL_2,
      'Type:\tGitRepo (a volume that is pulled from git when the pod is created)\n' +
        `    Repository:\t${volume.gitRepo.repository}\n    Revision:\t${volume.gitRepo.revision ?? ''}\n`,
    );
  } else if (volume.secret !== undefined) {
    w.write(
      LEVEL_2,
      'Type:\tSecret (a volume populated by a Secret)\n' +
        `    SecretName:\t${volume.secret.secretName ?? ''}\n    Optional:\t${bool(volume.secret.optional)}\n`,
    );
  } else if (volume.configMap !== undefined) {
    w.write(
      LEVEL_2,
      'Type:\tConfigMap (a volume populated by a ConfigMap)\n' +
        `    Name:\t${volume.configMap.name ?? ''}\n    Optional:\t${bool(volume.configMap.optional)}\n`,
    );
  } else if (volume.nfs !== undefined) {
    w.write(
      LEVEL_2,
      'Type:\tNFS (an NFS mount that lasts the lifetime of a pod)\n' +
        `    Server:\t${volume.nfs.server}\n    Path:\t${volume.nfs.path}\n    ReadOnly:\t${bool(volume.nfs.readOnly)}\n`,
    );
  } else if (volume.persistentVolumeClaim !== undefined) {
    w.write(
      LEVEL_2,
      'Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n' +
        `    ClaimName:\t${volume.persistentVolumeClaim.claimName}\n` +
        `    ReadOnly:\t${bool(volume.persistentVolumeClaim.readOnly)}\n`,
    );
  } else if (volume.ephemeral !== undefined) {
    w.write(
      LEVEL_2,
      'Type:\tEphemeralVolume (an inline specification for a volume that gets created and deleted with the pod)\n',
    );
  } else if (volume.downwardAPI !== undefined) {
    w.write(LEVEL_2, 'Type:\tDownwardAPI (a volume populated by information about the pod)\n    Items:\n');
    for (const item of volume.downwardAPI.items ?? []) {
      if (item.fieldRef !== undefined) w.write(LEVEL_3, `${item.fieldRef.fieldPath} -> ${item.path}\n`);
      if (item.resourceFieldRef !== undefined)
        w.write(LEVEL_3, `${item.resourceFieldRef.resource} -> ${item.path}\n`);
    }
  } else if (volume.projected !== undefined) {
    w.write(LEVEL_2, 'Type:\tProjected (a volume that contains injected data from multiple sources)\n');
    for (const source of volume.projected.sources ?? []) {
      if (source.secret !== undefined) {
        w.write(
          LEVEL_2,
          `SecretName:\t${source.secret.name ?? ''}\n    SecretOptionalName:\t${optionalPointer(source.secret.optional)}\n`,
        );
      } else if (source.downwardAPI !== undefined) {
        w.write(LEVEL_2, 'DownwardAPI:\ttrue\n');
      } else if (source.configMap !== undefined) {
        w.write(
          LEVEL_2,
          `ConfigMapName:\t${source.configMap.name ?? ''}\n    ConfigMapOptional:\t${optionalPointer(source.configMap.optional)}\n`,
        );
      } else if (source.serviceAccountToken !== undefined) {
        w.write(LEVEL_2, `TokenExpirationSeconds:\t${source.serviceAccountToken.expirationSeconds ?? 0}\n`);
      }
    }
  } else if (volume.csi !== undefined) {
    w.write(
      LEVEL_2,
      'Type:\tCSI (a Container Storage Interface (CSI) volume source)\n' +
        `    Driver:\t${volume.csi.driver}\n    FSType:\t${volume.csi.fsType ?? ''}\n` +
        `    ReadOnly:\t${bool(volume.csi.readOnly)}\n`,
    );
    writeVolumeAttributes(w, volume.csi.volumeAttributes);
  } else if (volume.image !== undefined) {
    w.write(
      LEVEL_2,
      'Type:\tImage (a container image or OCI artifact)\n' +
        `    Reference:\t${volume.image.reference ?? ''}\n    PullPolicy:\t${volume.image.pullPolicy ?? ''}\n`,
    );
  } else {
    w.write(LEVEL_1, '<unknown>\n');
  }
}

export function writeVolumes(w: PrefixWriter, volumes: readonly Volume[] | undefined): void {
  if (volumes === undefined || volumes.length === 0) {
    w.write(LEVEL_0, 'Volumes:\t<none>\n');
    return;
  }
  w.write(LEVEL_0, 'Volumes:\n');
  for (const volume of volumes) {
    w.write(LEVEL_1, `${volume.name}:\n`);
    writeVolumeSource(w, volume);
  }
}
