/**
 * WebSocket frames, both directions.
 * Client side: {@link constructWssMessage} (C: `Signaling_ConstructWssMessage`) and
 * {@link parseWssRecvMessage} (C: `Signaling_ParseWssRecvMessage`).
 * Service side (used by the emulator and by tests): {@link parseWssSendMessage}
 * and {@link constructWssRecvMessage}.
 * https://docs.aws.amazon.com/kinesisvideostreams-webrtc-dg/latest/devguide/kvswebrtc-websocket-apis.html
 * @packageDocumentation
 */
import { MAX_CLIENT_ID_LENGTH, MAX_STATUS_DESCRIPTION_LENGTH, MAX_WSS_MESSAGE_PAYLOAD_LENGTH } from './constants';
import { ProtocolError, ValidationError } from './errors';
import { decodePayload, encodePayload } from './base64';
import { checkMaxIceServers, readIceServerList, type IceServer } from './get-ice-server-config';
import { get, isObject, parseJsonObject, optString } from './json';
import type { JsonObject } from './json';
import type { WssAction, WssMessageType } from './types';
import { requireBase64, requireClientId, requireCorrelationId, requireObject, requireText, rejectUnknownKeys } from './validate';

const ACTIONS: readonly WssAction[] = ['SDP_OFFER', 'SDP_ANSWER', 'ICE_CANDIDATE'];
const TYPES: readonly WssMessageType[] = ['SDP_OFFER', 'SDP_ANSWER', 'ICE_CANDIDATE', 'GO_AWAY', 'RECONNECT_ICE_SERVER', 'STATUS_RESPONSE'];

function requireAction(value: unknown, field = 'action'): WssAction {
  if (typeof value !== 'string' || !(ACTIONS as readonly string[]).includes(value)) {
    throw new ValidationError(field, `must be one of ${ACTIONS.join(', ')}`);
  }
  return value as WssAction;
}

/**
 * Input of {@link constructWssMessage}: give `payload` (an SDP or ICE candidate
 * object that core serialises and base64-encodes) or `messagePayload` (an
 * already encoded base64 string, for relays and tests) — exactly one.
 * @public
 */
export interface WssMessageInput {
  action: WssAction;
  payload?: unknown;
  messagePayload?: string;
  /** Required by the service when a master sends; a viewer's value is ignored by the service. */
  recipientClientId?: string;
  /** When set, a failed delivery comes back as a STATUS_RESPONSE carrying it. */
  correlationId?: string;
}

/**
 * Builds a client → service frame: `{"action","messagePayload"[,"recipientClientId"][,"correlationId"]}`
 * with the documented lower-camel keys (the official JS SDK's order); absent ids are omitted.
 * @throws ValidationError `BAD_PARAM` naming the field; `MESSAGE_TOO_LARGE` when the base64 payload exceeds {@link MAX_WSS_MESSAGE_PAYLOAD_LENGTH}.
 * @public
 */
export function constructWssMessage(input: WssMessageInput): string {
  const obj = requireObject(input, 'input');
  rejectUnknownKeys(obj, ['action', 'payload', 'messagePayload', 'recipientClientId', 'correlationId']);
  const action = requireAction(obj.action);
  const hasPayload = obj.payload !== undefined;
  const hasEncoded = obj.messagePayload !== undefined;
  if (hasPayload === hasEncoded) throw new ValidationError('payload', 'give exactly one of payload or messagePayload');
  let encoded: string;
  if (hasPayload) {
    if (typeof obj.payload !== 'object' || obj.payload === null || Array.isArray(obj.payload)) {
      throw new ValidationError('payload', 'must be an object (an SDP or ICE candidate init)');
    }
    encoded = encodePayload(obj.payload);
    if (encoded.length > MAX_WSS_MESSAGE_PAYLOAD_LENGTH) {
      throw new ValidationError('payload', `encodes to ${encoded.length} base64 characters, over the service limit of ${MAX_WSS_MESSAGE_PAYLOAD_LENGTH}`, 'MESSAGE_TOO_LARGE');
    }
  } else {
    encoded = requireBase64(obj.messagePayload, 'messagePayload', MAX_WSS_MESSAGE_PAYLOAD_LENGTH, 'MESSAGE_TOO_LARGE');
  }
  const frame: Record<string, string> = { action, messagePayload: encoded };
  if (obj.recipientClientId !== undefined) frame.recipientClientId = requireClientId(obj.recipientClientId, 'recipientClientId');
  if (obj.correlationId !== undefined) frame.correlationId = requireCorrelationId(obj.correlationId);
  return JSON.stringify(frame);
}

/** A UTF-16 surrogate without its pair: JSON carries it as an escape no UTF-8 peer can decode. */
const LONE_SURROGATE_RE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function requireWellFormed(value: unknown, field: string): void {
  if (typeof value === 'string' && LONE_SURROGATE_RE.test(value)) {
    throw new ValidationError(field, 'contains a lone UTF-16 surrogate (not valid Unicode, so a peer cannot read it)');
  }
}

/**
 * Checks the SDP or ICE candidate a client is about to send, before anything is
 * built or queued: for `SDP_OFFER` / `SDP_ANSWER` an object whose `type` is
 * `offer` / `answer` (the action's) and whose `sdp` is a non-empty string; for
 * `ICE_CANDIDATE` an object whose `candidate` is a string (`''`, the end of
 * candidates, included). No string field of the payload may hold a lone UTF-16
 * surrogate. {@link constructWssMessage} stays a plain builder (as C's): it
 * serialises whatever object it is given.
 * @param field the name the caller knows the payload by (e.g. `offer`); errors name `<field>.<key>`.
 * @throws ValidationError `BAD_PARAM` naming the field.
 * @public
 */
export function checkSignalingPayload(action: WssAction, payload: unknown, field = 'payload'): void {
  requireAction(action);
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    const what = action === 'ICE_CANDIDATE' ? 'an RTCIceCandidateInit' : 'an RTCSessionDescriptionInit';
    throw new ValidationError(field, `must be an object (${what})`);
  }
  const p = payload as Record<string, unknown>;
  if (action === 'ICE_CANDIDATE') {
    if (typeof p.candidate !== 'string') throw new ValidationError(`${field}.candidate`, 'must be a string (an RTCIceCandidateInit)');
  } else {
    const type = action === 'SDP_OFFER' ? 'offer' : 'answer';
    if (p.type !== type) {
      throw new ValidationError(`${field}.type`, `must be '${type}' for ${action}, got ${typeof p.type === 'string' ? `'${p.type.slice(0, 32)}'` : typeof p.type}`);
    }
    if (typeof p.sdp !== 'string' || p.sdp.length === 0) {
      throw new ValidationError(`${field}.sdp`, `must be a non-empty string (the session description), got ${typeof p.sdp === 'string' ? 'an empty string' : typeof p.sdp}`);
    }
  }
  for (const key of Object.keys(p)) requireWellFormed(p[key], `${field}.${key}`);
}

/** The `statusResponse` of a STATUS_RESPONSE frame. @public */
export interface StatusResponse {
  correlationId: string;
  errorType?: string;
  /** HTTP-like status as the service sends it (a string, e.g. `"400"`). */
  statusCode?: string;
  description?: string;
  /** Undocumented flag seen in the official SDK's fixtures. */
  success?: boolean;
}

/** A service → client frame, parsed. @public */
export interface WssRecvMessage {
  messageType: WssMessageType;
  senderClientId?: string;
  /** The raw base64 payload. */
  messagePayload?: string;
  /** The decoded payload object, for SDP_OFFER, SDP_ANSWER and ICE_CANDIDATE. */
  payload?: Record<string, unknown>;
  statusResponse?: StatusResponse;
  /**
   * TURN servers a C-SDK peer attached to its frame (an SDP_OFFER's legacy
   * `IceServerList`, `[{"Password","Ttl","Uris","Username"}]`), checked like a
   * GetIceServerConfig reply. A client may use them instead of calling GetIceServerConfig.
   */
  iceServers?: IceServer[];
  /** How many `IceServerList` entries beyond `maxIceServers` were left out (absent when none were). */
  omittedIceServers?: number;
}

/** Options of {@link parseWssRecvMessage}. @public */
export interface ParseWssRecvMessageOptions {
  /**
   * Cap on the `IceServerList` entries read, as for a GetIceServerConfig reply
   * (default 5); the rest are counted in `omittedIceServers`. `Infinity` keeps them all.
   */
  maxIceServers?: number;
}

function readStatusResponse(value: unknown, what: string): StatusResponse {
  if (!isObject(value)) throw new ProtocolError('UNEXPECTED_RESPONSE', `${what}: statusResponse is not an object`);
  if (Object.keys(value).length === 0) throw new ProtocolError('INVALID_STATUS_RESPONSE', `${what}: statusResponse is empty`);
  const correlationId = optString(value, 'correlationId', what);
  if (correlationId === undefined) throw new ProtocolError('INVALID_STATUS_RESPONSE', `${what}: statusResponse has no correlationId`);
  const out: StatusResponse = { correlationId };
  const errorType = optString(value, 'errorType', what);
  if (errorType !== undefined) out.errorType = errorType;
  const code = get(value, 'statusCode');
  // The service sends a string; a number is accepted and kept as text so callers see one type.
  if (typeof code === 'number' && Number.isFinite(code)) out.statusCode = String(code);
  else {
    const s = optString(value, 'statusCode', what);
    if (s !== undefined) out.statusCode = s;
  }
  const description = optString(value, 'description', what);
  if (description !== undefined) out.description = description;
  const success = get(value, 'success');
  if (typeof success === 'boolean') out.success = success;
  return out;
}

/**
 * Parses a service → client frame. One trailing NUL is stripped (C quirk Q26).
 * An unknown `messageType` (or none: `{}`) gives `'UNKNOWN'`, never an error.
 * For SDP_OFFER / SDP_ANSWER / ICE_CANDIDATE with a `messagePayload`, the
 * payload is decoded (base64 → UTF-8 → JSON object) into `payload`; when it is
 * not, the frame is refused with `INVALID_BASE64` so the client can report it
 * (e.g. as `unknownMessage`) instead of passing on something it cannot use.
 * An `IceServerList` (the C SDK attaches one to SDP_OFFER) is returned as
 * `iceServers`, validated like {@link parseGetIceServerConfigResponse}'s entries
 * and capped the same way (`maxIceServers`, default 5; what is left out is
 * counted in `omittedIceServers`); a malformed list refuses the whole frame.
 * @throws ProtocolError `INVALID_JSON`, `UNEXPECTED_RESPONSE`, `INVALID_STATUS_RESPONSE`, `INVALID_BASE64`, `INVALID_TTL`, `INVALID_ICE_SERVER_URIS_COUNT`.
 * @throws ValidationError `BAD_PARAM` on a bad `maxIceServers`.
 * @public
 */
export function parseWssRecvMessage(text: string, options: ParseWssRecvMessageOptions = {}): WssRecvMessage {
  const what = 'WebSocket message';
  const maxIceServers = checkMaxIceServers(options.maxIceServers);
  const body = typeof text === 'string' && text.endsWith('\0') ? text.slice(0, -1) : text;
  const obj = parseJsonObject(body, what, 'INVALID_JSON');
  const type = get(obj, 'messageType');
  const messageType: WssMessageType = typeof type === 'string' && (TYPES as readonly string[]).includes(type) ? (type as WssMessageType) : 'UNKNOWN';
  const out: WssRecvMessage = { messageType };
  const sender = optString(obj, 'senderClientId', what);
  if (sender !== undefined) out.senderClientId = sender;
  const mp = optString(obj, 'messagePayload', what);
  if (mp !== undefined) out.messagePayload = mp;
  const sr = get(obj, 'statusResponse');
  if (sr !== undefined && sr !== null) out.statusResponse = readStatusResponse(sr, what);
  if (mp !== undefined && (messageType === 'SDP_OFFER' || messageType === 'SDP_ANSWER' || messageType === 'ICE_CANDIDATE')) {
    out.payload = decodePayload(mp);
  }
  const list = get(obj, 'IceServerList');
  if (list !== undefined && list !== null) {
    if (!Array.isArray(list)) throw new ProtocolError('UNEXPECTED_RESPONSE', `${what}: IceServerList is not an array`);
    const read = readIceServerList(list, what, maxIceServers);
    out.iceServers = read.iceServers;
    if (read.omitted > 0) out.omittedIceServers = read.omitted;
  }
  return out;
}

// ---------------------------------------------------------------------------
// The service side of the protocol, used by the emulator and by tests.
// ---------------------------------------------------------------------------

/** A client → service frame as the service reads it. @public */
export interface WssSendMessage {
  action: WssAction;
  messagePayload: string;
  recipientClientId?: string;
  correlationId?: string;
}

function pick(obj: JsonObject, camel: string, pascal: string, what: string): unknown {
  const a = get(obj, camel);
  const b = get(obj, pascal);
  if (a !== undefined && b !== undefined) throw new ProtocolError('UNEXPECTED_RESPONSE', `${what}: both ${camel} and ${pascal} are present`);
  return a !== undefined ? a : b;
}

/**
 * The service side of the protocol, used by the emulator and by tests: parses
 * a client → service frame. Accepts both key casings in production use
 * (`messagePayload`/`MessagePayload`, `recipientClientId`/`RecipientClientId`,
 * `correlationId`/`CorrelationId`; `action` is always lower case). An empty
 * recipient (`""`, as C sends for a viewer) counts as absent.
 * @throws ProtocolError `INVALID_JSON`, `UNEXPECTED_RESPONSE` (unknown action, bad ids or payload), `FRAME_TOO_LARGE`.
 * @public
 */
export function parseWssSendMessage(text: string): WssSendMessage {
  const what = 'WebSocket send frame';
  const obj = parseJsonObject(text, what, 'INVALID_JSON');
  const action = get(obj, 'action');
  if (typeof action !== 'string' || !(ACTIONS as readonly string[]).includes(action)) {
    throw new ProtocolError('UNEXPECTED_RESPONSE', `${what}: action must be one of ${ACTIONS.join(', ')}`);
  }
  const payload = pick(obj, 'messagePayload', 'MessagePayload', what);
  if (typeof payload !== 'string' || payload.length === 0 || !/^[A-Za-z0-9+/=]+$/.test(payload)) {
    throw new ProtocolError('UNEXPECTED_RESPONSE', `${what}: messagePayload must be a non-empty base64 string`);
  }
  if (payload.length > MAX_WSS_MESSAGE_PAYLOAD_LENGTH) {
    throw new ProtocolError('FRAME_TOO_LARGE', `${what}: messagePayload is ${payload.length} characters, over ${MAX_WSS_MESSAGE_PAYLOAD_LENGTH}`);
  }
  const out: WssSendMessage = { action: action as WssAction, messagePayload: payload };
  const recipient = pick(obj, 'recipientClientId', 'RecipientClientId', what);
  if (recipient !== undefined && recipient !== null && recipient !== '') {
    if (typeof recipient !== 'string' || recipient.length > MAX_CLIENT_ID_LENGTH || !/^[a-zA-Z0-9_.-]+$/.test(recipient)) {
      throw new ProtocolError('UNEXPECTED_RESPONSE', `${what}: recipientClientId must be 1-256 characters of [a-zA-Z0-9_.-]`);
    }
    out.recipientClientId = recipient;
  }
  const correlation = pick(obj, 'correlationId', 'CorrelationId', what);
  if (correlation !== undefined && correlation !== null && correlation !== '') {
    if (typeof correlation !== 'string' || correlation.length > 256 || !/^[a-zA-Z0-9_.-]+$/.test(correlation)) {
      throw new ProtocolError('UNEXPECTED_RESPONSE', `${what}: correlationId must be 1-256 characters of [a-zA-Z0-9_.-]`);
    }
    out.correlationId = correlation;
  }
  return out;
}

/** Input of {@link constructWssRecvMessage}. @public */
export interface WssRecvMessageInput {
  messageType: Exclude<WssMessageType, 'UNKNOWN'>;
  senderClientId?: string;
  messagePayload?: string;
  statusResponse?: StatusResponse;
}

/**
 * The service side of the protocol, used by the emulator and by tests: builds
 * a service → client frame as the service sends it (protocol.md 5.2), keys in
 * the order `senderClientId, messageType, messagePayload, statusResponse`.
 * @throws ValidationError `BAD_PARAM` naming the field.
 * @public
 */
export function constructWssRecvMessage(input: WssRecvMessageInput): string {
  const obj = requireObject(input, 'input');
  rejectUnknownKeys(obj, ['messageType', 'senderClientId', 'messagePayload', 'statusResponse']);
  if (typeof obj.messageType !== 'string' || !(TYPES as readonly string[]).includes(obj.messageType)) {
    throw new ValidationError('messageType', `must be one of ${TYPES.join(', ')}`);
  }
  const frame: Record<string, unknown> = {};
  if (obj.senderClientId !== undefined) frame.senderClientId = requireClientId(obj.senderClientId, 'senderClientId');
  frame.messageType = obj.messageType;
  if (obj.messagePayload !== undefined) frame.messagePayload = requireBase64(obj.messagePayload, 'messagePayload', MAX_WSS_MESSAGE_PAYLOAD_LENGTH, 'MESSAGE_TOO_LARGE');
  if (obj.statusResponse !== undefined) {
    const sr = requireObject(obj.statusResponse, 'statusResponse');
    rejectUnknownKeys(sr, ['correlationId', 'errorType', 'statusCode', 'description', 'success'], 'statusResponse.');
    const out: Record<string, unknown> = { correlationId: requireCorrelationId(sr.correlationId, 'statusResponse.correlationId') };
    if (sr.errorType !== undefined) out.errorType = requireText(sr.errorType, 'statusResponse.errorType', 1, 256);
    if (sr.statusCode !== undefined) out.statusCode = requireText(sr.statusCode, 'statusResponse.statusCode', 1, 256);
    if (sr.description !== undefined) out.description = requireText(sr.description, 'statusResponse.description', 0, MAX_STATUS_DESCRIPTION_LENGTH);
    if (sr.success !== undefined) {
      if (typeof sr.success !== 'boolean') throw new ValidationError('statusResponse.success', 'must be a boolean');
      out.success = sr.success;
    }
    frame.statusResponse = out;
  }
  return JSON.stringify(frame);
}
