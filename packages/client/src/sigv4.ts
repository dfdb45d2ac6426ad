/**
 * The default SigV4 signer, in a module of its own: the channel helpers load it
 * with `import()` on first use, so bundlers put it (smithy and the hash) in a
 * chunk that only pages giving `credentials` ever fetch.
 * @packageDocumentation
 */
export { createSigV4RequestSigner } from '@kvs-sig/signer';
