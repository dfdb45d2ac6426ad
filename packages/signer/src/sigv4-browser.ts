/**
 * The SigV4 functions of the browser entry, bound to WebCrypto. A module of its own, apart
 * from the entry's re-exports, so an app (or the client) that imports only the
 * credentials provider or the clock from the entry reaches none of this, even
 * when a bundler splits chunks: one-line wrappers, one per function, so a bundle
 * keeps only the functions it calls.
 * @packageDocumentation
 */
import type { HttpRequest } from '@kvs-sig/core';
import {
  createSigV4RequestSignerWith,
  presignWssUrlWith,
  signRequestWith,
  type PresignOptions,
  type RequestSigner,
  type SignOptions,
  type SigV4RequestSignerOptions,
} from './sign';
import { verifyWith, type VerifyOptions, type VerifyResult } from './verify';
import { WebCryptoSha256 } from './sha256-webcrypto';

/**
 * Signs one of core's requests with SigV4 in headers, exactly as AWS SDK v3 does
 * for `kinesisvideo` (see `signRequestWith` in sign.ts for the details).
 * @throws ValidationError for a malformed request or options; SignalingError
 *   `CREDENTIALS_PROVIDER_FAILED` / `MISSING_CREDENTIALS` from the credentials.
 * @public
 */
export function signRequest(request: HttpRequest, options: SignOptions): Promise<HttpRequest> {
  return signRequestWith(WebCryptoSha256, request, options);
}

/**
 * Presigns a WebSocket connect URL (query auth), byte for byte as the official
 * KVS JS SDK's `SigV4RequestSigner`. `url` is the unsigned URL with its query.
 * @public
 */
export function presignWssUrl(url: string, options: PresignOptions): Promise<string> {
  return presignWssUrlWith(WebCryptoSha256, url, options);
}

/**
 * The default {@link RequestSigner}: SigV4 with the given credentials, memoised
 * through {@link createCredentialsProvider}.
 * @public
 */
export function createSigV4RequestSigner(options: SigV4RequestSignerOptions): Required<RequestSigner> {
  return createSigV4RequestSignerWith(WebCryptoSha256, options);
}

/**
 * Checks a SigV4-signed request or a presigned URL as the service would.
 * @public
 */
export function verify(input: HttpRequest | string, options: VerifyOptions): Promise<VerifyResult> {
  return verifyWith(WebCryptoSha256, input, options);
}
