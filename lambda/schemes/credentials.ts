/** Credential decoding lives in the core (the pipeline decodes an endpoint's secret for its vendor's scheme). */
export { decodeCredentials, ed25519PublicKey, type Decoded } from '../core/credentials';
