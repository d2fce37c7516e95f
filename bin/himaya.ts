import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { HimayaStack } from '../lib/himaya-stack';

const app = new App();

// Environment-agnostic: deploys to the CLI's account and region; nothing here needs a lookup.
new HimayaStack(app, 'Himaya');

// Any unacknowledged finding (error or warning) fails `cdk synth`; each acknowledgement sits on the
// construct it concerns, with its reason (see lib/constructs).
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
