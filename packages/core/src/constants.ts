/**
 * Limits of the service model and of the C library, in one place.
 * @packageDocumentation
 */

/** Longest channel name the API accepts (model `ChannelName`, 1–256). @public */
export const MAX_CHANNEL_NAME_LENGTH = 256;
/** Longest ARN the API accepts (model `ResourceARN`, 1–1024). @public */
export const MAX_ARN_LENGTH = 1024;
/** Longest client id (model `ClientId`, 1–256). @public */
export const MAX_CLIENT_ID_LENGTH = 256;
/** Longest correlation id (SendSdpOffer doc, 1–256). @public */
export const MAX_CORRELATION_ID_LENGTH = 256;
/**
 * Longest base64 `messagePayload` of a WebSocket message.
 * Source: the WebRTC developer guide pages SendSdpOffer / SendSdpAnswer /
 * SendIceCandidate ("messagePayload … Length constraints: Minimum length of 1.
 * Maximum length of 10K", docs.aws.amazon.com/kinesisvideostreams-webrtc-dg/latest/devguide/SendSdpOffer.html),
 * read as 10 × 1024 like the C-SDK's `MAX_SIGNALING_MESSAGE_LEN`.
 * @public
 */
export const MAX_WSS_MESSAGE_PAYLOAD_LENGTH = 10240;
/** Longest SendAlexaOfferToMaster `MessagePayload` / `Answer` (model, 1–10000). @public */
export const MAX_ALEXA_PAYLOAD_LENGTH = 10000;
/** MessageTtlSeconds range and default (model; C `SIGNALING_CHANNEL_TTL_SECONDS_*`). @public */
export const MIN_MESSAGE_TTL_SECONDS = 5;
/** @public */
export const MAX_MESSAGE_TTL_SECONDS = 120;
/** @public */
export const DEFAULT_MESSAGE_TTL_SECONDS = 60;
/** ICE server Ttl range (model; C `SIGNALING_ICE_SERVER_TTL_SECONDS_*`). @public */
export const MIN_ICE_SERVER_TTL_SECONDS = 30;
/** @public */
export const MAX_ICE_SERVER_TTL_SECONDS = 86400;
/** URIs per ICE server (C `SIGNALING_ICE_SERVER_MAX_URIS`). @public */
export const MAX_ICE_SERVER_URIS = 4;
/** Default cap on ICE servers read from a reply (C-SDK `MAX_ICE_CONFIG_COUNT`). @public */
export const DEFAULT_MAX_ICE_SERVERS = 5;
/** Tags per create call (model `TagOnCreateList`). @public */
export const MAX_TAGS = 50;
/** @public */
export const MAX_TAG_KEY_LENGTH = 128;
/** @public */
export const MAX_TAG_VALUE_LENGTH = 256;
/** ListSignalingChannels `MaxResults` range. @public */
export const MIN_LIST_MAX_RESULTS = 1;
/** @public */
export const MAX_LIST_MAX_RESULTS = 10000;
/** Longest `NextToken` (model, 0–1024). @public */
export const MAX_NEXT_TOKEN_LENGTH = 1024;
/** Longest channel `Version` (model, 1–64). @public */
export const MAX_VERSION_LENGTH = 64;
/** Protocols per GetSignalingChannelEndpoint request (1–3 distinct here; the model allows up to 5 items of 3 values). @public */
export const MAX_PROTOCOLS = 3;
/** Longest ICE `Username` request field (model, 1–256). @public */
export const MAX_USERNAME_LENGTH = 256;
/** IoT credential field limits of the C library (exclusive: a value must be shorter). @public */
export const IOT_ACCESS_KEY_MAX_LENGTH = 128;
/** @public */
export const IOT_SECRET_ACCESS_KEY_MAX_LENGTH = 128;
/** @public */
export const IOT_SESSION_TOKEN_MAX_LENGTH = 2048;
/** @public */
export const IOT_EXPIRATION_MAX_LENGTH = 128;
/** statusResponse field limits (async message reception doc). @public */
export const MAX_STATUS_DESCRIPTION_LENGTH = 1024;
/** Largest reply text a parser accepts (guards against memory blow-ups from hostile input). @public */
export const MAX_RESPONSE_LENGTH = 16 * 1024 * 1024;
/** Deepest JSON nesting a parser accepts; service replies are at most four levels deep. @public */
export const MAX_JSON_DEPTH = 64;
