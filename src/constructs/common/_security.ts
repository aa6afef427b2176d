/**
 * Security contexts that pass Pod Security "restricted": non-root, no privilege escalation,
 * every capability dropped, RuntimeDefault seccomp, read-only root filesystem.
 */
import { PodSecurityContext, SecurityContext } from '../../imports/k8s';

/** Pod-level part of the restricted profile. */
export function restrictedPodSecurityContext(runAsUser: number): PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser,
    runAsGroup: runAsUser,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Variants of {@link restrictedContainerSecurityContext}. */
export interface ContainerSecurityOptions {
  /**
   * Keep uid 0 (`runAsUser: 0`, no `runAsNonRoot`) and everything else of the profile. Only for
   * containers that must open root-owned host sockets; such a container passes "baseline", not
   * "restricted".
   * @default false
   */
  readonly runAsRoot?: boolean;
}

/** Container-level part of the restricted profile (or its root variant, see the options). */
export function restrictedContainerSecurityContext(options: ContainerSecurityOptions = {}): SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    privileged: false,
    readOnlyRootFilesystem: true,
    ...(options.runAsRoot ? { runAsUser: 0 } : { runAsNonRoot: true }),
    seccompProfile: { type: 'RuntimeDefault' },
  };
}
