/** The one catalog: images, protection floors and what each Kubernetes minor offers. */
export * from './images';
export * from './kubernetes';
export * from './protection';
export * from './semver';
export * from './policy-names';
export * from './rbac';
export * from './snapshot-controller';
export * from './sidecars';
export * from './feature-gates';
export * from './openshift';
export * from './classes';
export * from './snapshot-user-access';
export * from './volume-health';
export * from './snapshot-api';
export * from './doctor-rbac';
export * from './admission';
export * from './cel-functions';
