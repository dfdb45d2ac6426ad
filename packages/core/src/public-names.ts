/**
 * The public names of the modules that also export helpers for core's own
 * use. Every other module's exports are all public, and index.ts re-exports
 * them with `export *`. Why two files: esbuild 0.28 puts the targets of an
 * index's named re-exports in a chunk the page loads as soon as the page uses
 * any name of that index, so an operation re-exported by name could not leave
 * a page that splits it into a lazily loaded chunk. Named re-exports here list
 * only what a viewer needs anyway.
 * @packageDocumentation
 */
export {
  isValidChannelName,
  isValidClientId,
  isValidCorrelationId,
  isValidArn,
  isValidChannelArn,
  isValidVersion,
  isValidMessageTtl,
  isValidRole,
  isValidProtocol,
  parseChannelArn,
} from './validate';
export type { ChannelArnParts } from './validate';
export { resolveControlPlaneEndpoint, generateStunUrl, isValidRegion, isLoopbackHost } from './endpoint';
export type { ControlPlaneOptions, StunUrlOptions } from './endpoint';
export type { ControlPlaneTarget } from './request';
export { constructDescribeSignalingChannelRequest, parseDescribeSignalingChannelResponse } from './describe-signaling-channel';
export type { ChannelSelector, ChannelInfo } from './describe-signaling-channel';
export { constructGetIceServerConfigRequest, parseGetIceServerConfigResponse } from './get-ice-server-config';
export type { GetIceServerConfigInput, IceServer, GetIceServerConfigResult, ParseIceServerConfigOptions } from './get-ice-server-config';
