/** Splits a container image reference into the parts the checks compare. */

/** A parsed image reference. */
export interface ParsedImage {
  /** Repository path without registry, tag or digest, e.g. `sig-storage/csi-provisioner`. */
  readonly repository: string;
  /** Last path segment of the repository, which names the component on every mirror. */
  readonly name: string;
  readonly tag?: string;
  readonly digest?: string;
}

/** `registry.k8s.io/sig-storage/csi-provisioner:v6.3.0@sha256:...` -> parts. */
export function parseImage(image: string): ParsedImage {
  let rest = image.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const parts = rest.split('/');
  // A first segment with a dot or a port, or `localhost`, is a registry host (Docker's rule).
  if (parts.length > 1 && (/[.:]/.test(parts[0]) || parts[0] === 'localhost')) parts.shift();
  return { repository: parts.join('/'), name: parts[parts.length - 1], tag, digest };
}
