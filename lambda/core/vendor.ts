/**
 * What a vendor adapter is: one module per vendor that knows its methods, its proof of origin (a scheme from
 * `lambda/schemes/`, see docs/SCHEMES.md), its dedup key and how its payloads map onto the CallEvent. Adapters
 * are pure: no I/O, no clock but the one given.
 */
import type { Delivery } from './http';
import type { NormalizedFields } from './event';
import type { Scheme, Verdict } from '../contracts/scheme';

export interface ParsedDelivery {
  /** Identifies one vendor event across redeliveries and duplicate configurations. */
  readonly dedupKey: string;
  readonly fields: NormalizedFields;
  /**
   * The call's audio when the vendor sends it inside the delivery (ElevenLabs `post_call_audio`): the pipeline
   * stores it in the payload store and points `recording.url` and `offload` (part `audio`) at it.
   */
  readonly audio?: { readonly bytes: Buffer; readonly contentType: string; readonly extension: string };
}

/** What a successful verification proved (the verdict of the vendor's scheme). */
export type Proof = Extract<Verdict, { ok: true }>;

export interface VendorAdapter {
  readonly name: string;
  /** HTTP methods the vendor uses; any other answers 405. */
  readonly methods: readonly string[];
  /**
   * The vendor's proof of origin. Set by `schemeAuthentication` (lambda/vendors/scheme.ts), which also derives
   * `verify`, `sign` and `generateSecret` from it.
   */
  readonly scheme?: Scheme;
  /** The URL the vendor calls, when it differs from the one requests arrive at (URL-signing schemes). */
  readonly publicUrl?: string;
  /** The field of a JSON secret that holds the credential (a secret shared with other tools). @default - the whole secret */
  readonly secretField?: string;
  /**
   * True when the delivery was made with this secret (and any signed timestamp is within tolerance of
   * `now`). Must never throw, whatever the headers and body hold.
   */
  verify(delivery: Delivery, secret: string, now: Date): boolean;
  /**
   * Parses an authenticated delivery; throws ParseError (message safe to return) when it cannot, and
   * SynchronousMessageError for a message that expects an answer callhooks does not give. `proof` is what
   * the scheme proved (its signed claims; the signed payload when the body is not it).
   */
  parse(delivery: Delivery, proof?: Proof): ParsedDelivery;
  /**
   * The authentication headers the vendor would send with `body` (for the local sample sender, the load
   * script and tests). `id` is the delivery id where the scheme signs one.
   */
  sign(body: Buffer, secret: string, now: Date, id?: string): Record<string, string>;
  /** A new development secret in the form the vendor issues (local mode). */
  generateSecret(): string;
}
