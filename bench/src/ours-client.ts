/**
 * Our SignalingClient wired to the in-memory socket for the message-cost
 * benchmark: a master on a known channel ARN and endpoints, so no HTTP is made.
 * @packageDocumentation
 */
import * as client from '@kvs-sig/client';
import { FakeSocket, until } from './fake-socket';
import type { MessageSubject } from './message-cost';

/** Inputs of {@link createOursMaster}. @public */
export interface OursMasterInput {
  region: string;
  channelArn: string;
  wssEndpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  viewerId: string;
}

/**
 * Builds our client as a master on the fake socket and opens it.
 * @throws Error when `@kvs-sig/client` does not export a usable `SignalingClient`.
 * @public
 */
export async function createOursMaster(input: OursMasterInput): Promise<MessageSubject> {
  const Ctor = (client as Record<string, unknown>).SignalingClient;
  if (typeof Ctor !== 'function') throw new Error('@kvs-sig/client does not export SignalingClient yet');
  throw new Error(`not wired yet (${input.region})`);
  void FakeSocket;
  void until;
}
