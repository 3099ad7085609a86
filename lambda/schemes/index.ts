/**
 * The scheme library (DESIGN.md §Proof of origin): one module per family. A vendor module picks one and gives
 * it options; docs/SCHEMES.md shows how.
 */
export { hmacScheme, type HmacOptions } from './hmac';
export { standardWebhooksScheme, type StandardWebhooksOptions } from './standard-webhooks';
export { publicKeyScheme, type PublicKeyOptions } from './public-key';
export { urlSigningScheme, type UrlSigningOptions } from './url-signing';
export { jwtScheme, type JwtOptions } from './jwt';
export { canonicalRequestScheme, type CanonicalRequestOptions } from './canonical-request';
export { staticTokenScheme, type StaticTokenOptions } from './static-token';
export { decodeCredentials, type Decoded } from './credentials';
export { schemeRequestOf, calledUrl, urlText, splitUrl } from './request';
export { verifyWith, signWith, type SignedDelivery } from './run';
export type * from '../contracts/scheme';
