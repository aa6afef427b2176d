import * as fs from 'node:fs';
import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { CsiDriver, SnapshotController, StorageClass } from '../src';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { generate, OUT } = require('../scripts/prop-names.cjs');

describe('props nobody reads are refused (typos from plain JavaScript)', () => {
  it('src/constructs/common/_prop-names.ts is what the props interfaces say (else: npm run gen:prop-names)', () => {
    expect(fs.readFileSync(OUT, 'utf8')).toBe(generate());
  }, 60_000);

  it('a misspelt prop names itself and the prop meant', () => {
    expect(() => new SnapshotController(Testing.chart(), 'C', { replica: 3 } as any))
      .toThrow(/test\/C: replica 3 is not a prop of SnapshotController; did you mean 'replicas'\?/);
    expect(() => new StorageClass(Testing.chart(), 'S', { name: 'fast', provisioner: 'csi.example.com', allowVolumeExpension: true } as any))
      .toThrow(/allowVolumeExpension true is not a prop of StorageClass; did you mean 'allowVolumeExpansion'\?/);
    expect(() => new CsiDriver(Testing.chart(), 'D', {
      driverName: 'csi.example.com', driverImage: 'quay.io/example/csi:v1.0.0', capabilities: [], somethingElse: 1,
    } as any)).toThrow(/somethingElse 1 is not a prop of CsiDriver; use one of attacher, capabilities/);
  });
});

describe('option objects written inline are checked one level down', () => {
  it('a typo inside provisioner: { ... } names the full path and the prop meant', () => {
    expect(() => new CsiDriver(Testing.chart(), 'D', {
      driverName: 'csi.example.com', driverImage: 'quay.io/example/csi:v1.0.0', capabilities: ['CONTROLLER_SERVICE', 'CREATE_DELETE_VOLUME'],
      provisioner: { timout: '30s' },
    } as any)).toThrow(/provisioner\.timout '30s' is not a prop of provisioner \(CsiDriver\); did you mean 'provisioner\.timeout'\?/);
    expect(() => new CsiDriver(Testing.chart(), 'D', {
      driverName: 'csi.example.com', driverImage: 'quay.io/example/csi:v1.0.0', capabilities: ['CONTROLLER_SERVICE', 'CREATE_DELETE_VOLUME'],
      provisioner: { timeout: '30s' },
    })).not.toThrow();
  });
});
