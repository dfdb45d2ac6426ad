/**
 * AWS IoT credentials provider (C: `Signaling_ConstructFetchTempCredsRequestForAwsIot` / `…Parse…`).
 * The request goes over mutual TLS and is not SigV4-signed.
 * https://docs.aws.amazon.com/iot/latest/developerguide/authorizing-direct-aws.html
 * @packageDocumentation
 */
import { IOT_ACCESS_KEY_MAX_LENGTH, IOT_EXPIRATION_MAX_LENGTH, IOT_SECRET_ACCESS_KEY_MAX_LENGTH, IOT_SESSION_TOKEN_MAX_LENGTH } from './constants';
import { ProtocolError, ValidationError } from './errors';
import type { ErrorCodeOf } from './errors';
import { requireEndpoint } from './endpoint';
import { get, parseJsonObject } from './json';
import { requireTopKey } from './describe-signaling-channel';
import type { HttpRequest } from './types';
import { rejectUnknownKeys, requireObject, requireString } from './validate';

/** Input of {@link constructFetchTempCredsRequestForAwsIot}. @public */
export interface FetchTempCredsForAwsIotInput {
  /** The account's credentials endpoint host (`xxxx.credentials.iot.<region>.amazonaws.com`), or that host as an `https://` URL. */
  credentialsEndpoint: string;
  /** IoT role alias: 1–128 of `[A-Za-z0-9_=,@-]`. */
  roleAlias: string;
  /** Sent as `x-amzn-iot-thingname`: 1–128 of `[a-zA-Z0-9:_-]`. */
  thingName?: string;
}

const ROLE_ALIAS_RE = /^[\w=,@-]{1,128}$/;
const THING_NAME_RE = /^[a-zA-Z0-9:_-]{1,128}$/;
const HOST_RE = /^[A-Za-z0-9.-]+(?::\d{1,5})?$/;

/**
 * Builds the IoT credentials request: `GET https://<endpoint>/role-aliases/<roleAlias>/credentials`,
 * with the `x-amzn-iot-thingname` header when a thing name is given.
 * @throws ValidationError `BAD_PARAM`, `INSECURE_ENDPOINT`.
 * @public
 */
export function constructFetchTempCredsRequestForAwsIot(input: FetchTempCredsForAwsIotInput): HttpRequest {
  const obj = requireObject(input, 'input');
  rejectUnknownKeys(obj, ['credentialsEndpoint', 'roleAlias', 'thingName']);
  const raw = requireString(obj.credentialsEndpoint, 'credentialsEndpoint');
  let base: string;
  if (raw.includes('://')) base = requireEndpoint(raw, 'credentialsEndpoint', 'https');
  else if (HOST_RE.test(raw)) base = `https://${raw}`;
  else throw new ValidationError('credentialsEndpoint', 'must be a host name or an https:// URL');
  const alias = requireString(obj.roleAlias, 'roleAlias');
  if (!ROLE_ALIAS_RE.test(alias)) throw new ValidationError('roleAlias', 'must be 1-128 characters of [A-Za-z0-9_=,@-]');
  const headers: Record<string, string> = {};
  if (obj.thingName !== undefined) {
    const thing = requireString(obj.thingName, 'thingName');
    if (!THING_NAME_RE.test(thing)) throw new ValidationError('thingName', 'must be 1-128 characters of [a-zA-Z0-9:_-]');
    headers['x-amzn-iot-thingname'] = thing;
  }
  return { method: 'GET', url: `${base}/role-aliases/${encodeURIComponent(alias)}/credentials`, headers };
}

/** Result of {@link parseFetchTempCredsResponseFromAwsIot}. @public */
export interface AwsIotCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

const FIELDS: readonly [string, number, ErrorCodeOf<'ProtocolError'>][] = [
  ['accessKeyId', IOT_ACCESS_KEY_MAX_LENGTH, 'ACCESS_KEY_LENGTH_TOO_LARGE'],
  ['secretAccessKey', IOT_SECRET_ACCESS_KEY_MAX_LENGTH, 'SECRET_ACCESS_KEY_LENGTH_TOO_LARGE'],
  ['sessionToken', IOT_SESSION_TOKEN_MAX_LENGTH, 'SESSION_TOKEN_LENGTH_TOO_LARGE'],
  ['expiration', IOT_EXPIRATION_MAX_LENGTH, 'EXPIRATION_LENGTH_TOO_LARGE'],
];

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Parses the IoT credentials reply. Over-long fields give the C library's
 * `*_LENGTH_TOO_LARGE` codes (the first in document order wins); all four
 * fields are required; `expiration` must be an ISO-8601 date-time.
 * @throws ProtocolError `INVALID_JSON`, `UNEXPECTED_RESPONSE`, `ACCESS_KEY_LENGTH_TOO_LARGE`, `SECRET_ACCESS_KEY_LENGTH_TOO_LARGE`, `SESSION_TOKEN_LENGTH_TOO_LARGE`, `EXPIRATION_LENGTH_TOO_LARGE`.
 * @public
 */
export function parseFetchTempCredsResponseFromAwsIot(text: string): AwsIotCredentials {
  const what = 'IoT credentials';
  const obj = parseJsonObject(text, what);
  const creds = requireTopKey(obj, 'credentials', what, 'object') as Record<string, unknown>;
  const values: Record<string, string> = {};
  for (const key of Object.keys(creds)) {
    const spec = FIELDS.find((f) => f[0] === key);
    if (spec === undefined) continue;
    const v = get(creds, key);
    if (typeof v !== 'string') throw new ProtocolError('UNEXPECTED_RESPONSE', `${what}: ${key} is not a string`);
    if (v.length >= spec[1]) throw new ProtocolError(spec[2], `${what}: ${key} is ${v.length} characters, the limit is ${spec[1] - 1}`);
    values[key] = v;
  }
  for (const [key] of FIELDS) {
    if (!Object.hasOwn(values, key) || values[key] === '') throw new ProtocolError('UNEXPECTED_RESPONSE', `${what}: ${key} is missing`);
  }
  const exp = values.expiration as string;
  const m = ISO_RE.exec(exp);
  const date = new Date(exp);
  // Date would roll 2024-02-30 over to March; refuse days the month does not have.
  const daysInMonth = m === null ? 0 : new Date(Date.UTC(Number(m[1]), Number(m[2]), 0)).getUTCDate();
  if (m === null || Number.isNaN(date.getTime()) || Number(m[2]) < 1 || Number(m[2]) > 12 || Number(m[3]) < 1 || Number(m[3]) > daysInMonth || Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 59) {
    throw new ProtocolError('UNEXPECTED_RESPONSE', `${what}: expiration ${JSON.stringify(exp)} is not an ISO-8601 date-time`);
  }
  return {
    accessKeyId: values.accessKeyId as string,
    secretAccessKey: values.secretAccessKey as string,
    sessionToken: values.sessionToken as string,
    expiration: date,
  };
}
