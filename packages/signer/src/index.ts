/**
 * SigV4 signing for KVS WebRTC signaling: signed control-plane requests,
 * presigned WebSocket URLs byte-identical to the official SDK's, memoising
 * credential providers, clock-skew correction and a verifier for servers.
 * Runtime-neutral: no Node imports (the IoT provider is in `@kvs-sig/signer/node`).
 * @packageDocumentation
 */
export {
  createCredentialsProvider,
  isCredentialsProvider,
  validateCredentials,
  DEFAULT_REFRESH_WINDOW_MS,
  type Credentials,
  type CredentialsInput,
  type CredentialsProvider,
  type CredentialsProviderFn,
  type CredentialsProviderOptions,
} from './credentials';
export { ClockSkew, isClockSkewError, type ClockSkewOptions } from './clock';
export {
  signRequest,
  presignWssUrl,
  createSigV4RequestSigner,
  type SignOptions,
  type PresignOptions,
  type RequestSigner,
  type SigV4RequestSignerOptions,
} from './sign';
export { verify, type VerifyFailure, type VerifyResult, type VerifyOptions } from './verify';
