/**
 * Errors of the KMS emulator, shaped like the ones AWS KMS sends.
 *
 * The AWS SDK's JSON 1.1 deserializer takes the error code from the `__type` member of the body
 * (before the `code` member and the `x-amzn-errortype` header), strips any `namespace#` prefix, and
 * looks it up among the modelled KMS exceptions; so the code must be the bare exception name for
 * `instanceof NotFoundException` etc. to hold. Codes KMS does not model (ValidationException,
 * UnknownOperationException, SerializationException) surface as `KMSServiceException` with that `name`.
 *
 * Messages never contain key material, plaintext or data keys: they are shown in logs and test output.
 */

export type KmsErrorCode =
  | 'AlreadyExistsException'
  | 'DryRunOperationException'
  | 'IncorrectKeyException'
  | 'InvalidAliasNameException'
  | 'InvalidCiphertextException'
  | 'InvalidKeyUsageException'
  | 'KMSInternalException'
  | 'KMSInvalidMacException'
  | 'KMSInvalidSignatureException'
  | 'NotFoundException'
  | 'SerializationException'
  | 'UnknownOperationException'
  | 'UnsupportedOperationException'
  | 'ValidationException';

export class KmsError extends Error {
  constructor(
    readonly code: KmsErrorCode,
    message: string,
    /** KMS answers client errors with 400; only a wrong method (405), the body limit (413) and bugs (500) differ. */
    readonly status = 400,
  ) {
    super(message);
    this.name = code;
  }
}

export function validationError(message: string): KmsError {
  return new KmsError('ValidationException', message);
}

/** The JSON body KMS sends with an error: `{"__type": "...", "message": "..."}`. */
export function errorBody(error: KmsError): { __type: KmsErrorCode; message: string } {
  return { __type: error.code, message: error.message };
}
