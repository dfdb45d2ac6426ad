/**
 * `@kvs-sig/client` for Node (20+): uses `ws` and undici unless you inject
 * `WebSocket` and `fetch`. Also exports {@link FileCache}.
 * @packageDocumentation
 */

import { ChannelManagerBase, type ChannelManagerOptions } from './channel-manager';
import { nodePlatform } from './platform-node';
import { SignalingClientBase } from './signaling-client';
import type { SignalingClientOptions } from './types';

export * from './index.shared';
export { FileCache, type FileCacheOptions } from './cache-file';

/**
 * The KVS WebRTC signaling client: connects as master or viewer, relays SDP
 * and ICE, and heals the connection (see the package README).
 * @public
 */
export class SignalingClient extends SignalingClientBase {
  /**
   * @throws ValidationError (`INVALID_CONFIGURATION`, `MISSING_CREDENTIALS`, …) naming the bad option;
   *   `TRANSPORT_UNAVAILABLE` when no transport can be found.
   */
  constructor(options: SignalingClientOptions) {
    super(options, nodePlatform);
  }
}

/**
 * Channel helpers (create, describe, list, delete, endpoints, ICE, storage sessions).
 * Call `close()` when done to release pooled connections.
 * @public
 */
export class ChannelManager extends ChannelManagerBase {
  /** @throws ValidationError naming the bad option. */
  constructor(options: ChannelManagerOptions) {
    super(options, nodePlatform);
  }
}
