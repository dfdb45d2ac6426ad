/**
 * `@kvs-sig/signer/credentials`: the credential providers and the clock-skew
 * helpers, everything of the signer that is not SigV4 itself (the main entry
 * exports them too). Code that imports only these from here reaches no SigV4
 * module, so a bundler that splits chunks (which assigns whole files, and
 * follows every re-export of an entry it reaches) keeps smithy and the hash out
 * of that code's chunk: the client's browser build with a backend signer.
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
export type { RequestSigner } from './sign';
