/**
 * Shared code of the Node examples: a werift WebRTC peer wired to a signaling
 * client, and phase timing helpers.
 * @packageDocumentation
 */
export * from './signaling';
export * from './peer';
export * from './timing';
export * from './turn';
export * from './app';
