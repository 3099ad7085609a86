/**
 * A scheme: how a vendor proves that a delivery is its own (DESIGN.md §Proof of origin), apart from how its
 * payload maps onto a CallEvent. One family per module in `lambda/schemes/`; a built-in vendor and a custom
 * vendor pick from the same ones. Plain types only: no dependency.
 */
import type { KeyObject } from 'node:crypto';
import type { FormFields, Headers, RequestUrl } from './request';

/** What a scheme sees: the whole request, the URL resolved (`publicUrl` applied), the form read once. */
export interface SchemeRequest {
  readonly method: string;
  readonly url: RequestUrl;
  readonly headers: Headers;
  readonly body: Buffer;
  /** The body's form fields when it is `application/x-www-form-urlencoded`, else undefined (parsed on first call). */
  form(): FormFields | undefined;
}

/** The kind of credential a scheme verifies with, as stored in the endpoint's secret. */
export type CredentialSpec =
  /** A shared secret (text; the scheme decides how its bytes are the key). */
  | { readonly kind: 'secret' }
  /** A vendor's public key: base64 of its raw bytes, or a PEM `PUBLIC KEY`. */
  | { readonly kind: 'public-key'; readonly algorithm: 'ed25519' }
  /** A small JSON object of named text values (e.g. `{"key": …, "secret": …}`). */
  | { readonly kind: 'fields'; readonly required: readonly string[]; readonly optional?: readonly string[] };

/** One decoded credential. An endpoint's secret decodes to one, or two during a rotation (current first). */
export type Credential =
  | { readonly kind: 'secret'; readonly secret: string }
  | { readonly kind: 'public-key'; readonly key: KeyObject }
  | { readonly kind: 'fields'; readonly fields: Readonly<Record<string, string>> };

/**
 * Why a delivery was refused: for logs and metrics, never for the vendor's eyes (the vendor always gets the
 * same 401). A bounded set, so that each can be counted.
 */
export const REFUSAL_REASONS = [
  /** The signature, token, timestamp or id the scheme needs is absent. */
  'missing-header',
  /** A signature or token is there but cannot be read (wrong length, encoding, structure, algorithm). */
  'malformed-signature',
  /** The signed timestamp is older than the tolerance. */
  'stale-timestamp',
  /** The signed timestamp is further ahead than the tolerance. */
  'future-timestamp',
  /** Well-formed, but made with none of the endpoint's credentials (or over other bytes). */
  'no-key-matched',
  /** A signed hash of the body (JWT claim, bodySHA256) does not match the body. */
  'body-mismatch',
  /** The endpoint's credential is not of the kind the scheme verifies with (e.g. a secret where a public key belongs). */
  'wrong-key-kind',
  /** The endpoint's secret cannot be decoded for the scheme (logged once with what is wrong): a configuration error. */
  'unusable-credential',
  /** The scheme failed (threw): an adapter bug, logged as such; the delivery is refused. */
  'scheme-error',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

/**
 * What a verified delivery's scheme vouches for: only these sources may decide the dedup key and the event
 * type. `headers: 'all'` for a static token (whoever holds it could send any header as well as any body).
 */
export interface Vouches {
  /** The raw body bytes (directly, or through a signed hash of them). */
  readonly body: boolean;
  /** Lower-case names of the headers whose values are signed. */
  readonly headers: readonly string[] | 'all';
  /** The URL, its query included. */
  readonly url: boolean;
  /** The token's claims (a JWT scheme): `claim:<name>` sources of a custom vendor read them. */
  readonly claims?: boolean;
}

export type Verdict =
  | {
      readonly ok: true;
      /** Which credential matched: 0 the current, 1 the previous. */
      readonly credential: number;
      readonly vouches: Vouches;
      /** The signed time of the delivery, where the scheme signs one. */
      readonly signedAt?: Date;
      /** The signed claims, for a JWT scheme. */
      readonly claims?: Readonly<Record<string, unknown>>;
      /** The payload the signature covers when it is not the body (the body *is* a JWT): the decoded bytes. */
      readonly payload?: Buffer;
    }
  | { readonly ok: false; readonly reason: RefusalReason };

/**
 * The answer to a handshake (a challenge the vendor sends to prove the endpoint is ours): exactly what the
 * vendor expects; never stored or published.
 */
export interface HandshakeReply {
  readonly statusCode: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** A JSON body. */
  readonly json?: Readonly<Record<string, unknown>>;
  /** A text body (used when `json` is absent). */
  readonly text?: string;
}

/** What to sign: the request a vendor would send (tests, the local mode, `callhooks send`). */
export interface SignInput {
  /** @default "POST" */
  readonly method?: string;
  /** The full URL it will be sent to (URL-signing schemes sign it). @default "https://localhost/" */
  readonly url?: string;
  readonly body: Buffer;
  /** The delivery id, where the scheme signs one. @default - one derived from the body */
  readonly id?: string;
  /** The Content-Type it will be sent with (signed by some schemes). @default "application/json" */
  readonly contentType?: string;
  /** Values of other headers it will be sent with that the scheme signs (an HMAC template's `{header:NAME}`). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** A signed request: the headers to add, and the URL or body when signing changes them. */
export interface SignedRequest {
  readonly headers: Readonly<Record<string, string>>;
  /** The URL to call, when signing added to it (Twilio's `bodySHA256`). @default - the input's */
  readonly url?: string;
  /** The body to send, when signing replaced it (a body that *is* a JWT). @default - the input's */
  readonly body?: Buffer;
}

/** A new credential in the form the vendor issues: what the endpoint's secret stores, and what signs. */
export interface GeneratedCredential {
  /** The value to store as the endpoint's secret (a public key for a public-key scheme). */
  readonly secret: string;
  /** What `sign` takes: the same value for a shared secret, the private key for a public-key scheme. */
  readonly signingKey: string;
}

export interface Scheme {
  /** The family's id (`hmac`, `standard-webhooks`, `public-key`, `url-signing`, `jwt`, `canonical-request`, `static-token`). */
  readonly family: string;
  readonly credential: CredentialSpec;
  /** What any delivery this scheme verifies vouches for (known before a delivery arrives). */
  readonly vouches: Vouches;
  /**
   * Verifies the request with the endpoint's credentials (current first). Never throws and never rejects:
   * whatever the request holds, the answer is a verdict.
   */
  verify(request: SchemeRequest, credentials: readonly Credential[], now: Date): Verdict | Promise<Verdict>;
  /**
   * Answers a handshake, or undefined when the request is not one (the delivery then goes on to `verify`).
   * Never throws.
   */
  handshake?(request: SchemeRequest, credentials: readonly Credential[], now: Date): HandshakeReply | undefined | Promise<HandshakeReply | undefined>;
  /** Signs a request as the vendor would, with the signing key (`GeneratedCredential.signingKey`). */
  sign(input: SignInput, signingKey: string, now: Date): SignedRequest;
  /** A new credential for development (the local mode, tests). */
  generateCredential(): GeneratedCredential;
}
