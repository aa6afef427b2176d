/**
 * Reserved names around StorageClass and VolumeSnapshotClass: the `csi.storage.k8s.io/` parameter
 * keys through which the CSI sidecars find Secrets, and the default-class annotations.
 * Sources: ../shared/reference/FACTS.md §i (snapshot class keys and annotation); kubernetes-csi docs
 * "Secrets and Credentials" (StorageClass keys); Kubernetes docs concepts/storage/storage-classes
 * (default StorageClass annotation). The default-class annotation strings live in ./snapshot-api
 * (DEFAULT_STORAGE_CLASS_ANNOTATIONS, DEFAULT_SNAPSHOT_CLASS_ANNOTATION) and are used from there.
 */
import { DEFAULT_STORAGE_CLASS_ANNOTATIONS, SNAPSHOT_GROUP } from './snapshot-api';

/**
 * Parameter keys under this prefix are read by the sidecars and never passed to the driver.
 * A class must not carry an unknown key with this prefix.
 */
export const CSI_RESERVED_PARAMETER_PREFIX = 'csi.storage.k8s.io/';

/** The CSI call a StorageClass Secret is handed to, as spelled in its parameter keys. */
export enum StorageClassSecretRole {
  /** CreateVolume / DeleteVolume (csi-provisioner). */
  PROVISIONER = 'provisioner',
  /** ControllerPublishVolume / ControllerUnpublishVolume (csi-attacher). */
  CONTROLLER_PUBLISH = 'controller-publish',
  /** NodeStageVolume (kubelet). */
  NODE_STAGE = 'node-stage',
  /** NodePublishVolume (kubelet). */
  NODE_PUBLISH = 'node-publish',
  /** ControllerExpandVolume (csi-resizer). */
  CONTROLLER_EXPAND = 'controller-expand',
  /** NodeExpandVolume (kubelet). */
  NODE_EXPAND = 'node-expand',
}

/** The CSI call a VolumeSnapshotClass Secret is handed to, as spelled in its parameter keys. */
export enum SnapshotClassSecretRole {
  /** CreateSnapshot / DeleteSnapshot (csi-snapshotter). */
  SNAPSHOTTER = 'snapshotter',
  /** ListSnapshots (csi-snapshotter). */
  SNAPSHOTTER_LIST = 'snapshotter-list',
}

/** The pair of parameter keys that names one Secret. */
export interface SecretParameterKeys {
  /** Key holding the Secret's name. */
  readonly name: string;
  /** Key holding the Secret's namespace. */
  readonly namespace: string;
}

/** The reserved key pair of a secret role: `csi.storage.k8s.io/<role>-secret-name` / `-namespace`. */
export function secretParameterKeys(role: StorageClassSecretRole | SnapshotClassSecretRole): SecretParameterKeys {
  return {
    name: `${CSI_RESERVED_PARAMETER_PREFIX}${role}-secret-name`,
    namespace: `${CSI_RESERVED_PARAMETER_PREFIX}${role}-secret-namespace`,
  };
}

/** True for a reserved key that names a Secret; such keys are set through typed props only. */
export function isSecretParameterKey(key: string): boolean {
  return key.startsWith(CSI_RESERVED_PARAMETER_PREFIX) && /-secret-(name|namespace)$/.test(key);
}

/**
 * Placeholders the sidecars expand in secret names and namespaces (`${pvc.namespace}` and friends).
 * Which of them a given key accepts differs per role; the sidecar rejects the wrong ones at runtime.
 */
export const SECRET_TEMPLATE_PLACEHOLDER = /\$\{(pv\.name|pvc\.name|pvc\.namespace|pvc\.annotations\['[^'\]]+'\]|volumesnapshotcontent\.name|volumesnapshot\.name|volumesnapshot\.namespace)\}/g;

/**
 * Words that mark a parameter or env var name as a credential. A StorageClass or VolumeSnapshotClass
 * is readable by anyone who can list classes, and a workload's env by anyone who can read the
 * workload, so credentials belong in a Secret: named through the reserved keys in a class, through
 * `secretKeyRef` in env.
 */
export const CREDENTIAL_PARAMETER_WORDS: readonly string[] = [
  'apikey', 'credential', 'credentials', 'passphrase', 'passwd', 'password', 'secret', 'token',
];

/** A parameter key whose last word is one of these names a key, e.g. `accessKey`, `privateKey`. */
export const CREDENTIAL_PARAMETER_LAST_WORDS: readonly string[] = ['key'];

/** The words of a name in any common spelling: `secretAccessKey` / `AWS_SECRET_ACCESS_KEY` -> secret, access, key. */
function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w.length > 0)
    .map((w) => w.toLowerCase());
}

/**
 * True when a class parameter key or env var name reads like a credential (password, token,
 * secretKey, apiKey, AWS_SECRET_ACCESS_KEY, ...): the one heuristic every construct uses to refuse
 * credentials written inline.
 */
export function looksLikeCredentialKey(key: string): boolean {
  const words = nameWords(key);
  if (words.some((w) => CREDENTIAL_PARAMETER_WORDS.includes(w))) return true;
  for (let i = 0; i + 1 < words.length; i++) {
    if (CREDENTIAL_PARAMETER_WORDS.includes(words[i] + words[i + 1])) return true;
  }
  const last = words[words.length - 1];
  return last !== undefined && CREDENTIAL_PARAMETER_LAST_WORDS.includes(last);
}

/** StorageClass API coordinates. */
export const STORAGE_CLASS_API = { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass' } as const;

/** VolumeSnapshotClass API coordinates. */
export const VOLUME_SNAPSHOT_CLASS_API = { apiVersion: `${SNAPSHOT_GROUP}/v1`, kind: 'VolumeSnapshotClass' } as const;

/**
 * The spelling of the default-StorageClass annotation this project renders (the current one; the
 * pre-GA spelling in DEFAULT_STORAGE_CLASS_ANNOTATIONS is still honoured when scanning).
 */
export const DEFAULT_STORAGE_CLASS_ANNOTATION: string = DEFAULT_STORAGE_CLASS_ANNOTATIONS[0];

/** The only value both annotations are read as "default" with (an exact string comparison upstream). */
export const DEFAULT_CLASS_ANNOTATION_VALUE = 'true';
