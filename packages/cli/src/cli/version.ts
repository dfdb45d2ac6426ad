/**
 * The CLI's version: its package.json's, bundled in at build time (and read
 * from the source tree when run from it), so it cannot drift from a release.
 * @packageDocumentation
 */
import manifest from '../../package.json';

/** @internal */
export const VERSION: string = manifest.version;
