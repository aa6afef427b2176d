import { Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { SnapshotCrds } from '../src/constructs/snapshot-crds';
const c = Testing.chart(); new SnapshotCrds(c, 'Crds');
console.log(YAML.stringify(Testing.synth(c)[1]));
