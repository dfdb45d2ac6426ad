/**
 * `@kvs-sig/client/internal`: helpers the other `@kvs-sig` packages share with
 * the client (the typed emitter their sessions extend, the retry backoff).
 * Not public API: no semver promise, may change in any release.
 * @packageDocumentation
 */
export { TypedEmitter } from './emitter';
export { backoffDelay, type BackoffOptions } from './backoff';
