/**
 * `@kvs-sig/core`: sans-I/O builders and parsers for every Amazon Kinesis
 * Video Streams WebRTC signaling message. Synchronous and total: input goes
 * in, a value or a `SignalingError` comes out. No I/O, no dependencies.
 * @packageDocumentation
 */
export * from './errors';
export * from './types';
export * from './constants';
export * from './base64';
export * from './create-signaling-channel';
export * from './delete-signaling-channel';
export * from './update-signaling-channel';
export * from './list-signaling-channels';
export * from './get-signaling-channel-endpoint';
export * from './media-storage-configuration';
export * from './send-alexa-offer-to-master';
export * from './join-storage-session';
export * from './connect-wss-endpoint';
export * from './wss-message';
export * from './iot-credentials';
export * from './service-error';
export * from './ice-servers';
export * from './signaling';
export * from './public-names';
