import {
  constructWssRecvMessage,
  isSignalingError,
  isValidCorrelationId,
  MAX_STATUS_DESCRIPTION_LENGTH,
  parseWssSendMessage,
  type ServiceError,
  type WssAction,
} from '@kvs-sig/core';
import { invalidArgument } from './aws-errors';

/** A client frame the emulator can route. @internal */
export interface ClientFrame {
  action: WssAction;
  messagePayload: string;
  recipientClientId: string | undefined;
  correlationId: string | undefined;
}

/** Result of {@link parseClientFrame}. @internal */
export type ParsedFrame =
  | { ok: true; frame: ClientFrame }
  | {
      ok: false;
      error: ServiceError;
      /** Set when the frame carried a valid correlationId: the failure is reported in a STATUS_RESPONSE. */
      correlationId: string | undefined;
      /** False when the frame has no usable `action` (the front end cannot route it at all). */
      routable: boolean;
    };

const ACTIONS: readonly string[] = ['SDP_OFFER', 'SDP_ANSWER', 'ICE_CANDIDATE'];

/** Reads a member in the documented lower-camel casing or the C SDK's Pascal casing. */
function member(obj: Record<string, unknown>, camel: string): unknown {
  const pascal = camel.charAt(0).toUpperCase() + camel.slice(1);
  return obj[camel] !== undefined ? obj[camel] : obj[pascal];
}

/**
 * Parses and validates a client → service frame with core's
 * `parseWssSendMessage` (both key casings; an empty `RecipientClientId`, as
 * the C library sends for viewers, counts as absent). Before that it reads just
 * enough to decide how a failure is reported: no usable `action` → the frame
 * cannot be routed; a valid `correlationId` → the failure goes back in a
 * STATUS_RESPONSE. `maxPayloadLength` can only lower core's limit.
 * @internal
 */
export function parseClientFrame(text: string, maxPayloadLength: number): ParsedFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, error: invalidArgument('The frame is not valid JSON'), correlationId: undefined, routable: false };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: invalidArgument('The frame is not a JSON object'), correlationId: undefined, routable: false };
  }
  const obj = value as Record<string, unknown>;
  if (typeof obj.action !== 'string' || !ACTIONS.includes(obj.action)) {
    return {
      ok: false,
      error: invalidArgument(`Unknown action ${JSON.stringify(obj.action) ?? 'undefined'}; expected one of ${ACTIONS.join(', ')}`),
      correlationId: undefined,
      routable: false,
    };
  }
  const rawCorrelation = member(obj, 'correlationId');
  const correlationId = isValidCorrelationId(rawCorrelation) ? rawCorrelation : undefined;
  const fail = (message: string): ParsedFrame => ({ ok: false, error: invalidArgument(message), correlationId, routable: true });
  const payload = member(obj, 'messagePayload');
  if (typeof payload === 'string' && payload.length > maxPayloadLength) {
    return fail(`messagePayload is ${payload.length} characters; the limit is ${maxPayloadLength}`);
  }
  try {
    const m = parseWssSendMessage(text);
    return {
      ok: true,
      frame: { action: m.action, messagePayload: m.messagePayload, recipientClientId: m.recipientClientId, correlationId: m.correlationId },
    };
  } catch (err) {
    if (!isSignalingError(err)) throw err;
    return fail(err.message.replace(/^WebSocket send frame: /, ''));
  }
}

/** Fields of a service → client frame. @internal */
export interface RecvFrameFields {
  messageType: 'SDP_OFFER' | 'SDP_ANSWER' | 'ICE_CANDIDATE' | 'GO_AWAY' | 'RECONNECT_ICE_SERVER';
  senderClientId?: string | undefined;
  messagePayload?: string | undefined;
}

/** Serialises a service → client frame with core's `constructWssRecvMessage`; absent fields are omitted. @internal */
export function recvFrame(fields: RecvFrameFields): string {
  return constructWssRecvMessage({
    messageType: fields.messageType,
    ...(fields.senderClientId !== undefined ? { senderClientId: fields.senderClientId } : {}),
    ...(fields.messagePayload !== undefined ? { messagePayload: fields.messagePayload } : {}),
  });
}

/** A STATUS_RESPONSE frame reporting `error` for `correlationId` (statusCode as a string, as the service sends it). @internal */
export function statusResponseFrame(correlationId: string, error: ServiceError, description: string): string {
  return constructWssRecvMessage({
    messageType: 'STATUS_RESPONSE',
    statusResponse: {
      correlationId,
      errorType: error.errorType,
      statusCode: String(error.httpStatus),
      description: description.slice(0, MAX_STATUS_DESCRIPTION_LENGTH),
    },
  });
}
