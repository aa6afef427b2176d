/**
 * Security contexts that pass Pod Security "restricted": non-root, no privilege escalation,
 * every capability dropped, RuntimeDefault seccomp, read-only root filesystem.
 */
import { PodSecurityContext, SecurityContext } from '../imports/k8s';

/** Pod-level part of the restricted profile. */
export function restrictedPodSecurityContext(runAsUser: number): PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser,
    runAsGroup: runAsUser,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Container-level part of the restricted profile. */
export function restrictedContainerSecurityContext(): SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    privileged: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}
