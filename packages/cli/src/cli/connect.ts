/**
 * `kvs-sig connect`: a live signaling session on the command line. Every event
 * is one JSON line on stdout; every JSON line on stdin is sent.
 * @packageDocumentation
 */
import { createInterface } from 'node:readline';
import { isSignalingError } from '@kvs-sig/core';
import { SignalingClient } from '@kvs-sig/client';
import { channelRef, connectionOptions, GLOBAL_HELP, parseCommand, parseRole } from './context';
import { ExitCode, exitCodeOf, UsageError, type ExitCodeValue } from './exit-codes';
import { errorJson, errorLine, withSpinner, type CliIo } from './output';

/** @internal */
export const CONNECT_HELP = `Usage: kvs-sig connect <name> | --arn <arn> --role master|viewer [--client-id <id>] [--create] [--exit-on-eof]

Connects to the channel and prints every signaling event as one JSON line on
stdout, then {"event":"ready",...} once it can send, e.g.
  {"event":"open","reconnected":false}
  {"event":"ready","role":"VIEWER","clientId":"viewer-1"}
  {"event":"sdpOffer","senderClientId":"viewer-1","payload":{"type":"offer","sdp":"v=0..."}}

Each JSON line read on stdin is sent:
  {"action":"SDP_OFFER","payload":{"type":"offer","sdp":"..."}}
  {"action":"SDP_ANSWER","payload":{"type":"answer","sdp":"..."},"recipientClientId":"viewer-1"}
  {"action":"ICE_CANDIDATE","payload":{"candidate":"candidate:...","sdpMid":"0","sdpMLineIndex":0},"recipientClientId":"viewer-1"}
("messagePayload" is accepted for "payload"; "correlationId" is optional.) A sent
message prints {"event":"sent",...}; a line that cannot be sent prints
{"event":"inputError",...} and the session goes on.

Runs until Ctrl-C or SIGTERM (exit 0), or stdin ends with --exit-on-eof.
  --role master|viewer   required
  --client-id <id>       the viewer's id (default: a random one)
  --create               create the channel if it does not exist
  --exit-on-eof          close once stdin ends and every send has finished

${GLOBAL_HELP}`;

const EVENTS = [
  'stateChange',
  'open',
  'close',
  'reconnecting',
  'error',
  'sdpOffer',
  'sdpAnswer',
  'iceCandidate',
  'statusResponse',
  'goAway',
  'reconnectIceServer',
  'iceServersChanged',
  'unknownMessage',
] as const;

const ACTIONS = { SDP_OFFER: 'sendSdpOffer', SDP_ANSWER: 'sendSdpAnswer', ICE_CANDIDATE: 'sendIceCandidate' } as const;

/** Thrown for a stdin line that is not a valid message. */
class InputError extends Error {}

/** Parses one stdin line into a send. @internal */
export function parseInputLine(line: string): {
  action: keyof typeof ACTIONS;
  payload: Record<string, unknown>;
  recipientClientId?: string;
  correlationId?: string;
} {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new InputError('not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InputError('expected a JSON object');
  const v = value as Record<string, unknown>;
  const action = typeof v.action === 'string' ? v.action.toUpperCase() : undefined;
  if (action !== 'SDP_OFFER' && action !== 'SDP_ANSWER' && action !== 'ICE_CANDIDATE') {
    throw new InputError(`action must be SDP_OFFER, SDP_ANSWER or ICE_CANDIDATE, got ${JSON.stringify(v.action)}`);
  }
  const payload = v.payload ?? v.messagePayload;
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw new InputError('payload must be a JSON object');
  for (const key of ['recipientClientId', 'correlationId'] as const) {
    if (v[key] !== undefined && typeof v[key] !== 'string') throw new InputError(`${key} must be a string`);
  }
  return {
    action,
    payload: payload as Record<string, unknown>,
    ...(typeof v.recipientClientId === 'string' ? { recipientClientId: v.recipientClientId } : {}),
    ...(typeof v.correlationId === 'string' ? { correlationId: v.correlationId } : {}),
  };
}

function line(io: CliIo, value: Record<string, unknown>): void {
  io.stdout.write(`${JSON.stringify(value)}\n`);
}

function eventLine(name: string, payload: unknown): Record<string, unknown> {
  if (name === 'error') return { event: name, error: errorJson(payload) };
  if (payload === undefined || payload === null) return { event: name };
  if (typeof payload !== 'object') return { event: name, value: payload };
  const out: Record<string, unknown> = { event: name };
  for (const [k, v] of Object.entries(payload as Record<string, unknown>)) {
    out[k] = isSignalingError(v) ? errorJson(v) : v;
  }
  return out;
}

/** `kvs-sig connect` @internal */
export async function connectCommand(args: string[], io: CliIo, interrupted: AbortSignal): Promise<ExitCodeValue> {
  const { values, positionals } = parseCommand(args, {
    arn: { type: 'string' },
    role: { type: 'string' },
    'client-id': { type: 'string' },
    create: { type: 'boolean', default: false },
    'exit-on-eof': { type: 'boolean', default: false },
  });
  if (values.help) {
    io.stdout.write(`${CONNECT_HELP}\n`);
    return ExitCode.OK;
  }
  const ref = channelRef(positionals, values.arn, 'connect');
  const role = parseRole(values.role);
  let clientId = values['client-id'] as string | undefined;
  if (role === 'MASTER' && clientId) throw new UsageError('connect: --client-id is for viewers; a master has none');
  if (role === 'VIEWER') clientId ??= `kvs-sig-cli-${Math.random().toString(36).slice(2, 10)}`;

  const client = new SignalingClient({
    ...(await connectionOptions(values, io)),
    role,
    ...ref,
    ...(clientId ? { clientId } : {}),
    ...(values.create ? { createChannelIfMissing: true } : {}),
  });
  let lastError: unknown;
  for (const name of EVENTS) {
    client.on(name, (payload: unknown) => line(io, eventLine(name, payload)));
  }
  client.on('error', (error: unknown) => {
    lastError = error;
  });

  // The session ends on a signal, on EOF (if asked), or when the client gives up.
  let finish!: (code: ExitCodeValue) => void;
  const finished = new Promise<ExitCodeValue>((resolve) => {
    finish = resolve;
  });
  const onInterrupt = () => finish(ExitCode.OK);
  interrupted.addEventListener('abort', onInterrupt, { once: true });
  client.on('close', (payload: unknown) => {
    const willReconnect = (payload as { willReconnect?: unknown; reconnect?: unknown } | undefined);
    if (willReconnect && (willReconnect.willReconnect === true || willReconnect.reconnect === true)) return;
    if (client.state === 'closed') finish(ExitCode.NETWORK);
  });

  try {
    await withSpinner(io, 'connecting', true, () => client.connect({ signal: interrupted }));
  } catch (error) {
    interrupted.removeEventListener('abort', onInterrupt);
    await client.close();
    if (interrupted.aborted) return ExitCode.INTERRUPTED;
    throw error;
  }
  if (clientId) line(io, { event: 'ready', role, clientId });
  else line(io, { event: 'ready', role });

  const pending = new Set<Promise<void>>();
  const rl = createInterface({ input: io.stdin, crlfDelay: Infinity, terminal: false });
  let lineNo = 0;
  rl.on('line', (text) => {
    lineNo++;
    const n = lineNo;
    if (text.trim() === '') return;
    let input: ReturnType<typeof parseInputLine>;
    try {
      input = parseInputLine(text);
    } catch (error) {
      line(io, { event: 'inputError', line: n, message: (error as Error).message });
      io.stderr.write(`kvs-sig: stdin line ${n}: ${(error as Error).message}\n`);
      return;
    }
    const method = ACTIONS[input.action];
    const opts = input.correlationId ? { correlationId: input.correlationId } : undefined;
    const send = (client[method] as (p: unknown, r?: string, o?: { correlationId?: string }) => Promise<unknown>).bind(client);
    const p = (async () => {
      try {
        await send(input.payload, input.recipientClientId, opts);
        line(io, {
          event: 'sent',
          line: n,
          action: input.action,
          ...(input.recipientClientId ? { recipientClientId: input.recipientClientId } : {}),
          ...(input.correlationId ? { correlationId: input.correlationId } : {}),
        });
      } catch (error) {
        line(io, { event: 'inputError', line: n, action: input.action, error: errorJson(error) });
        io.stderr.write(`kvs-sig: stdin line ${n}: ${errorLine(error)}\n`);
      }
    })();
    pending.add(p);
    void p.finally(() => pending.delete(p));
  });
  rl.on('close', () => {
    if (!values['exit-on-eof']) return;
    void Promise.allSettled([...pending]).then(() => finish(ExitCode.OK));
  });

  const code = await finished;
  interrupted.removeEventListener('abort', onInterrupt);
  rl.close();
  await Promise.allSettled([...pending]);
  await client.close();
  // A session the client gave up on ends with the code of its last error.
  if (code === ExitCode.NETWORK && lastError !== undefined) {
    const fromError = exitCodeOf(lastError);
    return fromError === ExitCode.FAILURE ? code : fromError;
  }
  return code;
}
