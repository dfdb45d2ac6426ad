/**
 * Failure routing as a pure decision, and the README's routing table held to it: each row's
 * failures, run through decide(), take the route the row's text describes, and every
 * exception the table names is in core's one classification table.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  ServiceError,
  SignalingError,
  TimeoutError,
  TransportError,
  ValidationError,
  classifyServiceError,
  parseServiceError,
  serviceErrorClasses,
} from '@kvs-sig/core';
import { THROTTLE_DELAY_MS, VIEWER_LIMIT_DELAY_MS, decide, type FailureContext, type Route } from '../../src/connection/decide';

const fresh: FailureContext = { everOpened: false, byName: true, describe404: false, authFailures: 0, skewRetries: 0 };
const connected: FailureContext = { ...fresh, everOpened: true };

/** A reply as the service sends it. */
function reply(status: number, errorType: string, message = errorType) {
  return parseServiceError({ status, headers: { 'x-amzn-errortype': `${errorType}:http://internal.amazon.com/coral/` }, body: JSON.stringify({ message }) });
}

/** Representative failures of each README row (by its first column). */
const ROWS: Record<string, SignalingError[]> = {
  '401 / 403 (not skew)': [
    reply(403, 'AccessDeniedException', 'Access denied'),
    reply(401, 'NotAuthorizedException'),
    reply(403, 'UnrecognizedClientException', 'The security token included in the request is invalid'),
    reply(403, 'InvalidSignatureException', 'The request signature we calculated does not match'),
    reply(400, 'ExpiredTokenException', 'The security token included in the request is expired'),
  ],
  '404': [reply(404, 'ResourceNotFoundException', 'The requested channel is not found or not active.')],
  '5xx, timeout, network error, unclassified handshake failure': [
    reply(500, 'InternalFailure'),
    reply(503, 'ServiceUnavailable'),
    new TimeoutError('the handshake took too long'),
    new TransportError('CONNECTION_FAILED', 'ECONNRESET', { retryable: true }),
    new TransportError('CONNECTION_FAILED', 'the handshake failed (no detail in a browser)'),
  ],
  '`ClientLimitExceededException`': [reply(400, 'ClientLimitExceededException', 'The channel already has the maximum number of viewers')],
  'Signature expired / not yet current': [
    reply(403, 'InvalidSignatureException', 'Signature expired: 20260101T000000Z is now earlier than 20260101T000500Z'),
    reply(403, 'InvalidSignatureException', 'Signature not yet current: 20260101T001000Z is still later than 20260101T000500Z'),
    new ServiceError('the clock is off by 20 minutes', { errorType: 'InvalidSignatureException', httpStatus: 403 }, 'CLOCK_SKEW'),
  ],
  '`InvalidArgumentException`, bad options': [reply(400, 'InvalidArgumentException', '1 validation error detected'), new ValidationError('role', 'must be MASTER or VIEWER')],
};

/** The words of the README's "Next attempt" text that name each route. */
const ROUTE_WORDS: Record<Route, RegExp> = {
  'refresh-credentials': /^Refresh credentials/,
  'drop-cache': /^Drop the cached ARN and endpoints/,
  're-resolve': /^Re-resolve the endpoint/,
  'back-off': /^Back off/,
  'correct-clock': /^Learn the offset from the `Date` header, retry at once/,
  'give-up': /^Fatal/,
};

function readmeRows(): Array<{ failure: string; next: string }> {
  const text = readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
  const section = text.split('## How a connection attempt is routed')[1]!.split('\n## ')[0]!;
  return section
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| Failure') && !line.startsWith('|---'))
    .map((line) => {
      const cells = line.split(' | ');
      return { failure: cells[0]!.slice(2).trim(), next: cells[1]!.replace(/ \|$/, '').trim() };
    });
}

describe('README: how a connection attempt is routed', () => {
  const rows = readmeRows();

  test('the table has exactly the rows this test knows', () => {
    expect(rows.map((r) => r.failure).sort()).toEqual(Object.keys(ROWS).sort());
  });

  test.each(Object.keys(ROWS))('%s', (failure) => {
    const row = rows.find((r) => r.failure === failure)!;
    for (const error of ROWS[failure]!) {
      const route = decide(error, connected).route;
      expect([error.message, row.next]).toEqual([error.message, expect.stringMatching(ROUTE_WORDS[route])]);
    }
  });

  test('every exception the table names is in core\'s classification table', () => {
    const known = new Map(serviceErrorClasses());
    const named = rows.flatMap((r) => [...r.failure.matchAll(/`(\w+Exception)`/g)].map((m) => m[1]!));
    expect(named.length).toBeGreaterThan(0);
    for (const name of named) expect([name, known.has(name)]).toEqual([name, true]);
  });
});

describe('decide()', () => {
  test('auth refusals refresh credentials at once the first time; before the first open the third is fatal, after it never', () => {
    const error = reply(403, 'AccessDeniedException');
    let ctx = fresh;
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      const d = decide(error, ctx);
      seen.push(`${d.route} atOnce=${d.atOnce} giveUp=${d.giveUp} n=${d.authFailures}`);
      ctx = { ...ctx, authFailures: d.authFailures };
    }
    expect(seen).toEqual([
      'refresh-credentials atOnce=true giveUp=false n=1',
      'refresh-credentials atOnce=false giveUp=false n=2',
      'refresh-credentials atOnce=false giveUp=true n=3',
    ]);
    expect(decide(error, { ...connected, authFailures: 10 }).giveUp).toBe(false);
  });

  test('clock skew: corrected at once; the second in a row also re-resolves and waits', () => {
    // Not an auth refusal (no 401/403), so only the first correction is immediate.
    const error = new ServiceError('off', { errorType: 'Unknown', httpStatus: 0 }, 'CLOCK_SKEW');
    const first = decide(error, fresh);
    expect(first).toMatchObject({ route: 'correct-clock', atOnce: true, reResolveEndpoint: false, skewRetries: 1 });
    const second = decide(error, { ...fresh, skewRetries: first.skewRetries });
    expect(second).toMatchObject({ route: 'correct-clock', atOnce: false, reResolveEndpoint: true, skewRetries: 2 });
    // A 403 skew reply is also retried at once while credentials were not refused twice.
    expect(decide(reply(403, 'InvalidSignatureException', 'Signature expired: x'), { ...fresh, skewRetries: 5 }).atOnce).toBe(true);
  });

  test('404: drop the cache; fatal only when Describe said so, before the first open or for a channel given by ARN', () => {
    const error = reply(404, 'ResourceNotFoundException');
    expect(decide(error, fresh)).toMatchObject({ dropCache: true, giveUp: false });
    expect(decide(error, { ...fresh, describe404: true }).giveUp).toBe(true);
    expect(decide(error, { ...connected, describe404: true }).giveUp).toBe(false);
    expect(decide(error, { ...connected, describe404: true, byName: false }).giveUp).toBe(true);
    // A failed delivery is not a missing channel.
    expect(decide(new ServiceError('no peer', { errorType: 'X', httpStatus: 404 }, 'DELIVERY_FAILED'), fresh)).toMatchObject({
      dropCache: false,
      giveUp: false,
    });
  });

  test('a full channel waits at least a second; other client limits back off only', () => {
    expect(decide(reply(400, 'ClientLimitExceededException', 'The channel already has the maximum number of viewers'), fresh).leastDelayMs).toBe(VIEWER_LIMIT_DELAY_MS);
    expect(decide(reply(400, 'ClientLimitExceededException', 'ConnectAsViewer is limited to 3 calls per second'), fresh)).toMatchObject({ leastDelayMs: THROTTLE_DELAY_MS, route: 'back-off', giveUp: false });
    expect(decide(reply(429, 'ThrottlingException'), fresh)).toMatchObject({ route: 're-resolve', giveUp: false });
  });

  test('configuration is fatal; a credentials source failing is fatal only before the first open', () => {
    for (const code of ['MISSING_CREDENTIALS', 'INVALID_CONFIGURATION', 'INSECURE_ENDPOINT'] as const) {
      expect(decide(new ValidationError('x', 'x', code), connected).giveUp).toBe(true);
    }
    expect(decide(reply(400, 'AccountChannelLimitExceededException'), connected).giveUp).toBe(true);
    const provider = new SignalingError('CREDENTIALS_PROVIDER_FAILED', 'sso expired');
    expect(decide(provider, fresh)).toMatchObject({ refreshCredentials: true, giveUp: true });
    expect(decide(provider, connected)).toMatchObject({ refreshCredentials: true, giveUp: false });
    const tls = new TransportError('CONNECTION_FAILED', 'self-signed certificate', { retryable: false });
    expect(decide(tls, fresh).giveUp).toBe(true);
    expect(decide(tls, connected)).toMatchObject({ giveUp: false, reResolveEndpoint: true });
  });

  test('pure: the context is not changed, the same input gives the same decision', () => {
    const ctx = Object.freeze({ ...fresh, authFailures: 1 });
    const error = reply(403, 'AccessDeniedException');
    expect(decide(error, ctx)).toEqual(decide(error, ctx));
    expect(ctx.authFailures).toBe(1);
  });

  test('the client\'s auth route and core\'s classes agree on every name core knows', () => {
    for (const [name, cls] of serviceErrorClasses()) {
      const route = decide(reply(400, name, 'refused'), connected).route;
      if (cls === 'credentials' || cls === 'access-denied') expect([name, route]).toEqual([name, 'refresh-credentials']);
      if (cls === 'clock-skew') expect([name, route]).toEqual([name, 'correct-clock']);
      if (cls === 'invalid-argument' || cls === 'quota') expect([name, route]).toEqual([name, 'give-up']);
      expect(classifyServiceError(reply(400, name))).toBe(cls);
    }
  });
});
