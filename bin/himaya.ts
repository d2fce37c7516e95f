import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks } from 'cdk-nag';
import { HimayaStack } from '../lib/himaya-stack';

const app = new App();

// Environment-agnostic: deploys to the CLI's account and region; nothing here needs a lookup.
new HimayaStack(app, 'Himaya');

// AwsSolutions, HIPAA Security and NIST 800-53 rev 5: any unacknowledged finding (error or warning) fails
// `cdk synth`; each acknowledgement sits on the
// construct it concerns, with its reason (see lib/constructs).
Validations.of(app).addPlugins(
  new AwsSolutionsChecks(app),
  new HIPAASecurityChecks(app),
  new NIST80053R5Checks(app),
);
