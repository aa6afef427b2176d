import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { CsiCapability as C } from '../src/catalog';
import { CsiDeploymentMode, CsiDriver, CsiDriverProps } from '../src/constructs/csi-driver/csi-driver';

type Json = any;

const FULL: readonly C[] = [
  C.CONTROLLER_SERVICE, C.CREATE_DELETE_VOLUME, C.PUBLISH_UNPUBLISH_VOLUME, C.CREATE_DELETE_SNAPSHOT,
  C.EXPAND_VOLUME, C.VOLUME_CONDITION, C.LIST_VOLUMES, C.GET_CAPACITY,
];

const BASE: CsiDriverProps = {
  driverName: 'example.csi.vendor.io',
  driverImage: 'quay.io/vendor/example-csi:v1.2.3',
  capabilities: FULL,
};

function synth(props: Partial<CsiDriverProps> = {}): Json[] {
  const chart = Testing.chart();
  new CsiDriver(chart, 'Driver', { ...BASE, ...props });
  return Testing.synth(chart);
}

function build(props: Partial<CsiDriverProps> = {}): () => void {
  return () => {
    const chart = Testing.chart();
    new CsiDriver(chart, 'Driver', { ...BASE, ...props });
  };
}

const ofKind = (docs: Json[], kind: string): Json[] => docs.filter((d) => d.kind === kind);
const controllerOf = (docs: Json[]): Json => docs.find((d) => ['StatefulSet', 'Deployment'].includes(d.kind) && d.metadata.name.endsWith('-controller'));
const nodeOf = (docs: Json[]): Json => ofKind(docs, 'DaemonSet')[0];
const containers = (w: Json): Json[] => w.spec.template.spec.containers;
const container = (w: Json, name: string): Json => containers(w).find((c: Json) => c.name === name);

describe('CsiDriver: sidecars follow the declared capabilities', () => {
  it('runs only the provisioner for a driver that can only create volumes', () => {
    const docs = synth({ capabilities: [C.CONTROLLER_SERVICE, C.CREATE_DELETE_VOLUME] });
    expect(containers(controllerOf(docs)).map((c: Json) => c.name)).toEqual(['csi-driver', 'csi-provisioner', 'liveness-probe']);
    expect(ofKind(docs, 'CSIDriver')[0].spec.attachRequired).toBe(false);
  });

  it('adds the attacher (and attachRequired) only with PUBLISH_UNPUBLISH_VOLUME', () => {
    const docs = synth();
    expect(container(controllerOf(docs), 'csi-attacher')).toBeDefined();
    expect(ofKind(docs, 'CSIDriver')[0].spec.attachRequired).toBe(true);
  });

  it('leaves the health monitor out unless asked for, even with VOLUME_CONDITION', () => {
    expect(container(controllerOf(synth()), 'csi-external-health-monitor-controller')).toBeUndefined();
    const withMonitor = synth({ healthMonitor: { enableNodeWatcher: true } });
    expect(container(controllerOf(withMonitor), 'csi-external-health-monitor-controller').args).toContain('--enable-node-watcher=true');
  });

  it('renders no controller workload for a node-only driver', () => {
    const docs = synth({ capabilities: [] });
    expect(controllerOf(docs)).toBeUndefined();
    expect(nodeOf(docs)).toBeDefined();
  });
});

describe('CsiDriver: flags', () => {
  it('always writes --prevent-volume-mode-conversion=true on the provisioner', () => {
    expect(container(controllerOf(synth()), 'csi-provisioner').args).toContain('--prevent-volume-mode-conversion=true');
  });

  it('uses --workers for the resizer and --worker-threads elsewhere (FACTS §c6)', () => {
    const docs = synth({ resizer: { workers: 20 }, provisioner: { workers: 50 }, snapshotter: { workers: 5 } });
    const c = controllerOf(docs);
    expect(container(c, 'csi-resizer').args).toContain('--workers=20');
    expect(container(c, 'csi-resizer').args.join(' ')).not.toContain('--worker-threads');
    expect(container(c, 'csi-provisioner').args).toContain('--worker-threads=50');
    expect(container(c, 'csi-snapshotter').args).toContain('--worker-threads=5');
  });

  it('renders timeouts, extra metadata and sorted feature gates', () => {
    const docs = synth({
      provisioner: { timeout: '60s', extraCreateMetadata: true, featureGates: { Topology: true, CrossNamespaceVolumeDataSource: false } },
      snapshotter: { extraCreateMetadata: true },
    });
    const prov = container(controllerOf(docs), 'csi-provisioner').args;
    expect(prov).toContain('--timeout=60s');
    expect(prov).toContain('--extra-create-metadata=true');
    expect(prov).toContain('--feature-gates=CrossNamespaceVolumeDataSource=false,Topology=true');
    expect(container(controllerOf(docs), 'csi-snapshotter').args).toContain('--extra-create-metadata=true');
  });

  it('sorts every container arg list', () => {
    for (const w of [controllerOf(synth({ replicas: 2 })), nodeOf(synth())]) {
      for (const c of containers(w).filter((x: Json) => x.name !== 'csi-driver')) {
        expect(c.args, c.name).toEqual([...c.args].sort());
      }
    }
  });

  it('is byte-identical across synths', () => {
    expect(JSON.stringify(synth({ replicas: 2 }))).toEqual(JSON.stringify(synth({ replicas: 2 })));
  });
});

describe('CsiDriver: workload and leader election', () => {
  it('uses a StatefulSet without leader election for one replica', () => {
    const docs = synth();
    const c = controllerOf(docs);
    expect(c.kind).toBe('StatefulSet');
    expect(c.spec.replicas).toBe(1);
    expect(container(c, 'csi-provisioner').args.join(' ')).not.toContain('--leader-election');
    // No lease permissions for a controller that never elects.
    expect(ofKind(docs, 'Role').flatMap((r: Json) => r.rules).some((r: Json) => r.resources.includes('leases'))).toBe(false);
  });

  it('uses a Deployment with leader election, probes and lease RBAC for several replicas', () => {
    const docs = synth({ replicas: 2 });
    const c = controllerOf(docs);
    expect(c.kind).toBe('Deployment');
    const prov = container(c, 'csi-provisioner');
    expect(prov.args).toContain('--leader-election=true');
    expect(prov.args).toContain('--http-endpoint=:8080');
    expect(prov.livenessProbe.httpGet.path).toBe('/healthz/leader-election');
    expect(prov.ports[0].containerPort).toBe(8080);
    const ports = containers(c).flatMap((x: Json) => (x.ports ?? []).map((p: Json) => p.containerPort));
    expect(new Set(ports).size).toBe(ports.length);
    expect(ofKind(docs, 'Role').filter((r: Json) => r.rules.some((x: Json) => x.resources.includes('leases')))).toHaveLength(4);
  });

  it('publishes storage capacity with the owner level of the workload kind', () => {
    const one = synth({ provisioner: { storageCapacity: true } });
    expect(container(controllerOf(one), 'csi-provisioner').args).toContain('--capacity-ownerref-level=1');
    expect(ofKind(one, 'CSIDriver')[0].spec.storageCapacity).toBe(true);
    expect(ofKind(one, 'Role').flatMap((r: Json) => r.rules).some((r: Json) => r.resources.includes('csistoragecapacities'))).toBe(true);
    const two = synth({ replicas: 2, provisioner: { storageCapacity: true } });
    expect(container(controllerOf(two), 'csi-provisioner').args).toContain('--capacity-ownerref-level=2');
  });

  it('grants secrets only with secretAccess', () => {
    const hasSecrets = (docs: Json[]) => ofKind(docs, 'ClusterRole').flatMap((r: Json) => r.rules).some((r: Json) => r.resources.includes('secrets'));
    expect(hasSecrets(synth())).toBe(false);
    expect(hasSecrets(synth({ secretAccess: true }))).toBe(true);
  });

  it('picks release lines that run on an older target (1.32)', () => {
    const c = controllerOf(synth({ kubernetesVersion: '1.32' }));
    expect(container(c, 'csi-provisioner').image).toBe('registry.k8s.io/sig-storage/csi-provisioner:v5.3.0');
    expect(container(c, 'csi-resizer').image).toBe('registry.k8s.io/sig-storage/csi-resizer:v1.14.0');
  });
});

describe('CsiDriver: scheduling', () => {
  it('runs the node plugin on every node at node-critical priority by default', () => {
    const pod = nodeOf(synth()).spec.template.spec;
    expect(pod.priorityClassName).toBe('system-node-critical');
    // No key and operator Exists: the API's way of tolerating every taint.
    expect(pod.tolerations).toEqual([{ operator: 'Exists' }]);
  });

  it('runs the controller at cluster-critical priority by default, without blanket tolerations', () => {
    for (const replicas of [1, 2]) {
      const pod = controllerOf(synth({ replicas })).spec.template.spec;
      expect(pod.priorityClassName, `replicas ${replicas}`).toBe('system-cluster-critical');
      expect(pod.tolerations, `replicas ${replicas}`).toBeUndefined();
    }
  });

  it('takes other priority classes and tolerations, and [] for none', () => {
    const docs = synth({
      controllerPriorityClassName: 'storage-critical', nodePriorityClassName: 'storage-node',
      nodeTolerations: [{ key: 'dedicated', operator: 'Equal', value: 'storage', effect: 'NoSchedule' }],
    });
    expect(controllerOf(docs).spec.template.spec.priorityClassName).toBe('storage-critical');
    expect(nodeOf(docs).spec.template.spec.priorityClassName).toBe('storage-node');
    expect(nodeOf(docs).spec.template.spec.tolerations).toEqual([{ key: 'dedicated', operator: 'Equal', value: 'storage', effect: 'NoSchedule' }]);
    expect(nodeOf(synth({ nodeTolerations: [] })).spec.template.spec.tolerations).toBeUndefined();
  });

  it('gives the SINGLE_POD StatefulSet the controller priority class', () => {
    const sts = ofKind(synth({ mode: CsiDeploymentMode.SINGLE_POD, controllerPriorityClassName: 'demo' }), 'StatefulSet')[0];
    expect(sts.spec.template.spec.priorityClassName).toBe('demo');
    expect(sts.spec.template.spec.tolerations).toBeUndefined();
  });
});

describe('CsiDriver: paths', () => {
  it('derives registration path and host socket dir from the driver name and one socket path', () => {
    const docs = synth({ socketPath: '/plugin/driver.sock' });
    const node = nodeOf(docs);
    const reg = container(node, 'node-driver-registrar');
    expect(reg.args).toContain('--kubelet-registration-path=/var/lib/kubelet/plugins/example.csi.vendor.io/driver.sock');
    expect(reg.args).toContain('--csi-address=/plugin/driver.sock');
    const vols = Object.fromEntries(node.spec.template.spec.volumes.map((v: Json) => [v.name, v]));
    expect(vols['socket-dir'].hostPath).toEqual({ path: '/var/lib/kubelet/plugins/example.csi.vendor.io', type: 'DirectoryOrCreate' });
    expect(vols['registration-dir'].hostPath).toEqual({ path: '/var/lib/kubelet/plugins_registry', type: 'Directory' });
    const driverEnv = container(node, 'csi-driver').env.find((e: Json) => e.name === 'CSI_ENDPOINT');
    expect(driverEnv.value).toBe('unix:///plugin/driver.sock');
    expect(container(controllerOf(docs), 'csi-provisioner').args).toContain('--csi-address=/plugin/driver.sock');
    for (const w of [node, controllerOf(docs)]) {
      for (const c of containers(w)) {
        expect(c.volumeMounts.find((m: Json) => m.name === 'socket-dir').mountPath, c.name).toBe('/plugin');
      }
    }
  });

  it('puts Bidirectional propagation and privilege only on the node plugin container', () => {
    const docs = synth();
    for (const w of [nodeOf(docs), controllerOf(docs)]) {
      for (const c of containers(w)) {
        const isNodePlugin = w.kind === 'DaemonSet' && c.name === 'csi-driver';
        expect(c.volumeMounts.some((m: Json) => m.mountPropagation === 'Bidirectional'), c.name).toBe(isNodePlugin);
        expect(c.securityContext?.privileged === true, c.name).toBe(isNodePlugin);
      }
    }
  });

  it('keeps every controller-side container within Pod Security "restricted"', () => {
    const c = controllerOf(synth({ healthMonitor: {} }));
    const pod = c.spec.template.spec;
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
    expect(pod.volumes.every((v: Json) => v.hostPath === undefined)).toBe(true);
    for (const x of pod.containers) {
      expect(x.securityContext, x.name).toMatchObject({
        allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true,
        runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' },
      });
    }
  });

  it('keeps node-side sidecars at uid 0 but otherwise restricted (they open the root-owned socket)', () => {
    const reg = container(nodeOf(synth()), 'node-driver-registrar');
    expect(reg.securityContext).toEqual({
      allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, privileged: false, readOnlyRootFilesystem: true,
      runAsUser: 0, seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  it('gives every container resource requests', () => {
    const docs = synth({ healthMonitor: {} });
    for (const w of [nodeOf(docs), controllerOf(docs)]) {
      for (const c of containers(w)) expect(Object.keys(c.resources.requests).sort(), c.name).toEqual(['cpu', 'memory']);
    }
  });

  it('mounts controller Secrets read-only into the controller driver only, and merges env per side', () => {
    const docs = synth({
      driverEnv: { B: 'both' }, controllerDriverEnv: { A: 'ctrl' }, nodeDriverEnv: { B: 'node' },
      controllerSecretMounts: [{ name: 'cfg', secretName: 'driver-config', mountPath: '/etc/driver' }],
    });
    const ctrlDriver = container(controllerOf(docs), 'csi-driver');
    expect(ctrlDriver.volumeMounts).toContainEqual({ name: 'cfg', mountPath: '/etc/driver', readOnly: true });
    expect(ctrlDriver.env.map((e: Json) => e.name)).toEqual(['CSI_ENDPOINT', 'KUBE_NODE_NAME', 'A', 'B']);
    expect(ctrlDriver.env).toContainEqual({ name: 'B', value: 'both' });
    const nodeDriver = container(nodeOf(docs), 'csi-driver');
    expect(nodeDriver.env).toContainEqual({ name: 'B', value: 'node' });
    expect(nodeOf(docs).spec.template.spec.volumes.some((v: Json) => v.secret)).toBe(false);
  });

  it('SINGLE_POD mode puts plugin, sidecars and registrar in one StatefulSet and renders no DaemonSet', () => {
    const docs = synth({ mode: CsiDeploymentMode.SINGLE_POD });
    expect(ofKind(docs, 'DaemonSet')).toHaveLength(0);
    const sts = ofKind(docs, 'StatefulSet');
    expect(sts).toHaveLength(1);
    expect(containers(sts[0]).map((c: Json) => c.name)).toEqual(
      ['csi-driver', 'csi-provisioner', 'csi-attacher', 'csi-snapshotter', 'csi-resizer', 'node-driver-registrar', 'liveness-probe']);
  });
});

describe('CsiDriver: bad input', () => {
  it('refuses health monitoring on a driver without VOLUME_CONDITION', () => {
    expect(build({ capabilities: [C.CONTROLLER_SERVICE, C.CREATE_DELETE_VOLUME, C.LIST_VOLUMES], healthMonitor: {} }))
      .toThrow(/healthMonitor \{\} asks for csi-external-health-monitor-controller but capabilities lack VOLUME_CONDITION .*CrashLoopBackOff.*; remove 'healthMonitor', or add VOLUME_CONDITION/);
  });

  it('refuses health monitoring when neither LIST_VOLUMES nor GET_VOLUME is declared', () => {
    expect(build({ capabilities: [C.CONTROLLER_SERVICE, C.VOLUME_CONDITION], healthMonitor: {} }))
      .toThrow(/healthMonitor .* lack LIST_VOLUMES or GET_VOLUME .*; remove 'healthMonitor'/);
  });

  it('refuses a socket path that differs between controller and node', () => {
    expect(build({ controller: { socketPath: '/csi/csi.sock' }, node: { socketPath: '/plugin/csi.sock' } }))
      .toThrow(/node\.socketPath '\/plugin\/csi\.sock' differs from controller\.socketPath '\/csi\/csi\.sock'.*; set the driver-level 'socketPath' once/);
  });

  it('refuses replicas > 1 without leader election', () => {
    expect(build({ replicas: 3, leaderElection: false }))
      .toThrow(/leaderElection false with replicas 3 .*; turn leaderElection on .* or set replicas to 1/);
  });

  it('refuses an attacher on a driver that declares no attach', () => {
    expect(build({ capabilities: [C.CONTROLLER_SERVICE, C.CREATE_DELETE_VOLUME], attacher: { timeout: '30s' } }))
      .toThrow(/attacher \{"timeout":"30s"\} asks for csi-attacher but capabilities lack PUBLISH_UNPUBLISH_VOLUME .*; remove 'attacher', or add PUBLISH_UNPUBLISH_VOLUME/);
  });

  it('refuses a resizer pinned for a target Kubernetes it does not support', () => {
    expect(build({ kubernetesVersion: '1.32', resizer: { image: { tag: 'v2.2.1' } } }))
      .toThrow(/resizer\.image\.tag 'v2\.2\.1' needs Kubernetes >= 1\.34 .* but the target is 1\.32; use 'v1\.14\.0'/);
  });

  it('refuses a provisioner below the protection floor', () => {
    expect(build({ provisioner: { image: { tag: 'v3.3.0' } } }))
      .toThrow(/provisioner\.image\.tag 'v3\.3\.0' cannot refuse volume mode conversion .*; pin 'v6\.4\.0' \(the catalog's release for this target; the flag is on by default from v4\.0\.0\)/);
  });

  it('refuses controller capabilities without CONTROLLER_SERVICE instead of rendering no controller (the README mistake)', () => {
    expect(build({ capabilities: ['CREATE_DELETE_VOLUME', 'CREATE_DELETE_SNAPSHOT', 'EXPAND_VOLUME'] }))
      .toThrow(/capabilities .* declares controller capabilities \(CREATE_DELETE_VOLUME, CREATE_DELETE_SNAPSHOT, EXPAND_VOLUME\) without CONTROLLER_SERVICE.*; add 'CONTROLLER_SERVICE'/);
    // Following the fix renders the controller with its sidecars.
    const docs = synth({ capabilities: ['CONTROLLER_SERVICE', 'CREATE_DELETE_VOLUME', 'CREATE_DELETE_SNAPSHOT', 'EXPAND_VOLUME'] });
    expect(containers(controllerOf(docs)).map((c: Json) => c.name)).toEqual(expect.arrayContaining(['csi-provisioner', 'csi-snapshotter', 'csi-resizer']));
    // A node-only driver (no controller capability) is still fine.
    expect(build({ capabilities: [] })).not.toThrow();
  });

  it('takes capabilities as string literals and refuses unknown or repeated ones by position', () => {
    expect(build({ capabilities: ['CONTROLLER_SERVICE', 'CREATE_DELETE_VOLUMES' as any] }))
      .toThrow(/capabilities\[1\] 'CREATE_DELETE_VOLUMES' is not a CSI capability; use one of CONTROLLER_SERVICE, CREATE_DELETE_VOLUME/);
    expect(build({ capabilities: ['CONTROLLER_SERVICE', 'CONTROLLER_SERVICE'] })).toThrow(/capabilities\[1\] 'CONTROLLER_SERVICE' is listed twice/);
    expect(build({ capabilities: 'CONTROLLER_SERVICE' as any })).toThrow(/capabilities 'CONTROLLER_SERVICE' is not a list/);
  });

  it('refuses a sidecar gate the pinned release does not know (the binary would not start), naming the fix', () => {
    expect(build({ resizer: { featureGates: { RecoverVolumeExpansionFailure: true } } }))
      .toThrow(/resizer\.featureGates\.RecoverVolumeExpansionFailure true is not a gate of csi-resizer v2\.3\.0; removed in csi-resizer v2\.3\.0.*drop the gate/);
    expect(build({ provisioner: { featureGates: { topology: true } } })).toThrow(/provisioner\.featureGates\.topology .*; the gate is spelled 'Topology'/);
    expect(build({ kubernetesVersion: '1.33', resizer: { featureGates: { RecoverVolumeExpansionFailure: false } } })).not.toThrow();
  });

  it('sets the resizer timeouts from v2.3.0, and says what to do on a target whose resizer lacks them', () => {
    const docs = synth({ resizer: { resizeTimeout: '10m', modifyTimeout: '5m' } });
    expect(container(controllerOf(docs), 'csi-resizer').args).toEqual(expect.arrayContaining(['--resize-timeout=10m', '--modify-timeout=5m']));
    expect(build({ kubernetesVersion: '1.33', resizer: { resizeTimeout: '10m' } }))
      .toThrow(/resizer\.resizeTimeout '10m' needs csi-resizer v2\.3\.0 or newer \(--resize-timeout\); the image is v1\.14\.0; .*target Kubernetes 1\.34\+/);
    expect(build({ resizer: { resizeTimeout: '10 minutes' } })).toThrow(/resizer\.resizeTimeout '10 minutes' is not a Go duration/);
  });

  it('refuses a provisioner release whose RBAC the catalog does not know', () => {
    expect(build({ provisioner: { image: { tag: 'v4.0.0' } } }))
      .toThrow(/provisioner\.image\.tag 'v4\.0\.0' has no catalogued RBAC rules .*; pin a release the catalog covers, e\.g\. 'v6\.4\.0'/);
  });

  it('refuses a floating driver image', () => {
    expect(build({ driverImage: 'quay.io/vendor/example-csi:latest' }))
      .toThrow(/driverImage 'quay\.io\/vendor\/example-csi:latest' is not a pinned image .*; write it as/);
  });

  it('refuses storage capacity without GET_CAPACITY', () => {
    expect(build({ capabilities: [C.CONTROLLER_SERVICE, C.CREATE_DELETE_VOLUME], provisioner: { storageCapacity: true } }))
      .toThrow(/provisioner\.storageCapacity true needs the GET_CAPACITY capability .*; add CsiCapability\.GET_CAPACITY/);
  });

  it('refuses SINGLE_POD with more than one replica', () => {
    expect(build({ mode: CsiDeploymentMode.SINGLE_POD, replicas: 2 }))
      .toThrow(/replicas 2 is not 1 in SINGLE_POD mode.*; set replicas to 1/);
  });

  it('refuses a base name too long for the derived workload labels', () => {
    expect(build({ name: 'a'.repeat(53) })).toThrow(/name 'a{53}' is longer than 52 characters.*; set 'name' to a shorter base name/);
  });

  it('refuses a relative socket path', () => {
    expect(build({ socketPath: 'csi/csi.sock' })).toThrow(/socketPath 'csi\/csi\.sock' is not a normalised absolute path; write it like/);
  });

  it('refuses a host path volume that collides with a rendered one', () => {
    expect(build({ nodeHostPaths: [{ name: 'socket-dir', hostPath: '/data', mountPath: '/data' }] }))
      .toThrow(/nodeHostPaths\[0\]\.name 'socket-dir' collides with a volume the construct renders; choose a name other than/);
  });

  it('refuses controller-only settings in SINGLE_POD mode', () => {
    expect(build({ mode: CsiDeploymentMode.SINGLE_POD, controllerSecretMounts: [{ name: 'cfg', secretName: 'cfg', mountPath: '/etc/cfg' }] }))
      .toThrow(/controllerSecretMounts .* has no separate controller or node workload to apply to in SINGLE_POD mode; use 'driverEnv'/);
  });

  it('refuses node tolerations in SINGLE_POD mode (a StatefulSet must not tolerate every taint)', () => {
    expect(build({ mode: CsiDeploymentMode.SINGLE_POD, nodeTolerations: [] }))
      .toThrow(/nodeTolerations \[\] has no separate controller or node workload .*; use .*'controllerPriorityClassName' for the single pod/);
  });

  it('refuses a priority class name that is not a DNS subdomain', () => {
    expect(build({ nodePriorityClassName: 'System_Node_Critical' })).toThrow(/nodePriorityClassName 'System_Node_Critical'/);
  });

  it('refuses a toleration with operator Exists and a value', () => {
    expect(build({ nodeTolerations: [{ operator: 'Exists', key: 'gpu', value: 'true' }] }))
      .toThrow(/nodeTolerations\[0\]\.value 'true' is set with operator 'Exists'.*; drop 'value' or use operator 'Equal'/);
  });

  it('refuses tolerationSeconds without effect NoExecute', () => {
    expect(build({ nodeTolerations: [{ operator: 'Exists', key: 'gpu', effect: 'NoSchedule', tolerationSeconds: 30 }] }))
      .toThrow(/nodeTolerations\[0\]\.tolerationSeconds 30 only applies to effect 'NoExecute'.*; set effect 'NoExecute'/);
  });

  it('refuses an Equal toleration without a key', () => {
    expect(build({ nodeTolerations: [{ operator: 'Equal', value: 'x' }] }))
      .toThrow(/nodeTolerations\[0\]\.key \(unset\) is empty with operator 'Equal'.*; name the taint key/);
  });

  it('refuses a driver container name that collides with a sidecar', () => {
    expect(build({ driverContainerName: 'csi-provisioner' }))
      .toThrow(/driverContainerName 'csi-provisioner' collides with a sidecar container the construct renders; choose a name other than/);
  });

  it('refuses an extra host path mounted over the socket directory', () => {
    expect(build({ nodeHostPaths: [{ name: 'data', hostPath: '/data', mountPath: '/csi' }] }))
      .toThrow(/nodeHostPaths\[0\]\.mountPath '\/csi' is already the mount path of the socket directory; mount it at a directory of its own/);
  });

  it('refuses two extra host paths with one name', () => {
    expect(build({ nodeHostPaths: [{ name: 'data', hostPath: '/a', mountPath: '/a' }, { name: 'data', hostPath: '/b', mountPath: '/b' }] }))
      .toThrow(/nodeHostPaths\[1\]\.name 'data' is used twice in 'nodeHostPaths'; give every extra volume its own name/);
  });

  it('refuses overriding the env the construct derives', () => {
    expect(build({ driverEnv: { CSI_ENDPOINT: 'unix:///tmp/x.sock' } }))
      .toThrow(/driverEnv 'CSI_ENDPOINT' is set by the construct .*; drop 'CSI_ENDPOINT' from 'driverEnv'/);
  });

  it('refuses a default fsType that is not a filesystem name', () => {
    expect(build({ provisioner: { defaultFsType: 'ext4 -o ro' } }))
      .toThrow(/provisioner\.defaultFsType 'ext4 -o ro' is not a filesystem type name; write it like 'ext4'/);
  });

  it('refuses a malformed timeout', () => {
    expect(build({ provisioner: { timeout: '60' } })).toThrow(/provisioner\.timeout '60' is not a Go duration; write it like '30s'/);
  });
});

describe('CsiDriver: credentials in env come from Secrets', () => {
  const SECRET_REF = { secretKeyRef: { name: 'aws-credentials', key: 'secret-access-key' } };

  it('renders a Secret reference as valueFrom.secretKeyRef, never as a literal value', () => {
    const docs = synth({ controllerDriverEnv: { AWS_SECRET_ACCESS_KEY: SECRET_REF, AWS_REGION: 'eu-west-1' } });
    const env = container(controllerOf(docs), 'csi-driver').env;
    expect(env).toContainEqual({ name: 'AWS_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { name: 'aws-credentials', key: 'secret-access-key' } } });
    expect(env.find((e: Json) => e.name === 'AWS_SECRET_ACCESS_KEY').value).toBeUndefined();
    expect(env.map((e: Json) => e.name)).toEqual(['CSI_ENDPOINT', 'KUBE_NODE_NAME', 'AWS_REGION', 'AWS_SECRET_ACCESS_KEY']);
    // The node side does not get the controller's variables.
    expect(container(nodeOf(docs), 'csi-driver').env.map((e: Json) => e.name)).toEqual(['CSI_ENDPOINT', 'KUBE_NODE_NAME']);
  });

  it('refuses a credential written inline (SCENARIOS §3), without echoing it', () => {
    const run = build({ driverEnv: { AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' } });
    expect(run).toThrow(/driverEnv\.AWS_SECRET_ACCESS_KEY '\(value hidden\)' looks like a credential.*; set driverEnv\.AWS_SECRET_ACCESS_KEY: \{ secretKeyRef: \{ name: '<secret>', key: '<key>' \} \}/);
    expect(run).not.toThrow(/wJalrXUtnFEMI/);
  });

  it('applies the same credential heuristic as the class parameters, per env prop', () => {
    expect(build({ controllerDriverEnv: { DB_PASSWORD: 'hunter2' } })).toThrow(/controllerDriverEnv\.DB_PASSWORD '\(value hidden\)' looks like a credential/);
    expect(build({ nodeDriverEnv: { VENDOR_API_TOKEN: 'abc' } })).toThrow(/nodeDriverEnv\.VENDOR_API_TOKEN '\(value hidden\)' looks like a credential/);
    expect(build({ driverEnv: { apiKey: 'abc' } })).toThrow(/driverEnv\.apiKey '\(value hidden\)' looks like a credential/);
    // An access key ID is an identifier, not the secret half.
    expect(build({ driverEnv: { AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE' } })).not.toThrow();
  });

  it('allows a literal under a credential-looking name once listed in nonSecretEnvNames', () => {
    const docs = synth({ driverEnv: { TOKEN_FILE: '/var/run/secrets/tokens/vendor' }, nonSecretEnvNames: ['TOKEN_FILE'] });
    expect(container(nodeOf(docs), 'csi-driver').env).toContainEqual({ name: 'TOKEN_FILE', value: '/var/run/secrets/tokens/vendor' });
    expect(build({ driverEnv: { TOKEN_FILE: '/x' }, nonSecretEnvNames: ['TOKEN_PATH'] }))
      .toThrow(/nonSecretEnvNames 'TOKEN_PATH' names no variable of driverEnv, controllerDriverEnv or nodeDriverEnv; list only env names you set/);
  });

  it('refuses PEM material in a literal env value', () => {
    expect(build({ driverEnv: { TLS_CA: '-----BEGIN CERTIFICATE-----\nMIIB' } }))
      .toThrow(/driverEnv\.TLS_CA '\(PEM block, hidden\)' holds key or certificate material; put it in a Secret and set driverEnv\.TLS_CA: \{ secretKeyRef/);
  });

  it('refuses a Secret reference with a bad name or key, or a value of another shape', () => {
    expect(build({ driverEnv: { API_TOKEN: { secretKeyRef: { name: 'Vendor_Creds', key: 'token' } } } }))
      .toThrow(/driverEnv\.API_TOKEN\.secretKeyRef\.name 'Vendor_Creds' is not a valid DNS-1123 subdomain; use at most 253 lower-case/);
    expect(build({ driverEnv: { API_TOKEN: { secretKeyRef: { name: 'vendor', key: 'a/b' } } } }))
      .toThrow(/driverEnv\.API_TOKEN\.secretKeyRef\.key 'a\/b' is not a Secret data key; use the key as it appears/);
    expect(build({ driverEnv: { PORT: 8080 as unknown as string } }))
      .toThrow(/driverEnv\.PORT 8080 is neither a string nor \{ secretKeyRef: \{ name, key \} \}; write a literal string, or set driverEnv\.PORT/);
  });
});

describe('CsiDriver: resource quantities', () => {
  it('refuses a request that is not a Kubernetes quantity, on any container', () => {
    expect(build({ provisioner: { resources: { requests: { cpu: 'lots', memory: '32Mi' } } } }))
      .toThrow(/provisioner\.resources\.requests\.cpu 'lots' is not a Kubernetes quantity; write a number with an optional suffix, e\.g\. cpu '100m'/);
    expect(build({ driverResources: { requests: { cpu: '10m', memory: '64MB' } } }))
      .toThrow(/driverResources\.requests\.memory '64MB' is not a Kubernetes quantity/);
    expect(build({ nodeDriverRegistrar: { resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '1 Gi' } } } }))
      .toThrow(/nodeDriverRegistrar\.resources\.limits\.memory '1 Gi' is not a Kubernetes quantity/);
  });

  it('refuses a negative quantity', () => {
    expect(build({ livenessProbe: { resources: { requests: { cpu: '-10m', memory: '32Mi' } } } }))
      .toThrow(/livenessProbe\.resources\.requests\.cpu '-10m' is negative; give a quantity of zero or more/);
  });

  it('refuses a request above its limit, comparing exact values across suffixes', () => {
    expect(build({ driverResources: { requests: { cpu: '10m', memory: '1Gi' }, limits: { memory: '1000Mi' } } }))
      .toThrow(/driverResources\.requests\.memory '1Gi' is above driverResources\.limits\.memory '1000Mi'.*; lower the request or raise the limit/);
    // 1Gi == 1024Mi: equal is allowed.
    expect(build({ driverResources: { requests: { cpu: '10m', memory: '1Gi' }, limits: { memory: '1024Mi' } } })).not.toThrow();
  });

  it('refuses a resource name the API server does not know', () => {
    expect(build({ snapshotter: { resources: { requests: { cpu: '10m', memroy: '32Mi' } } } }))
      .toThrow(/snapshotter\.resources\.requests 'memroy' is not a container resource name; use cpu, ephemeral-storage, memory, hugepages-<size> or a domain-prefixed/);
  });

  it('accepts decimal, binary and exponent forms', () => {
    const docs = synth({ driverResources: { requests: { cpu: '0.5', memory: '128974848', 'ephemeral-storage': '1e9' }, limits: { memory: '129e6' } } });
    expect(container(controllerOf(docs), 'csi-driver').resources.requests).toEqual({ 'cpu': '0.5', 'ephemeral-storage': '1e9', 'memory': '128974848' });
  });
});

describe('CsiDriver: vendor image tags', () => {
  for (const tag of ['main', 'master', 'stable', 'edge', 'canary', 'release', 'stable-alpine', 'v1.2-nightly']) {
    it(`refuses the floating tag '${tag}' without a digest`, () => {
      expect(build({ driverImage: `quay.io/vendor/example-csi:${tag}` }))
        .toThrow(new RegExp(`driverImage 'quay\\.io/vendor/example-csi:${tag.replace(/\./g, '\\.')}' has the floating tag '${tag.replace(/\./g, '\\.')}', which names a moving target.*; pin a release tag with its version .* or add the digest`));
    });
  }

  it('accepts a floating tag pinned by digest, and versioned tags', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(build({ driverImage: `quay.io/vendor/example-csi:stable@${digest}` })).not.toThrow();
    for (const tag of ['v1.2.3', '1.17.1', 'v2.0.0-rc.1', '20240101']) {
      expect(build({ driverImage: `quay.io/vendor/example-csi:${tag}` }), tag).not.toThrow();
    }
  });
});

describe('CsiDriver: a replicated controller is spread and protected from drains', () => {
  const pdbs = (docs: Json[]) => ofKind(docs, 'PodDisruptionBudget');

  it('gives a Deployment controller a PDB (minAvailable 1) over exactly its pods', () => {
    const docs = synth({ replicas: 2 });
    const ctrl = controllerOf(docs);
    expect(pdbs(docs)).toHaveLength(1);
    const pdb = pdbs(docs)[0];
    expect(pdb.metadata).toMatchObject({ name: 'example-csi-vendor-io-controller', namespace: 'kube-system' });
    expect(pdb.spec).toEqual({ minAvailable: 1, unhealthyPodEvictionPolicy: 'AlwaysAllow', selector: { matchLabels: ctrl.spec.selector.matchLabels } });
    // The node DaemonSet's pods are not selected.
    expect(pdb.spec.selector.matchLabels['app.kubernetes.io/component']).toBe('controller');
  });

  it('spreads a Deployment controller softly over hostname and zone', () => {
    const ctrl = controllerOf(synth({ replicas: 3 }));
    const match = ctrl.spec.selector.matchLabels;
    expect(ctrl.spec.template.spec.topologySpreadConstraints).toEqual([
      { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: match } },
      { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: match } },
    ]);
  });

  it('adds neither to a single-replica StatefulSet, SINGLE_POD or the node DaemonSet', () => {
    for (const props of [{}, { mode: CsiDeploymentMode.SINGLE_POD }] as const) {
      const docs = synth(props);
      expect(pdbs(docs)).toHaveLength(0);
      for (const w of [...ofKind(docs, 'StatefulSet'), ...ofKind(docs, 'DaemonSet')]) expect(w.spec.template.spec.topologySpreadConstraints).toBeUndefined();
    }
    expect(nodeOf(synth({ replicas: 2 })).spec.template.spec.topologySpreadConstraints).toBeUndefined();
  });

  it('turns each off on its own', () => {
    const noPdb = synth({ replicas: 2, controllerPodDisruptionBudget: false });
    expect(pdbs(noPdb)).toHaveLength(0);
    expect(controllerOf(noPdb).spec.template.spec.topologySpreadConstraints).toHaveLength(2);
    const noSpread = synth({ replicas: 2, controllerTopologySpread: false });
    expect(pdbs(noSpread)).toHaveLength(1);
    expect(controllerOf(noSpread).spec.template.spec.topologySpreadConstraints).toBeUndefined();
  });

  it('refuses asking for them where there is no replicated controller', () => {
    expect(build({ controllerPodDisruptionBudget: true }))
      .toThrow(/controllerPodDisruptionBudget true applies to a replicated controller Deployment, but this driver renders a single-replica StatefulSet; drop 'controllerPodDisruptionBudget', or set replicas above 1/);
    expect(build({ mode: CsiDeploymentMode.SINGLE_POD, controllerTopologySpread: true }))
      .toThrow(/controllerTopologySpread true applies .* but this driver renders one SINGLE_POD StatefulSet/);
    expect(build({ capabilities: [], replicas: 2, controllerPodDisruptionBudget: true }))
      .toThrow(/controllerPodDisruptionBudget true .* renders no controller workload/);
  });
});
