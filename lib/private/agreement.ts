/**
 * Compile-time proof that the construct's hand-written structs say what the zod schemas (the one definition of
 * the rules, `lambda/`) say: the same fields, each of the same type (an enum standing for the union of its
 * values), the same vendors, schemes and event types. `tsc` fails here when they drift apart — e.g. a vendor
 * gains an option in its schema and not in its `<Vendor>Options` struct, or the reverse.
 *
 * The only differences allowed are the ones `config.ts` translates (see there): `true`/`false` vendors,
 * `endpoints` + `endpointOptions`, and a custom vendor's `auth` as a `CustomVendorAuth` made by a factory.
 */
import type { z } from 'zod';
import type { configSchema } from '../../lambda/config/config';
import type { CallEventDetail as ZodCallEventDetail, NormalizedType } from '../../lambda/core/event';
import type { CallEventDetail } from '../call-event-detail';
import type { BuiltInVendor } from '../../lambda/vendors';
import type { VENDOR_OPTIONS } from '../../lambda/config/vendors';
import type { customVendorSchema } from '../../lambda/config/vendors/custom';
import type { CallEventType } from '../call-event-type';
import type { CallhooksConfiguration } from '../configuration';
import type {
  CanonicalRequestOptions, CustomVendor, HmacOptions, HmacSha256Options, JwtOptions, PublicKeyOptions, StandardWebhooksOptions,
  StaticTokenOptions, UrlSigningOptions,
} from '../custom-vendor';
import type { BuiltInVendors } from '../vendors';

/** Mutual assignability. */
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/** A string enum as the union of its values; arrays and objects read-only, all the way down. */
type Loose<T> = T extends string
  ? `${T}`
  : T extends readonly (infer U)[]
    ? readonly Loose<U>[]
    : T extends object
      ? { readonly [K in keyof T]: Loose<T[K]> }
      : T;

/** `S` and `Z` have the same keys, all the way down, and values of the same types. */
export type Agree<S, Z> = [NonNullable<S>] extends [readonly (infer A)[]]
  ? [NonNullable<Z>] extends [readonly (infer B)[]] ? Agree<A, B> : false
  : [NonNullable<S>] extends [object]
    ? [NonNullable<Z>] extends [object]
      ? Same<Keys<NonNullable<S>>, Keys<NonNullable<Z>>> extends true
        ? AllTrue<{ [K in keyof NonNullable<S>]-?: Agree<NonNullable<S>[K], NonNullable<Z>[K & keyof NonNullable<Z>]> }>
        : false
      : false
    : Same<Loose<NonNullable<S>>, Loose<NonNullable<Z>>>;

/** Property names (an index signature's `number` aside: `{ [k: string]: T }` has it, `Record<string, T>` not). */
type Keys<T> = Exclude<keyof T, number>;

type ValueOf<T> = NonNullable<T> extends { readonly [name: string]: infer V } ? V : never;

type AllTrue<T> = [T[keyof T]] extends [true] ? true : false;

/** Fails to compile unless `T` is `true`. */
type Assert<T extends true> = T;

/** A vendor's options struct against its schema: `endpoints` + `endpointOptions` against the file's `endpoints`. */
export type AgreeVendor<S, Z> = [
  Agree<Omit<S, 'endpoints' | 'endpointOptions'>, Omit<Z, 'endpoints'>>,
  Agree<S[keyof S & 'endpoints'], Extract<Z[keyof Z & 'endpoints'], readonly unknown[]>>,
  Agree<ValueOf<S[keyof S & 'endpointOptions']>, ValueOf<Exclude<Z[keyof Z & 'endpoints'], readonly unknown[] | undefined>>>,
] extends [true, true, true] ? true : false;

/** A vendor's name as its field in `BuiltInVendors`: `zz-example` → `zzExample` (lib/private/names.ts). */
type Camel<S extends string> = S extends `${infer H}-${infer T}` ? `${H}${Capitalize<Camel<T>>}` : S;

type VendorsInput = NonNullable<z.input<ReturnType<typeof configSchema>>['vendors']>;
type OptionsInput<N extends BuiltInVendor> = Exclude<z.input<ReturnType<(typeof VENDOR_OPTIONS)[N]>>, boolean>;
type CustomInput = z.input<ReturnType<typeof customVendorSchema>>;
type AuthInput<S extends string> = Omit<Extract<CustomInput['auth'], { scheme: S }>, 'scheme'>;

export type Agreement = [
  // The configuration's top level.
  Assert<Same<keyof CallhooksConfiguration, Exclude<keyof z.input<ReturnType<typeof configSchema>>, '$schema' | '//'>>>,
  Assert<Agree<Omit<CallhooksConfiguration, 'vendors' | 'customVendors'>, Omit<z.input<ReturnType<typeof configSchema>>, '$schema' | '//' | 'vendors' | 'customVendors'>>>,
  // One field per built-in vendor, and each vendor's options struct.
  Assert<Same<keyof BuiltInVendors, Camel<BuiltInVendor>>>,
  Assert<Same<keyof VendorsInput, BuiltInVendor>>,
  Assert<AllTrue<{ [N in BuiltInVendor]: AgreeVendor<NonNullable<BuiltInVendors[Camel<N>]>, OptionsInput<N>> }>>,
  // Custom vendors: the fields, the schemes (one factory each) and their options.
  Assert<AgreeVendor<Omit<CustomVendor, 'auth'>, Omit<CustomInput, 'auth'>>>,
  Assert<Same<CustomInput['auth']['scheme'],
    'standard-webhooks' | 'static-token' | 'hmac-sha256' | 'hmac' | 'public-key' | 'url-signing' | 'jwt' | 'canonical-request'>>,
  Assert<Agree<StandardWebhooksOptions, AuthInput<'standard-webhooks'>>>,
  Assert<Agree<StaticTokenOptions, AuthInput<'static-token'>>>,
  Assert<Agree<HmacSha256Options, AuthInput<'hmac-sha256'>>>,
  Assert<Agree<HmacOptions, AuthInput<'hmac'>>>,
  Assert<Agree<PublicKeyOptions, AuthInput<'public-key'>>>,
  Assert<Agree<UrlSigningOptions, AuthInput<'url-signing'>>>,
  Assert<Agree<JwtOptions, AuthInput<'jwt'>>>,
  Assert<Agree<CanonicalRequestOptions, AuthInput<'canonical-request'>>>,
  // The event types, and the subscribers' declaration of the event (`callhooks/events`, generated from the JSON Schema).
  Assert<Same<`${CallEventType}`, NormalizedType>>,
  Assert<Agree<CallEventDetail, ZodCallEventDetail>>,
];
