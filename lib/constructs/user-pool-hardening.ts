import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';

/**
 * What every Himaya user pool holds to, whoever signs in to it: long passwords of every kind of
 * character, TOTP MFA required (no SMS), no self-service recovery (a forgotten password or a lost
 * authenticator goes through an administrator, who checks who asks), threat protection blocking, and the
 * pool kept when the stack goes.
 */
export const HARDENED_USER_POOL = {
  selfSignUpEnabled: false,
  passwordPolicy: {
    minLength: 14,
    requireLowercase: true,
    requireUppercase: true,
    requireDigits: true,
    requireSymbols: true,
    tempPasswordValidity: Duration.days(1),
  },
  mfa: cognito.Mfa.REQUIRED,
  mfaSecondFactor: { otp: true, sms: false },
  accountRecovery: cognito.AccountRecovery.NONE,
  featurePlan: cognito.FeaturePlan.PLUS,
  standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
  deletionProtection: true,
  removalPolicy: RemovalPolicy.RETAIN,
} as const satisfies cognito.UserPoolProps;
