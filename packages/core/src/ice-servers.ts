/**
 * Converting a GetIceServerConfig result into `RTCIceServer`s.
 * @packageDocumentation
 */
import { generateStunUrl } from './endpoint';
import type { StunUrlOptions } from './endpoint';
import { ValidationError } from './errors';
import type { IceServer } from './get-ice-server-config';
import type { RtcIceServer } from './types';

/**
 * The `iceServers` for an `RTCPeerConnection`: the region's KVS STUN server
 * first (built like the official `generateStunUrl`), then each TURN server as
 * `{ urls, username, credential }`. Servers without URIs are left out because
 * browsers throw on an empty `urls`.
 * @throws ValidationError `BAD_PARAM` on a malformed region or a non-array input.
 * @public
 */
export function toRtcIceServers(iceServers: readonly IceServer[], options: StunUrlOptions): RtcIceServer[] {
  if (!Array.isArray(iceServers)) throw new ValidationError('iceServers', 'must be an array');
  const out: RtcIceServer[] = [{ urls: generateStunUrl(options) }];
  iceServers.forEach((s: IceServer, i) => {
    if (typeof s !== 'object' || s === null || !Array.isArray(s.uris)) throw new ValidationError(`iceServers[${i}].uris`, 'must be an array');
    if (s.uris.length === 0) return;
    const server: RtcIceServer = { urls: [...s.uris] };
    if (s.username !== undefined) server.username = s.username;
    if (s.password !== undefined) server.credential = s.password;
    out.push(server);
  });
  return out;
}
