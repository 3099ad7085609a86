export * from './callhooks';
export * from './callhooks-stack';
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
