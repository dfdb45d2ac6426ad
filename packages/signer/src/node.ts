/**
 * Node-only credential providers. Kept out of the main entry so browser
 * bundles never pull in undici.
 * @packageDocumentation
 */
import { Agent, request } from 'undici';
import {
  TimeoutError,
  TransportError,
  ValidationError,
  constructFetchTempCredsRequestForAwsIot,
  isSignalingError,
  parseFetchTempCredsResponseFromAwsIot,
  parseServiceError,
} from '@kvs-sig/core';
import { createCredentialsProvider, type Credentials, type CredentialsProvider } from './credentials';

/** Options of {@link fromAwsIotCredentials}. @public */
export interface AwsIotCredentialsOptions {
  /** The account's IoT credentials endpoint: a host name or an `https://` URL. */
  credentialsEndpoint: string;
  roleAlias: string;
  /** Sent as `x-amzn-iot-thingname`. */
  thingName: string;
  /** The device certificate (PEM). */
  cert: string | Buffer;
  /** The device private key (PEM). */
  key: string | Buffer;
  /** CA bundle to trust instead of the system roots (PEM). */
  ca?: string | Buffer;
  /** Abort one fetch after this long. Default 10 s. */
  fetchTimeoutMs?: number;
  /** Refresh this long before expiration. Default 5 minutes. */
  refreshWindowMs?: number;
}

/**
 * Temporary credentials from the AWS IoT credentials provider, fetched over
 * mutual TLS with the device certificate (the request is not SigV4-signed),
 * memoised and refreshed ahead of expiry. Uses core's
 * `constructFetchTempCredsRequestForAwsIot` / `parseFetchTempCredsResponseFromAwsIot`.
 * Failures surface from `get()` as `ServiceError` (non-2xx), `ProtocolError`
 * (bad reply), `TransportError` `CONNECTION_FAILED` or `TimeoutError`.
 * @public
 */
export function fromAwsIotCredentials(options: AwsIotCredentialsOptions): CredentialsProvider {
  if (typeof options !== 'object' || options === null) throw new ValidationError('options', 'are required', 'INVALID_CONFIGURATION');
  for (const field of ['cert', 'key'] as const) {
    const v = options[field];
    if (!(typeof v === 'string' || Buffer.isBuffer(v)) || v.length === 0) {
      throw new ValidationError(field, 'must be a non-empty PEM string or Buffer', 'INVALID_CONFIGURATION');
    }
  }
  const timeoutMs = options.fetchTimeoutMs ?? 10_000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new ValidationError('fetchTimeoutMs', 'must be a positive number', 'INVALID_CONFIGURATION');
  // Validate endpoint, alias and thing name now, not at the first fetch.
  const req = constructFetchTempCredsRequestForAwsIot({
    credentialsEndpoint: options.credentialsEndpoint,
    roleAlias: options.roleAlias,
    thingName: options.thingName,
  });
  const connect = { cert: options.cert, key: options.key, ...(options.ca === undefined ? {} : { ca: options.ca }) };

  const fetchOnce = async (): Promise<Credentials> => {
    // One agent per fetch: refreshes are hourly, and nothing stays open between them.
    const agent = new Agent({ connect });
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      const res = await request(req.url, {
        method: req.method,
        headers: { ...req.headers, accept: 'application/json' },
        dispatcher: agent,
        signal,
      });
      const body = await res.body.text();
      if (res.statusCode < 200 || res.statusCode > 299) {
        throw parseServiceError({ status: res.statusCode, headers: res.headers, body });
      }
      return parseFetchTempCredsResponseFromAwsIot(body);
    } catch (error) {
      if (isSignalingError(error)) throw error;
      // undici reports an abort in several shapes; the signal itself is the reliable witness.
      if (signal.aborted) {
        throw new TimeoutError(`IoT credentials fetch did not finish within ${timeoutMs} ms`, { cause: error });
      }
      throw new TransportError('CONNECTION_FAILED', `IoT credentials fetch failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    } finally {
      await agent.close().catch(() => undefined);
    }
  };
  return createCredentialsProvider(fetchOnce, options.refreshWindowMs === undefined ? {} : { refreshWindowMs: options.refreshWindowMs });
}
