// The package's API: the construct, its props and their structs and enums. Nothing else is exported (the
// construct's parts and the Lambda code are internal); subscribers' event types are in `callhooks/events`.
export { Callhooks, type CallhooksProps } from './callhooks';
export { CallhooksConfigFile, type CallhooksConfiguration } from './configuration';
export { CallEventType } from './call-event-type';
export { TwilioSignatureAlgorithm, VapiAuth, VapiTimestampUnit } from './vendors';
export type {
  AtomsOptions,
  BlandOptions,
  BuiltInVendors,
  ConvercOptions,
  EndpointOptions,
  KoeiqOptions,
  LivekitEndpointOptions,
  LivekitOptions,
  OpenaiOptions,
  QCallEndpointOptions,
  QCallOptions,
  QuarterzipOptions,
  ElevenlabsOptions,
  RetellOptions,
  TelnyxOptions,
  TwilioEndpointOptions,
  TwilioOptions,
  UltravoxOptions,
  VapiEndpointOptions,
  VapiHmacOptions,
  VapiOptions,
  VendorOptionsBase,
  VonageOptions,
} from './vendors';
export {
  CustomVendorAuth,
  Handshake,
  HmacAlgorithm,
  HttpMethod,
  SecretEncoding,
  SignatureEncoding,
  SignatureList,
  SignedPayload,
  StandardWebhooksHeaders,
  TimestampUnit,
  TokenLocation,
  UrlSigningForm,
  type CanonicalRequestOptions,
  type CustomVendor,
  type CustomVendorEndpointOptions,
  type CustomVendorFields,
  type HmacOptions,
  type HmacSha256Options,
  type JwtOptions,
  type PublicKeyOptions,
  type StandardWebhooksOptions,
  type StaticTokenOptions,
  type UrlSigningOptions,
} from './custom-vendor';
export type { SubscriberOptions } from './subscriber';
export type { CustomDomainOptions } from './custom-domain';
export type { RefusedCaptureOptions } from './refused-capture';
