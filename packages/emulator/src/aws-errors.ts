import { ServiceError } from '@kvs-sig/core';

/**
 * HTTP status of each exception the emulator sends, from the service models
 * (kinesisvideo 2017-09-30, kinesis-video-signaling 2019-12-04,
 * kinesis-video-webrtc-storage 2018-05-10) and the AWS front end's auth errors.
 * @internal
 */
export const EXCEPTION_STATUS: Readonly<Record<string, number>> = {
  InvalidArgumentException: 400,
  ClientLimitExceededException: 400,
  AccountChannelLimitExceededException: 400,
  ResourceInUseException: 400,
  ResourceNotFoundException: 404,
  AccessDeniedException: 401,
  NotAuthorizedException: 401,
  VersionMismatchException: 400,
  TagsPerResourceExceededLimitException: 400,
  NoDataRetentionException: 400,
  InvalidClientException: 400,
  SessionExpiredException: 400,
  SerializationException: 400,
  // Coral's answer to a request no operation matches (also an operation of the model the
  // emulator does not serve): KVS endpoints answer com.amazon.coral.service#UnknownOperationException
  // (aws/aws-sdk-go#3542, boto/boto3#2909), with 400 wherever Coral's status is reported
  // (aws/aws-sdk-net#1536; Kinesis and Firehose replies quoted in mhart/kinesis#22 and sharethrough/flume-kinesis#11).
  UnknownOperationException: 400,
  MissingAuthenticationTokenException: 403,
  IncompleteSignatureException: 400,
  InvalidSignatureException: 403,
  UnrecognizedClientException: 403,
  ExpiredTokenException: 403,
  InternalFailure: 500,
};

/**
 * Exceptions whose model member is lower-case `message`; all others use `Message`.
 * The front end's auth errors also use `message`
 * (e.g. `{"message":"Signature expired: …"}`).
 */
const LOWER_CASE_MESSAGE = new Set([
  'InvalidClientException',
  'SessionExpiredException',
  'MissingAuthenticationTokenException',
  'IncompleteSignatureException',
  'InvalidSignatureException',
  'UnrecognizedClientException',
  'ExpiredTokenException',
  'SerializationException',
  'UnknownOperationException',
]);

/**
 * Builds the error a handler throws to make the emulator answer with an AWS
 * exception. `status` defaults to the model's status for `errorType`.
 * @internal
 */
export function awsError(errorType: string, message: string, status?: number): ServiceError {
  return new ServiceError(message, { errorType, httpStatus: status ?? EXCEPTION_STATUS[errorType] ?? 400 });
}

/** Shorthand for the most common refusal. @internal */
export function invalidArgument(message: string): ServiceError {
  return awsError('InvalidArgumentException', message);
}

/** The message without the `Type (status): ` prefix ServiceError adds. @internal */
export function rawMessage(err: ServiceError): string {
  const prefix = `${err.errorType} (${err.httpStatus}): `;
  return err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
}

/**
 * The JSON body of an error reply. `storage` selects the webrtc-storage model,
 * which uses lower-case `message` for every exception.
 * @internal
 */
export function errorBody(err: ServiceError, storage = false): string {
  const key = storage || LOWER_CASE_MESSAGE.has(err.errorType) ? 'message' : 'Message';
  return JSON.stringify({ [key]: rawMessage(err) });
}
