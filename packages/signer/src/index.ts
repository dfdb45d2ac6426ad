/**
 * SigV4 signing for KVS WebRTC signaling: signed control-plane requests,
 * presigned WebSocket URLs byte-identical to the official SDK's, memoising
 * credential providers, clock-skew correction and a verifier for servers.
 * This is the Node (Deno, Bun) build: it hashes through node:crypto. Bundlers
 * that target browsers pick `index.browser.ts` (the `browser` condition), the
 * same API hashing through WebCrypto. The IoT provider is in `@kvs-sig/signer/node`.
 * @packageDocumentation
 */
export * from './entry-credentials';
export type { SignOptions, PresignOptions, SigV4RequestSignerOptions } from './sign';
export type { VerifyFailure, VerifyResult, VerifyOptions } from './verify';
export { signRequest, presignWssUrl, createSigV4RequestSigner, verify } from './sigv4-node';
