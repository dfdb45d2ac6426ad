import type { ServiceError } from '@kvs-sig/core';
import { invalidArgument } from './aws-errors';
import { BASE64_PATTERN, NAME_PATTERN } from './validate';

/** A client frame the emulator can route. @internal */
export interface ClientFrame {
  action: 'SDP_OFFER' | 'SDP_ANSWER' | 'ICE_CANDIDATE';
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

const ACTIONS = ['SDP_OFFER', 'SDP_ANSWER', 'ICE_CANDIDATE'] as const;

/** Reads a member in the documented lower-camel casing or the C SDK's Pascal casing. */
function member(obj: Record<string, unknown>, camel: string): unknown {
  const pascal = camel.charAt(0).toUpperCase() + camel.slice(1);
  return obj[camel] !== undefined ? obj[camel] : obj[pascal];
}

/**
 * Parses and validates a client → service frame, accepting both key casings
 * in production use (`messagePayload` and `MessagePayload`, …; `action` is
 * always lower case). An empty `RecipientClientId`, as the C library always
 * sends for viewers, counts as absent.
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
  const action = obj.action;
  if (typeof action !== 'string' || !(ACTIONS as readonly string[]).includes(action)) {
    return {
      ok: false,
      error: invalidArgument(`Unknown action ${JSON.stringify(action)}; expected one of ${ACTIONS.join(', ')}`),
      correlationId: undefined,
      routable: false,
    };
  }
  const rawCorrelation = member(obj, 'correlationId');
  let correlationId: string | undefined;
  if (rawCorrelation !== undefined && rawCorrelation !== null && rawCorrelation !== '') {
    if (typeof rawCorrelation !== 'string' || rawCorrelation.length > 256 || !NAME_PATTERN.test(rawCorrelation)) {
      return {
        ok: false,
        error: invalidArgument('correlationId must be 1-256 characters of [a-zA-Z0-9_.-]'),
        correlationId: undefined,
        routable: true,
      };
    }
    correlationId = rawCorrelation;
  }
  const fail = (message: string): ParsedFrame => ({ ok: false, error: invalidArgument(message), correlationId, routable: true });

  const payload = member(obj, 'messagePayload');
  if (typeof payload !== 'string' || payload.length === 0) return fail('messagePayload is required and must be a non-empty string');
  if (payload.length > maxPayloadLength) {
    return fail(`messagePayload is ${payload.length} characters; the limit is ${maxPayloadLength}`);
  }
  if (!BASE64_PATTERN.test(payload)) return fail('messagePayload must be base64 ([a-zA-Z0-9+/=])');

  const rawRecipient = member(obj, 'recipientClientId');
  let recipientClientId: string | undefined;
  if (rawRecipient !== undefined && rawRecipient !== null && rawRecipient !== '') {
    if (typeof rawRecipient !== 'string' || rawRecipient.length > 256 || !NAME_PATTERN.test(rawRecipient)) {
      return fail('recipientClientId must be 1-256 characters of [a-zA-Z0-9_.-]');
    }
    recipientClientId = rawRecipient;
  }
  return {
    ok: true,
    frame: { action: action as ClientFrame['action'], messagePayload: payload, recipientClientId, correlationId },
  };
}

/** Fields of a service → client frame. @internal */
export interface RecvFrameFields {
  messageType: string;
  senderClientId?: string | undefined;
  messagePayload?: string | undefined;
}

/** Serialises a service → client frame with the service's key names; absent fields are omitted. @internal */
export function recvFrame(fields: RecvFrameFields): string {
  const out: Record<string, string> = {};
  if (fields.senderClientId !== undefined) out.senderClientId = fields.senderClientId;
  out.messageType = fields.messageType;
  if (fields.messagePayload !== undefined) out.messagePayload = fields.messagePayload;
  return JSON.stringify(out);
}
