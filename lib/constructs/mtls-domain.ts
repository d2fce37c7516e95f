import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as s3 from 'aws-cdk-lib/aws-s3';

export interface MtlsDomain {
  /** e.g. `api.himaya.example` (a CNAME or alias to the regional domain name is left to the operator). */
  domainName: string;
  /** ACM certificate for `domainName`, in the stack's region. */
  certificateArn: string;
  /** `s3://<bucket>/<key>` of the PEM trust store (the CA certificates of the agencies' client certificates). */
  truststoreUri: string;
  /** S3 object version of the trust store, to pin it. */
  truststoreVersion?: string;
}

/** The bucket and key of an `s3://<bucket>/<key>` trust store URI. */
function parseTruststoreUri(uri: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!match) throw new Error('the mTLS trust store must be given as s3://<bucket>/<key>');
  return { bucket: match[1] as string, key: match[2] as string };
}

/**
 * Custom domain: agency systems must present a client certificate issued by a CA of the trust store
 * (mutual TLS, with the TLS 1.2 policy, the one API Gateway allows with mutual TLS).
 */
export function addMtlsDomain(restApi: apigateway.RestApi, domain: MtlsDomain): apigateway.DomainName {
  const truststore = parseTruststoreUri(domain.truststoreUri);
  return restApi.addDomainName('MtlsDomain', {
    domainName: domain.domainName,
    certificate: acm.Certificate.fromCertificateArn(restApi, 'Certificate', domain.certificateArn),
    endpointType: apigateway.EndpointType.REGIONAL,
    securityPolicy: apigateway.SecurityPolicy.TLS_1_2,
    mtls: {
      bucket: s3.Bucket.fromBucketName(restApi, 'Truststore', truststore.bucket),
      key: truststore.key,
      ...(domain.truststoreVersion ? { version: domain.truststoreVersion } : {}),
    },
  });
}
