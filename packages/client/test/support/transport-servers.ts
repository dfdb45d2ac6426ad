/**
 * Servers of the transport-conformance suite that are real sockets: the TLS
 * emulator (the transport is a viewer; a master client is the other side), and
 * a loopback server that accepts connections and never answers.
 */
import * as net from 'node:net';
import { constructDescribeSignalingChannelRequest, type HttpRequest } from '@kvs-sig/core';
import { signRequest } from '@kvs-sig/signer';
import { ChannelManager, type SignalingClient } from '../../src/index';
import { managerInternals } from '../../src/channel-manager';
import { Harness, deadPort } from './helpers';
import { payloadOfSdp, sdpCarrying, type TransportServer } from './transport-conformance';

/** A loopback TCP server that accepts and says nothing (a hung TLS handshake, a request never answered). */
export async function startSilentServer(): Promise<{ readonly port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** The emulator as a {@link TransportServer}, with the set-up and tear-down of everything it starts. */
export interface EmulatorTransportServer extends TransportServer {
  readonly harness: Harness;
  close(): Promise<void>;
}

export async function startEmulatorTransportServer(): Promise<EmulatorTransportServer> {
  const channelName = 'conformance';
  // Every case opens its own viewer socket on the one channel, faster than the service's 3 handshakes a second per channel.
  const h = await Harness.start({ limits: { connectsPerSecondPerChannel: 1000 } });
  const silent = await startSilentServer();
  const cm = new ChannelManager(h.base());
  try {
    const channelArn = await h.createChannel(channelName);
    const master: SignalingClient = h.master(channelName);
    const got: string[] = [];
    let viewers = 0;
    let viewer = '';
    master.on('sdpOffer', ({ payload, senderClientId }) => {
      if (senderClientId === viewer) got.push(payloadOfSdp(payload.sdp));
    });
    await master.connect();
    const { wssEndpoint: wss = '' } = await cm.getEndpoints({ channelArn, role: 'VIEWER' });
    const dead = await deadPort();
    const sign = (request: HttpRequest) => signRequest(request, { credentials: h.emu.credentials, region: h.emu.region });
    const target = { controlPlaneEndpoint: h.emu.controlPlaneEndpoint };
    const server: EmulatorTransportServer = {
      harness: h,
      channelName,
      async socketUrl() {
        viewer = `probe-${++viewers}`;
        got.length = 0;
        return managerInternals(cm).presignConnectUrl({ wssEndpoint: wss, channelArn, role: 'VIEWER', clientId: viewer });
      },
      async refusedSocketUrl(status) {
        h.emu.faults.refuseHandshake(1, { status, errorType: 'AccessDeniedException', role: 'VIEWER' });
        return server.socketUrl();
      },
      unreachableSocketUrl: () => `wss://127.0.0.1:${dead}/`,
      silentSocketUrl: () => `wss://127.0.0.1:${silent.port}/`,
      received: () => got.slice(),
      push: (payload) => master.sendSdpAnswer({ type: 'answer', sdp: sdpCarrying(payload) }, viewer),
      drop: () => {
        if (h.emu.faults.dropConnections({ role: 'VIEWER', clientId: viewer }) !== 1) throw new Error(`viewer ${viewer} is not connected`);
      },
      okRequest: () => sign(constructDescribeSignalingChannelRequest({ channelName }, target)),
      notFoundRequest: () => sign(constructDescribeSignalingChannelRequest({ channelName: 'no-such-channel' }, target)),
      unreachableRequest: () => ({ method: 'POST', url: `https://127.0.0.1:${dead}/describeSignalingChannel`, headers: { 'content-type': 'application/json' }, body: '{}' }),
      silentRequest: () => ({ method: 'POST', url: `https://127.0.0.1:${silent.port}/describeSignalingChannel`, headers: { 'content-type': 'application/json' }, body: '{}' }),
      async close() {
        await cm.close();
        await h.stop();
        await silent.close();
      },
    };
    return server;
  } catch (error) {
    await cm.close();
    await h.stop();
    await silent.close();
    throw error;
  }
}
