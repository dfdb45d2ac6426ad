import type { ServiceError } from '@kvs-sig/core';
import { verify, type VerifyResult } from '@kvs-sig/signer';
import { awsError } from './aws-errors';
import type { EmulatorCredentials } from './types';

/** What the emulator checks signatures against. @internal */
export interface AuthSettings {
  /** Every accepted key; the request's access key id picks one. */
  credentials: EmulatorCredentials[];
  region: string;
  maxClockSkewMs: number;
}

/** Whether the key that signed has passed its expiration on the emulator's clock. */
function expired(settings: AuthSettings, accessKeyId: string, nowMs: number): boolean {
  const key = settings.credentials.find((c) => c.accessKeyId === accessKeyId);
  return key?.expiration !== undefined && key.expiration.getTime() <= nowMs;
}

function amzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

const INVALID_TOKEN = 'The security token included in the request is invalid.';
const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

/**
 * Maps a refused HTTP signature to the exception the AWS front end sends.
 * `signedDate` is the request's X-Amz-Date, used in the service's exact
 * "Signature expired" wording that clients (the C SDK) match on.
 */
function httpAuthError(result: Extract<VerifyResult, { ok: false }>, nowMs: number, skewMs: number, signedDate: string | undefined): ServiceError {
  const minutes = Math.round(skewMs / 60_000);
  switch (result.failure) {
    case 'MISSING_AUTH':
      return awsError('MissingAuthenticationTokenException', 'Missing Authentication Token');
    case 'MALFORMED_AUTH':
      return awsError('IncompleteSignatureException', `Malformed authorization: ${result.reason}`);
    case 'UNKNOWN_ACCESS_KEY':
    case 'INVALID_SESSION_TOKEN':
      return awsError('UnrecognizedClientException', INVALID_TOKEN);
    case 'SIGNATURE_MISMATCH':
    case 'UNSIGNED_SESSION_TOKEN':
      return awsError('InvalidSignatureException', MISMATCH);
    case 'WRONG_SCOPE':
      return awsError('InvalidSignatureException', `Credential should be scoped correctly: ${result.reason}`);
    case 'EXPIRED':
      return awsError(
        'InvalidSignatureException',
        `Signature expired: ${signedDate ?? '?'} is now earlier than ${amzDate(nowMs - skewMs)} (${amzDate(nowMs)} - ${minutes} min.)`,
      );
    case 'NOT_YET_VALID':
      return awsError(
        'InvalidSignatureException',
        `Signature not yet current: ${signedDate ?? '?'} is still later than ${amzDate(nowMs + skewMs)} (${amzDate(nowMs)} + ${minutes} min.)`,
      );
  }
}

/**
 * Verifies a header-signed HTTP request. AWS accepts an `x-amz-security-token`
 * header left out of SignedHeaders (the C SDK sends it so), so the emulator does too;
 * the token value itself must still match.
 * @internal
 */
export async function authenticateHttp(
  request: { method: 'POST' | 'GET'; url: string; headers: Record<string, string>; body: string },
  settings: AuthSettings,
  nowMs: number,
): Promise<ServiceError | undefined> {
  const result = await verify(request, {
    credentials: settings.credentials,
    region: settings.region,
    service: 'kinesisvideo',
    now: new Date(nowMs),
    maxSkewMs: settings.maxClockSkewMs,
  });
  if (result.ok) {
    return expired(settings, result.accessKeyId, nowMs)
      ? awsError('ExpiredTokenException', 'The security token included in the request is expired')
      : undefined;
  }
  return httpAuthError(result, nowMs, settings.maxClockSkewMs, request.headers['x-amz-date']);
}

/**
 * Verifies a presigned WebSocket URL. Every refusal is what KVS sends on a
 * ConnectAs* handshake: 403 `AccessDeniedException`, with the reason in the message.
 * @internal
 */
export async function authenticateWss(url: string, host: string, settings: AuthSettings, nowMs: number): Promise<ServiceError | undefined> {
  const result = await verify(
    { method: 'GET', url, headers: { host } },
    { credentials: settings.credentials, region: settings.region, service: 'kinesisvideo', now: new Date(nowMs), maxSkewMs: settings.maxClockSkewMs },
  );
  if (result.ok) {
    return expired(settings, result.accessKeyId, nowMs)
      ? awsError('AccessDeniedException', 'Access denied (EXPIRED_TOKEN): the credentials have expired', 403)
      : undefined;
  }
  return awsError('AccessDeniedException', `Access denied (${result.failure}): ${result.reason}`, 403);
}
