import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { Component, imageString } from '../src/catalog';
import { resolveImage } from '../src/constructs/common/_validation';

const scope = () => Testing.chart();

describe('resolveImage', () => {
  it('picks the newest release line the target can run (csi-resizer v2 needs 1.34 for VolumeAttributesClass v1)', () => {
    expect(resolveImage(scope(), { component: Component.CSI_RESIZER, prop: 'resizer.image', kubernetesMinor: 34 }).tag).toBe('v2.3.0');
    expect(resolveImage(scope(), { component: Component.CSI_RESIZER, prop: 'resizer.image', kubernetesMinor: 33 }).tag).toBe('v1.14.0');
  });

  it('refuses any tag of a release line the target cannot run, not only the catalogued tag', () => {
    for (const tag of ['v2.0.0', 'v2.2.0', 'v2.2.1']) {
      expect(() => resolveImage(scope(), { component: Component.CSI_RESIZER, prop: 'resizer.image', override: { tag }, kubernetesMinor: 32 }))
        .toThrow(new RegExp(`resizer\\.image\\.tag '${tag.replace(/\./g, '\\.')}' needs Kubernetes >= 1\\.34 like .* but the target is 1\\.32; use 'v1\\.14\\.0'`));
    }
    expect(() => resolveImage(scope(), { component: Component.CSI_PROVISIONER, prop: 'provisioner.image', override: { tag: 'v6.0.0' }, kubernetesMinor: 30 }))
      .toThrow(/provisioner\.image\.tag 'v6\.0\.0' needs Kubernetes >= 1\.34 .* use 'v5\.3\.0'/);
  });

  it('keeps registry and repository overrides (a mirror) and renders digests', () => {
    const digest = `sha256:${'0'.repeat(64)}`;
    const ref = resolveImage(scope(), {
      component: Component.CSI_PROVISIONER, prop: 'provisioner.image', kubernetesMinor: 36,
      override: { registry: 'mirror.example.com', repository: 'k8s/csi-provisioner', digest },
    });
    expect(imageString(ref)).toBe(`mirror.example.com/k8s/csi-provisioner:v6.4.0@${digest}`);
  });

  it('within a line, a tag needs what the newest catalogued release not newer than it needs', () => {
    // The health monitor's v0.19.0 writes PVC status.healthStatus (1.37); v0.18.0 and older v0 tags still run on 1.30.
    const monitor = (tag: string | undefined, kubernetesMinor: number) => resolveImage(scope(), {
      component: Component.CSI_EXTERNAL_HEALTH_MONITOR_CONTROLLER, prop: 'healthMonitor.image', kubernetesMinor, ...(tag ? { override: { tag } } : {}),
    }).tag;
    expect(monitor(undefined, 37)).toBe('v0.19.0');
    expect(monitor(undefined, 36)).toBe('v0.18.0');
    expect(monitor('v0.18.0', 30)).toBe('v0.18.0');
    expect(monitor('v0.12.0', 30)).toBe('v0.12.0');
    expect(() => monitor('v0.19.0', 36)).toThrow(/healthMonitor\.image\.tag 'v0\.19\.0' needs Kubernetes >= 1\.37 like that release .* use 'v0\.18\.0'/);
    expect(() => monitor('v0.19.1', 36)).toThrow(/needs Kubernetes >= 1\.37 like v0\.19\.0, the release it is catalogued under/);
  });

  it('applies the protection floor only when the construct relies on the flag', () => {
    const old = { component: Component.CSI_PROVISIONER, prop: 'provisioner.image', override: { tag: 'v3.3.0' }, kubernetesMinor: 30 };
    expect(() => resolveImage(scope(), { ...old, protection: true })).toThrow(/needs >= v3\.4\.0 for --prevent-volume-mode-conversion/);
    expect(resolveImage(scope(), old).tag).toBe('v3.3.0');
  });
});
