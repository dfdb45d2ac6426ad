/**
 * `@kvs-sig/signer` for browsers (and workers): the same API as the Node build,
 * hashing through the platform's WebCrypto (`crypto.subtle`, secure contexts
 * only) instead of shipping a JavaScript SHA-256.
 * @packageDocumentation
 */
export * from './entry-credentials';
export type { SignOptions, PresignOptions, SigV4RequestSignerOptions } from './sign';
export type { VerifyFailure, VerifyResult, VerifyOptions } from './verify';
export { signRequest, presignWssUrl, createSigV4RequestSigner, verify } from './sigv4-browser';
