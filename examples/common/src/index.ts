/**
 * Shared code of the Node examples: werift for `@kvs-sig/webrtc`'s sessions,
 * command-line plumbing, a local coturn and phase timing helpers.
 * @packageDocumentation
 */
export * from './peer';
export * from './timing';
export * from './turn';
export * from './app';
