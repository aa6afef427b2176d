/** CsiDriver: one CSI driver's controller and node workloads, its sidecars, RBAC and CSIDriver object. */
import * as path from 'node:path';
import { Construct } from 'constructs';
import {
  CAPACITY_OWNERREF_LEVEL, Component, COMPONENT_RELEASES, CONTROLLER_SIDECARS, ControllerSidecar, CSI_CONTAINER_REQUESTS,
  CSI_CONTROLLER_RUN_AS_USER, CSI_ENDPOINT_ENV, CSI_PATHS, CSI_SCHEDULING_DEFAULTS, CsiCapability, DRIVER_LIVENESS_PROBE,
  FEATURE_SECRETS, FEATURE_STORAGE_CAPACITY, ImageRef, imageString, LIVENESS_PROBE_FLAGS, NODE_DRIVER_REGISTRAR_FLAGS,
  NODE_NAME_ENV, NODE_SIDECAR_DEFAULTS as NS, RbacRule, rbacRuleSet, REGISTRAR_LIVENESS_PROBE,
} from '../../catalog';
import {
  Container, EnvVar, IntOrString, KubeCsiDriver, KubeDaemonSet, KubeDeployment, KubePodDisruptionBudget, KubeStatefulSet,
  PodSpec, SecurityContext, Volume, VolumeMount,
} from '../../imports/k8s';
import {
  checkVendorImage, nodeNameEnv, nodePluginContext, renderArgs, rootSidecarContext, toResourceRequirements,
} from './_csi-containers';
import { softTopologySpread } from '../common/_scheduling';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../common/_security';
import { resolveKubernetesMinor } from '../common/_target';
import { checkDnsLabel, checkDnsSubdomain, checkInteger, checkProps, PropError, resolveImage } from '../common/_validation';
import { ComponentRbac } from '../common/component-rbac';
import { labelObjects } from '../common/_labels';
import { namespaceName } from '../common/_subjects';
import type { ICsiDriverRef } from './_driver-ref';
import { checkCapabilities } from './_csi-capabilities';
import {
  checkAbsolute, checkEnv, checkNonSecretEnvNames, checkSocketPath, checkTolerations, controllerSidecarContainer,
} from './_csi-pod-parts';
import {
  AnySidecarOptions, CsiDeploymentMode, CsiDriverProps, FsGroupPolicy, SIDECAR_PROP, VolumeLifecycleMode,
} from './csi-driver-props';

// The props, enums and option types live beside the construct; users import them from here.
export * from './csi-driver-props';

/**
 * A complete CSI driver deployment: the CSIDriver object, the controller workload with the sidecars
 * the driver's capabilities call for, the node DaemonSet with registrar and livenessprobe, and one
 * RBAC set per sidecar. Paths derive from one socket path, so controller, node, registrar and
 * kubelet can never disagree.
 */
export class CsiDriver extends Construct implements ICsiDriverRef {
  /** The CSIDriver object. */
  public readonly csiDriver: KubeCsiDriver;
  /** Controller workload (StatefulSet or Deployment); in SINGLE_POD mode the one StatefulSet. */
  public readonly controller?: KubeStatefulSet | KubeDeployment;
  /** PodDisruptionBudget of the controller Deployment (replicas > 1 and not turned off). */
  public readonly controllerDisruptionBudget?: KubePodDisruptionBudget;
  /** Node DaemonSet (SPLIT mode only). */
  public readonly nodeDaemonSet?: KubeDaemonSet;
  /** Controller sidecars that run, in render order. */
  public readonly sidecars: readonly ControllerSidecar[];
  /** Images rendered, by component. */
  public readonly images: Readonly<Partial<Record<Component, ImageRef>>>;
  /** The driver name. */
  public readonly driverName: string;
  /** What the driver declares it can do (StorageClass and VolumeSnapshotClass check against it). */
  public readonly capabilities: ReadonlySet<CsiCapability>;
  /** Namespace of the workloads. */
  public readonly namespace: string;
  /** In-container socket path. */
  public readonly socketPath: string;
  /** Host path of the socket, as given to kubelet. */
  public readonly kubeletRegistrationPath: string;

  constructor(scope: Construct, id: string, props: CsiDriverProps) {
    super(scope, id);
    checkProps(this, props, 'CsiDriverProps');
    const minor = resolveKubernetesMinor(this, props.kubernetesVersion);
    const driverName = checkDnsSubdomain(this, 'driverName', props.driverName);
    const name = checkDnsLabel(this, 'name', props.name ?? driverName.replace(/\./g, '-'));
    // `<name>-controller` becomes a label value, which is capped at 63 characters.
    if (name.length > 63 - '-controller'.length) {
      throw new PropError(this, 'name', name, `is longer than ${63 - '-controller'.length} characters, too long for '<name>-controller' labels`,
        "set 'name' to a shorter base name, e.g. the vendor's short driver name");
    }
    const namespace = namespaceName(this, 'namespace', props.namespace ?? 'kube-system');
    const driverImage = checkVendorImage(this, 'driverImage', props.driverImage);
    const caps = checkCapabilities(this, props.capabilities);
    const mode = props.mode ?? CsiDeploymentMode.SPLIT;
    const replicas = checkInteger(this, 'replicas', props.replicas ?? 1, 1);
    const leaderElection = props.leaderElection ?? replicas > 1;
    const verbosity = checkInteger(this, 'logVerbosity', props.logVerbosity ?? 2, 0, 10);
    const httpEndpoints = props.httpEndpoints ?? true;
    const seLinuxPrivileged = props.seLinuxPrivilegedSidecars ?? false;
    this.driverName = driverName;
    this.capabilities = caps;
    this.namespace = namespace;

    if (replicas > 1 && !leaderElection) {
      throw new PropError(this, 'leaderElection', false, `with replicas ${replicas} lets every replica act at once (duplicate CSI calls)`,
        'turn leaderElection on (the default when replicas > 1) or set replicas to 1');
    }
    if (mode === CsiDeploymentMode.SINGLE_POD && replicas !== 1) {
      throw new PropError(this, 'replicas', replicas, 'is not 1 in SINGLE_POD mode, which pins controller and node plugin to one pod',
        'set replicas to 1 or use CsiDeploymentMode.SPLIT');
    }
    if (!caps.has(CsiCapability.CONTROLLER_SERVICE) && mode === CsiDeploymentMode.SINGLE_POD) {
      throw new PropError(this, 'capabilities', props.capabilities, 'lack CONTROLLER_SERVICE, which SINGLE_POD mode exists to co-locate',
        'use CsiDeploymentMode.SPLIT for a node-only driver');
    }

    const replicatedController = caps.has(CsiCapability.CONTROLLER_SERVICE) && mode === CsiDeploymentMode.SPLIT && replicas > 1;
    for (const prop of ['controllerTopologySpread', 'controllerPodDisruptionBudget'] as const) {
      if (props[prop] === true && !replicatedController) {
        const rendered = !caps.has(CsiCapability.CONTROLLER_SERVICE) ? 'no controller workload'
          : mode === CsiDeploymentMode.SPLIT ? 'a single-replica StatefulSet' : 'one SINGLE_POD StatefulSet';
        throw new PropError(this, prop, true, `applies to a replicated controller Deployment, but this driver renders ${rendered}`,
          `drop '${prop}', or set replicas above 1 in SPLIT mode`);
      }
    }

    // --- paths: one socket path, everything else derived from it
    const socketPath = checkSocketPath(this, props);
    const kubeletDir = checkAbsolute(this, 'kubeletDir', props.kubeletDir ?? CSI_PATHS.kubeletDir);
    const pluginDirName = props.pluginDirName ?? driverName;
    if (pluginDirName.includes('/') || pluginDirName.length === 0 || pluginDirName.startsWith('.')) {
      throw new PropError(this, 'pluginDirName', pluginDirName, 'is not a single directory name', `use a name such as '${driverName}'`);
    }
    const pluginsDir = path.posix.join(kubeletDir, CSI_PATHS.pluginsSubdir);
    const pluginDir = path.posix.join(pluginsDir, pluginDirName);
    const socketDir = path.posix.dirname(socketPath);
    this.socketPath = socketPath;
    this.kubeletRegistrationPath = path.posix.join(pluginDir, path.posix.basename(socketPath));

    // --- which sidecars run
    const hasControllerService = caps.has(CsiCapability.CONTROLLER_SERVICE);
    const wanted: ControllerSidecar[] = [];
    for (const spec of Object.values(CONTROLLER_SIDECARS)) {
      const prop = SIDECAR_PROP[spec.sidecar];
      const given = props[prop] !== undefined;
      const missing = spec.requires.filter((c) => !caps.has(c));
      const oneOfMissing = spec.requiresOneOf && !spec.requiresOneOf.some((c) => caps.has(c)) ? spec.requiresOneOf : [];
      const capable = missing.length === 0 && oneOfMissing.length === 0;
      // The health monitor is opt-in; the others follow the capabilities.
      const optIn = spec.sidecar === ControllerSidecar.HEALTH_MONITOR;
      if (given && !capable) {
        const lacking = [...missing, ...(oneOfMissing.length ? [oneOfMissing.join(' or ')] : [])].join(', ');
        throw new PropError(this, prop, props[prop],
          `asks for ${spec.containerName} but capabilities lack ${lacking} (${spec.requiresReason})`,
          `remove '${prop}', or add ${lacking} to 'capabilities' if the driver really implements it`);
      }
      if (capable && (!optIn || given)) wanted.push(spec.sidecar);
    }
    this.sidecars = wanted;

    // --- images
    const images: Partial<Record<Component, ImageRef>> = {};
    const sidecarOpts = (s: ControllerSidecar): AnySidecarOptions => (props[SIDECAR_PROP[s]] ?? {}) as AnySidecarOptions;
    const provisionerOpts = props.provisioner ?? {};
    const protection = provisionerOpts.preventVolumeModeConversion ?? true;
    for (const s of wanted) {
      const spec = CONTROLLER_SIDECARS[s];
      images[spec.component] = resolveImage(this, {
        component: spec.component, prop: `${SIDECAR_PROP[s]}.image`, override: sidecarOpts(s).image, kubernetesMinor: minor,
        protection: s === ControllerSidecar.PROVISIONER ? protection : undefined,
      });
    }
    images[Component.CSI_NODE_DRIVER_REGISTRAR] = resolveImage(this, {
      component: Component.CSI_NODE_DRIVER_REGISTRAR, prop: 'nodeDriverRegistrar.image', override: props.nodeDriverRegistrar?.image, kubernetesMinor: minor,
    });
    images[Component.LIVENESS_PROBE] = resolveImage(this, {
      component: Component.LIVENESS_PROBE, prop: 'livenessProbe.image', override: props.livenessProbe?.image, kubernetesMinor: minor,
    });
    this.images = images;

    const storageCapacity = provisionerOpts.storageCapacity ?? false;
    if (storageCapacity && !caps.has(CsiCapability.GET_CAPACITY)) {
      throw new PropError(this, 'provisioner.storageCapacity', true, 'needs the GET_CAPACITY capability (the provisioner publishes what GetCapacity returns)',
        "add CsiCapability.GET_CAPACITY to 'capabilities' or leave storageCapacity off");
    }
    if (storageCapacity && !wanted.includes(ControllerSidecar.PROVISIONER)) {
      throw new PropError(this, 'provisioner.storageCapacity', true, 'needs csi-provisioner, which this driver does not run', 'add CREATE_DELETE_VOLUME or leave storageCapacity off');
    }

    const labels = { 'app.kubernetes.io/part-of': name, ...(props.labels ?? {}) };
    const useStatefulSet = replicas === 1;

    // --- RBAC: one ServiceAccount per workload, one rule set per sidecar
    const controllerSa = mode === CsiDeploymentMode.SINGLE_POD ? name : `${name}-controller`;
    if (hasControllerService) {
      const saRbac = new ComponentRbac(this, 'ControllerServiceAccount', {
        namespace, serviceAccountName: controllerSa, clusterRoleName: controllerSa, clusterRules: [],
        roleName: controllerSa, namespacedRules: [], labels,
      });
      const rbacScope = new Construct(this, 'Rbac');
      for (const s of wanted) {
        const spec = CONTROLLER_SIDECARS[s];
        const tag = images[spec.component]!.tag;
        const set = rbacRuleSet(spec.component, tag);
        if (!set) {
          throw new PropError(this, `${SIDECAR_PROP[s]}.image.tag`, tag, `has no catalogued RBAC rules for ${spec.containerName}`,
            `pin a release the catalog covers, e.g. '${firstCatalogTag(spec.component)}'`);
        }
        const features: string[] = [];
        if (props.secretAccess) features.push(FEATURE_SECRETS);
        if (s === ControllerSidecar.PROVISIONER && storageCapacity) features.push(FEATURE_STORAGE_CAPACITY);
        const optCluster: RbacRule[] = features.flatMap((f) => set.optional[f]?.cluster ?? []);
        const optNamespaced: RbacRule[] = features.flatMap((f) => set.optional[f]?.namespaced ?? []);
        new ComponentRbac(rbacScope, spec.containerName, {
          namespace,
          serviceAccountName: saRbac.serviceAccountName,
          createServiceAccount: false,
          clusterRoleName: `${name}-${spec.rbacSuffix}`,
          clusterRules: [...set.cluster, ...optCluster],
          roleName: `${name}-${spec.rbacSuffix}`,
          // A single active replica never elects, so it gets no lease permissions.
          namespacedRules: [...(leaderElection ? set.namespaced : []), ...optNamespaced],
          labels,
          propPath: SIDECAR_PROP[s],
        });
      }
    }
    const nodeSa = `${name}-node`;
    if (mode === CsiDeploymentMode.SPLIT) {
      new ComponentRbac(this, 'NodeServiceAccount', {
        namespace, serviceAccountName: nodeSa, clusterRoleName: nodeSa, clusterRules: [], roleName: nodeSa, namespacedRules: [], labels,
      });
    }

    // --- CSIDriver
    const lifecycle = props.volumeLifecycleModes ?? [VolumeLifecycleMode.PERSISTENT];
    if (lifecycle.length === 0) {
      throw new PropError(this, 'volumeLifecycleModes', lifecycle, 'is empty', "list at least 'Persistent' or 'Ephemeral'");
    }
    this.csiDriver = new KubeCsiDriver(this, 'CSIDriver', {
      metadata: { name: driverName, labels },
      spec: {
        attachRequired: caps.has(CsiCapability.PUBLISH_UNPUBLISH_VOLUME),
        fsGroupPolicy: props.fsGroupPolicy ?? FsGroupPolicy.READ_WRITE_ONCE_WITH_FS_TYPE,
        podInfoOnMount: props.podInfoOnMount ?? false,
        requiresRepublish: props.requiresRepublish ?? false,
        storageCapacity,
        volumeLifecycleModes: [...new Set(lifecycle)].sort(),
        ...(props.seLinuxMount !== undefined ? { seLinuxMount: props.seLinuxMount } : {}),
      },
    });

    // --- containers
    const socketMount: VolumeMount = { name: 'socket-dir', mountPath: socketDir };
    const driverContainerName = checkDnsLabel(this, 'driverContainerName', props.driverContainerName ?? 'csi-driver');
    const renderedNames: string[] = [
      ...Object.values(CONTROLLER_SIDECARS).map((c) => c.containerName), NS.registrarContainerName, NS.livenessProbeContainerName,
    ];
    if (renderedNames.includes(driverContainerName)) {
      throw new PropError(this, 'driverContainerName', driverContainerName, 'collides with a sidecar container the construct renders',
        `choose a name other than ${renderedNames.join(', ')}, e.g. the driver's short name`);
    }
    const envProps = { driverEnv: props.driverEnv, controllerDriverEnv: props.controllerDriverEnv, nodeDriverEnv: props.nodeDriverEnv };
    const nonSecretEnvNames = checkNonSecretEnvNames(this, props.nonSecretEnvNames ?? [], envProps);
    const renderEnv = Object.fromEntries(Object.entries(envProps).map(([prop, env]) =>
      [prop, checkEnv(this, prop, env ?? {}, nonSecretEnvNames)])) as Record<keyof typeof envProps, Record<string, EnvVar>>;
    const driverEnvFor = (prop: 'controllerDriverEnv' | 'nodeDriverEnv'): EnvVar[] => {
      const merged = { ...renderEnv.driverEnv, ...renderEnv[prop] };
      return [
        { name: CSI_ENDPOINT_ENV, value: `unix://${socketPath}` }, nodeNameEnv(),
        ...Object.keys(merged).sort().map((k) => merged[k]),
      ];
    };
    if (mode === CsiDeploymentMode.SINGLE_POD) {
      for (const prop of ['controllerSecretMounts', 'controllerDriverEnv', 'nodePriorityClassName', 'nodeTolerations'] as const) {
        if (props[prop] !== undefined) {
          throw new PropError(this, prop, props[prop], 'has no separate controller or node workload to apply to in SINGLE_POD mode',
            "use 'driverEnv' / 'nodeHostPaths' / 'controllerPriorityClassName' for the single pod, or CsiDeploymentMode.SPLIT");
        }
      }
    }
    const controllerPriorityClassName = checkDnsSubdomain(this, 'controllerPriorityClassName',
      props.controllerPriorityClassName ?? CSI_SCHEDULING_DEFAULTS.controllerPriorityClassName);
    const nodePriorityClassName = checkDnsSubdomain(this, 'nodePriorityClassName',
      props.nodePriorityClassName ?? CSI_SCHEDULING_DEFAULTS.nodePriorityClassName);
    const nodeTolerations = checkTolerations(this, props.nodeTolerations ?? CSI_SCHEDULING_DEFAULTS.nodeTolerations);

    // Extra mounts share a pod with the rendered ones (secrets the controller's, host paths the
    // node plugin's): names and mount paths must not clash within that pod.
    const secretMounts = props.controllerSecretMounts ?? [];
    const nodeHostPaths = props.nodeHostPaths ?? [];
    const checkExtraMounts = (listProp: string, items: ReadonlyArray<{ name: string; mountPath: string }>, taken: Map<string, string>) => {
      const names = new Set<string>();
      items.forEach((m, i) => {
        const prop = `${listProp}[${i}]`;
        checkDnsLabel(this, `${prop}.name`, m.name);
        if (RESERVED_VOLUMES.includes(m.name)) {
          throw new PropError(this, `${prop}.name`, m.name, 'collides with a volume the construct renders', `choose a name other than ${RESERVED_VOLUMES.join(', ')}`);
        }
        if (names.has(m.name)) throw new PropError(this, `${prop}.name`, m.name, `is used twice in '${listProp}'`, 'give every extra volume its own name');
        names.add(m.name);
        checkAbsolute(this, `${prop}.mountPath`, m.mountPath);
        const holder = taken.get(m.mountPath);
        if (holder) throw new PropError(this, `${prop}.mountPath`, m.mountPath, `is already the mount path of ${holder}`, 'mount it at a directory of its own');
        taken.set(m.mountPath, `'${prop}'`);
      });
    };
    checkExtraMounts('controllerSecretMounts', secretMounts, new Map([[socketDir, 'the socket directory']]));
    secretMounts.forEach((m, i) => checkDnsSubdomain(this, `controllerSecretMounts[${i}].secretName`, m.secretName));
    checkExtraMounts('nodeHostPaths', nodeHostPaths, new Map([[socketDir, 'the socket directory'], [CSI_PATHS.devDir, 'the device directory']]));
    nodeHostPaths.forEach((h, i) => checkAbsolute(this, `nodeHostPaths[${i}].hostPath`, h.hostPath));

    const driverArgs = [...(props.driverArgs ?? [`--endpoint=$(${CSI_ENDPOINT_ENV})`, `--nodeid=$(${NODE_NAME_ENV})`])];
    const driverResources = toResourceRequirements(this, 'driverResources', props.driverResources, CSI_CONTAINER_REQUESTS.driver);
    const livenessPort = NS.livenessProbePort;
    /** The driver container; controller and node side differ only in env, privilege and mounts. */
    const driverContainer = (env: EnvVar[], securityContext: SecurityContext, volumeMounts: VolumeMount[]): Container => ({
      name: driverContainerName,
      image: driverImage,
      imagePullPolicy: 'IfNotPresent',
      args: driverArgs,
      env,
      ports: [{ name: NS.livenessProbePortName, containerPort: livenessPort, protocol: 'TCP' }],
      livenessProbe: { httpGet: { path: NS.healthPath, port: IntOrString.fromString(NS.livenessProbePortName) }, ...DRIVER_LIVENESS_PROBE },
      resources: driverResources,
      securityContext,
      volumeMounts: [socketMount, ...volumeMounts],
    });

    const nodePluginContainer = driverContainer(driverEnvFor('nodeDriverEnv'), nodePluginContext(), [
      { name: 'mountpoint-dir', mountPath: path.posix.join(kubeletDir, CSI_PATHS.podsSubdir), mountPropagation: 'Bidirectional' },
      { name: 'plugins-dir', mountPath: pluginsDir, mountPropagation: 'Bidirectional' },
      { name: 'dev-dir', mountPath: CSI_PATHS.devDir },
      ...nodeHostPaths.map((h) => ({ name: h.name, mountPath: h.mountPath })),
    ]);
    /** Registrar and livenessprobe: each its own flag set, both taking verbosity, socket and HTTP endpoint. */
    const nodeHelper = (h: {
      name: string; component: Component; prop: 'nodeDriverRegistrar' | 'livenessProbe'; httpPort: number;
      flags: typeof NODE_DRIVER_REGISTRAR_FLAGS | typeof LIVENESS_PROBE_FLAGS;
      extraFlags?: Record<string, string>; context: SecurityContext; extra?: Partial<Container>; mounts?: VolumeMount[];
    }): Container => ({
      name: h.name,
      image: imageString(images[h.component]!),
      imagePullPolicy: 'IfNotPresent',
      args: renderArgs({
        [h.flags.verbosity]: verbosity,
        [h.flags.csiAddress]: socketPath,
        [h.flags.httpEndpoint]: `:${h.httpPort}`,
        ...h.extraFlags,
      }),
      ...h.extra,
      resources: toResourceRequirements(this, `${h.prop}.resources`, props[h.prop]?.resources, CSI_CONTAINER_REQUESTS.sidecar),
      securityContext: h.context,
      volumeMounts: [socketMount, ...(h.mounts ?? [])],
    });
    const nodeSidecarContext = rootSidecarContext(seLinuxPrivileged);
    const registrar = nodeHelper({
      name: NS.registrarContainerName, component: Component.CSI_NODE_DRIVER_REGISTRAR, prop: 'nodeDriverRegistrar',
      flags: NODE_DRIVER_REGISTRAR_FLAGS, httpPort: NS.registrarHttpPort, context: nodeSidecarContext,
      extraFlags: { [NODE_DRIVER_REGISTRAR_FLAGS.kubeletRegistrationPath]: this.kubeletRegistrationPath },
      extra: {
        env: [nodeNameEnv()],
        ports: [{ name: NS.registrarPortName, containerPort: NS.registrarHttpPort, protocol: 'TCP' }],
        livenessProbe: { httpGet: { path: NS.healthPath, port: IntOrString.fromString(NS.registrarPortName) }, ...REGISTRAR_LIVENESS_PROBE },
      },
      mounts: [{ name: 'registration-dir', mountPath: CSI_PATHS.registrationMountPath }],
    });
    const livenessSidecar = (context: SecurityContext): Container => nodeHelper({
      name: NS.livenessProbeContainerName, component: Component.LIVENESS_PROBE, prop: 'livenessProbe',
      flags: LIVENESS_PROBE_FLAGS, httpPort: livenessPort, context,
    });

    const timings = props.leaderElectionTimings ?? {};
    const sidecarContainer = (s: ControllerSidecar, context: SecurityContext): Container =>
      controllerSidecarContainer(this, CONTROLLER_SIDECARS[s], sidecarOpts(s), {
        image: images[CONTROLLER_SIDECARS[s].component]!, socketPath, socketMount, verbosity, leaderElection, httpEndpoints,
        timings, context, protection, storageCapacity, ownerLevel: useStatefulSet ? CAPACITY_OWNERREF_LEVEL.statefulSet : CAPACITY_OWNERREF_LEVEL.deployment,
      });

    const nodeVolumes: Volume[] = [
      { name: 'socket-dir', hostPath: { path: pluginDir, type: 'DirectoryOrCreate' } },
      { name: 'registration-dir', hostPath: { path: path.posix.join(kubeletDir, CSI_PATHS.registrationSubdir), type: 'Directory' } },
      { name: 'mountpoint-dir', hostPath: { path: path.posix.join(kubeletDir, CSI_PATHS.podsSubdir), type: 'DirectoryOrCreate' } },
      { name: 'plugins-dir', hostPath: { path: pluginsDir, type: 'Directory' } },
      { name: 'dev-dir', hostPath: { path: CSI_PATHS.devDir, type: 'Directory' } },
      ...nodeHostPaths.map((h) => ({ name: h.name, hostPath: { path: h.hostPath, type: h.type ?? 'DirectoryOrCreate' } })),
    ];

    if (mode === CsiDeploymentMode.SINGLE_POD) {
      const podLabels = { ...labels, 'app.kubernetes.io/name': name, 'app.kubernetes.io/component': 'plugin' };
      const spec: PodSpec = {
        serviceAccountName: controllerSa,
        priorityClassName: controllerPriorityClassName,
        containers: [
          nodePluginContainer,
          ...wanted.map((s) => sidecarContainer(s, nodeSidecarContext)),
          registrar,
          livenessSidecar(nodeSidecarContext),
        ],
        volumes: nodeVolumes,
      };
      this.controller = new KubeStatefulSet(this, 'StatefulSet', {
        metadata: { name, namespace, labels: podLabels },
        spec: { serviceName: name, replicas: 1, selector: { matchLabels: podLabels }, template: { metadata: { labels: podLabels }, spec } },
      });
      return;
    }

    if (hasControllerService) {
      const runAsUser = checkInteger(this, 'controllerRunAsUser', props.controllerRunAsUser ?? CSI_CONTROLLER_RUN_AS_USER, 1);
      const ctrlLabels = { ...labels, 'app.kubernetes.io/name': `${name}-controller`, 'app.kubernetes.io/component': 'controller' };
      const restricted = restrictedContainerSecurityContext();
      const controllerDriver = driverContainer(driverEnvFor('controllerDriverEnv'), restricted,
        secretMounts.map((m) => ({ name: m.name, mountPath: m.mountPath, readOnly: true })));
      const spec: PodSpec = {
        serviceAccountName: controllerSa,
        priorityClassName: controllerPriorityClassName,
        securityContext: restrictedPodSecurityContext(runAsUser),
        ...(replicatedController && (props.controllerTopologySpread ?? true) ? { topologySpreadConstraints: softTopologySpread(ctrlLabels) } : {}),
        containers: [
          controllerDriver,
          ...wanted.map((s) => sidecarContainer(s, restricted)),
          livenessSidecar(restricted),
        ],
        // The controller pod owns its socket; nothing on the host is touched.
        volumes: [
          { name: 'socket-dir', emptyDir: {} },
          ...secretMounts.map((m) => ({ name: m.name, secret: { secretName: m.secretName } })),
        ],
      };
      const template = { metadata: { labels: ctrlLabels }, spec };
      const metadata = { name: `${name}-controller`, namespace, labels: ctrlLabels };
      this.controller = useStatefulSet
        ? new KubeStatefulSet(this, 'Controller', {
          metadata, spec: { serviceName: `${name}-controller`, replicas: 1, selector: { matchLabels: ctrlLabels }, template },
        })
        : new KubeDeployment(this, 'Controller', { metadata, spec: { replicas, selector: { matchLabels: ctrlLabels }, template } });
      if (replicatedController && (props.controllerPodDisruptionBudget ?? true)) {
        this.controllerDisruptionBudget = new KubePodDisruptionBudget(this, 'ControllerDisruptionBudget', {
          metadata,
          spec: {
            minAvailable: IntOrString.fromNumber(1),
            // AlwaysAllow: evicting a Pod that is not Ready costs no availability; the default would
            // let two unready replicas block every node drain.
            unhealthyPodEvictionPolicy: 'AlwaysAllow',
            selector: { matchLabels: ctrlLabels },
          },
        });
      }
    }

    const nodeLabels = { ...labels, 'app.kubernetes.io/name': `${name}-node`, 'app.kubernetes.io/component': 'node' };
    this.nodeDaemonSet = new KubeDaemonSet(this, 'Node', {
      metadata: { name: `${name}-node`, namespace, labels: nodeLabels },
      spec: {
        selector: { matchLabels: nodeLabels },
        template: {
          metadata: { labels: nodeLabels },
          spec: {
            serviceAccountName: nodeSa,
            priorityClassName: nodePriorityClassName,
            ...(nodeTolerations.length ? { tolerations: nodeTolerations } : {}),
            containers: [nodePluginContainer, registrar, livenessSidecar(nodeSidecarContext)],
            volumes: nodeVolumes,
          },
        },
      },
    });
    // The driver is its own application: part-of names the driver, not this library.
    labelObjects(this, { name, component: 'csi-driver', partOf: labels['app.kubernetes.io/part-of'] });
  }

}

const RESERVED_VOLUMES = ['socket-dir', 'registration-dir', 'mountpoint-dir', 'plugins-dir', 'dev-dir'];

function firstCatalogTag(component: Component): string {
  return COMPONENT_RELEASES[component][0].tag;
}

