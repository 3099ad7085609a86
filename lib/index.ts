export * from './callhooks';
export * from './callhooks-stack';
export * from './dead-letter-queue';
export * from './dedup-table';
export * from './event-schemas';
export * from './monitoring';
export * from './payload-bucket';
export * from './redrive';
export * from './vendor-webhook';
export * from './webhook-api';
export {
  BUILT_IN_VENDORS,
  BuiltInVendor,
  BuiltInVendorOptions,
  CallhooksConfig,
  CommonVendorOptions,
  ConfigError,
  CustomAuth,
  CustomVendorConfig,
  QCallOptions,
  ResolvedConfig,
  VendorRuntimeConfig,
  resolveConfig,
} from '../lambda/config/config';
export type { CallEvent, CallEventDetail, NormalizedType, PayloadPointer, Transcript, TranscriptTurn } from './events';
export { NORMALIZED_TYPES } from '../lambda/core/event';
