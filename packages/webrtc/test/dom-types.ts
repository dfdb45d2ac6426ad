/**
 * Type-level check (compiled by the type check, not run): the browser's own
 * RTCPeerConnection, its data channels and tracks fit the session options and
 * events without casts.
 */
import { SignalingClient } from '@kvs-sig/client';
import { createMasterSession, createViewerSession } from '../src';

export function browserViewer(signaling: SignalingClient, camera: MediaStream): void {
  const session = createViewerSession({ signaling, RTCPeerConnection, tracks: camera.getTracks(), configuration: { iceTransportPolicy: 'relay' } });
  session.on('dataChannel', ({ channel }) => {
    const dc: RTCDataChannel = channel as RTCDataChannel;
    dc.binaryType = 'arraybuffer';
  });
  session.on('track', ({ track }) => {
    const t: MediaStreamTrack = track as MediaStreamTrack;
    void t;
  });
  const pc: RTCPeerConnection | undefined = session.pc as RTCPeerConnection | undefined;
  void pc;
}

export function browserMaster(signaling: SignalingClient, camera: MediaStream): void {
  const master = createMasterSession({ signaling, RTCPeerConnection });
  for (const track of camera.getTracks()) master.addTrack({ track, streams: [camera] });
  master.removeTrack(camera.getTracks()[0]!);
}
