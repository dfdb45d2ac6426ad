/**
 * The CLI's pure parts: table layout, the TTY-only spinner, error lines, the
 * exit-code mapping and stdin line parsing.
 */
import { PassThrough } from 'node:stream';
import { ProtocolError, ServiceError, TransportError, ValidationError } from '@kvs-sig/core';
import { parseInputLine } from '../src/cli/connect';
import { ConfigError, ExitCode, exitCodeOf, UsageError } from '../src/cli/exit-codes';
import { errorLine, keyValues, table, withSpinner, type CliIo } from '../src/cli/output';

function io(isTTY: boolean): { io: CliIo; err: () => string } {
  const stderr = Object.assign(new PassThrough(), { isTTY });
  let text = '';
  stderr.on('data', (c: Buffer) => (text += c.toString()));
  return { io: { stdout: new PassThrough(), stderr, stdin: new PassThrough(), env: {} }, err: () => text };
}

it('aligns table columns under their headers and shows missing cells as "-"', () => {
  expect(table(['NAME', 'TTL', 'ARN'], [['a', 60, 'arn:1'], ['longer-name', undefined, 'arn:2']])).toBe(
    'NAME         TTL  ARN\n' + 'a            60   arn:1\n' + 'longer-name  -    arn:2\n',
  );
  expect(keyValues([['name', 'x'], ['message ttl', undefined]])).toBe('name:        x\nmessage ttl: -\n');
});

it('draws the spinner on stderr only when it is a terminal, and clears it', async () => {
  const tty = io(true);
  await withSpinner(tty.io, 'working', true, () => new Promise((r) => setTimeout(r, 200)));
  expect(tty.err()).toContain('working');
  expect(tty.err().endsWith('\r')).toBe(true);
  const pipe = io(false);
  expect(await withSpinner(pipe.io, 'working', true, async () => 42)).toBe(42);
  expect(pipe.err()).toBe('');
  const json = io(true);
  await withSpinner(json.io, 'working', false, async () => 1);
  expect(json.err()).toBe('');
});

it("prints the service's exception name and message, and the SDK code otherwise", () => {
  const notFound = new ServiceError('The channel is gone', { errorType: 'ResourceNotFoundException', httpStatus: 404 });
  expect(errorLine(notFound)).toBe('ResourceNotFoundException: The channel is gone');
  expect(errorLine(new TransportError('CONNECTION_FAILED', 'refused'))).toBe('CONNECTION_FAILED: refused');
  expect(errorLine(new UsageError('--role is required'))).toBe('--role is required');
  expect(errorLine(new Error('X-Amz-Signature=abcdef0123456789abcdef'))).not.toContain('abcdef0123456789');
});

it('maps errors to documented exit codes', () => {
  const svc = (errorType: string, httpStatus: number) => new ServiceError('m', { errorType, httpStatus });
  expect(exitCodeOf(new UsageError('x'))).toBe(ExitCode.USAGE);
  expect(exitCodeOf(new ConfigError('x'))).toBe(ExitCode.CONFIG);
  expect(exitCodeOf(new ValidationError('channelName', 'too long', 'INVALID_CHANNEL_NAME'))).toBe(ExitCode.USAGE);
  expect(exitCodeOf(new ValidationError('region', 'missing', 'INVALID_CONFIGURATION'))).toBe(ExitCode.CONFIG);
  expect(exitCodeOf(svc('ResourceNotFoundException', 404))).toBe(ExitCode.NOT_FOUND);
  expect(exitCodeOf(svc('AccessDeniedException', 403))).toBe(ExitCode.AUTH);
  expect(exitCodeOf(svc('ClientLimitExceededException', 400))).toBe(ExitCode.SERVICE);
  expect(exitCodeOf(new TransportError('TIMEOUT', 't'))).toBe(ExitCode.NETWORK);
  expect(exitCodeOf(new ProtocolError('INVALID_JSON', 'bad'))).toBe(ExitCode.FAILURE);
  expect(exitCodeOf(Object.assign(new Error('none'), { name: 'CredentialsProviderError' }))).toBe(ExitCode.CONFIG);
  expect(exitCodeOf(new Error('bug'))).toBe(ExitCode.FAILURE);
});

it('parses stdin lines for connect and names what is wrong', () => {
  expect(parseInputLine('{"action":"sdp_offer","messagePayload":{"type":"offer","sdp":"v=0"},"correlationId":"c1"}')).toEqual({
    action: 'SDP_OFFER',
    payload: { type: 'offer', sdp: 'v=0' },
    correlationId: 'c1',
  });
  expect(() => parseInputLine('nope')).toThrow('not JSON');
  expect(() => parseInputLine('[1]')).toThrow('expected a JSON object');
  expect(() => parseInputLine('{"action":"PING","payload":{}}')).toThrow('action must be SDP_OFFER, SDP_ANSWER or ICE_CANDIDATE, got "PING"');
  expect(() => parseInputLine('{"action":"SDP_ANSWER","payload":{},"recipientClientId":7}')).toThrow('recipientClientId must be a string');
});
