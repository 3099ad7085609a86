/**
 * The construct's configuration structs and `callhooks.config.json`: the file read into structs gives the same
 * configuration as the file itself, structs are validated by the file's rules with messages naming the field,
 * and `lib/private/agreement.ts` really fails when a struct and its schema drift apart (type-level cases below:
 * `tsc --noEmit`, the first step of `npm test`, fails if any `@ts-expect-error` finds no error).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { z } from 'zod';
import {
  CallhooksConfigFile, CustomVendorAuth, HmacAlgorithm, SignatureEncoding, TwilioSignatureAlgorithm, VapiAuth, VapiTimestampUnit, type QCallOptions,
} from '../../lib';
import type { Agree, AgreeVendor } from '../../lib/private/agreement';
import { configJsonOf, resolveConfiguration } from '../../lib/private/config';
import { resolveConfig } from '../../lambda/config/config';
import type { qcallOptions } from '../../lambda/config/vendors/qcall';
import type { CallEventDetail as ZodCallEventDetail } from '../../lambda/core/event';
import type { CallEventDetail } from '../../lib/events';
import { RINGLY, RINGLY_VENDOR } from './app';
import { ALL_VENDORS_CONFIG_FILE, DEFAULT_CONFIG_FILE, readConfig } from '../helpers/configs';

type QCallInput = Exclude<z.input<ReturnType<typeof qcallOptions>>, boolean>;

// The check passes for the struct as it is…
export const agrees: AgreeVendor<QCallOptions, QCallInput> = true;
// …and fails for a struct with an option the schema does not have, without one it has, or with another type.
// @ts-expect-error an extra option
export const extra: AgreeVendor<QCallOptions & { readonly tokenSuffix?: string }, QCallInput> = true;
// @ts-expect-error a missing option
export const missing: AgreeVendor<Omit<QCallOptions, 'dedupFields'>, QCallInput> = true;
// @ts-expect-error another type
export const otherType: AgreeVendor<Omit<QCallOptions, 'tokenPrefix'> & { readonly tokenPrefix?: number }, QCallInput> = true;
// The subscribers' declaration of the event (callhooks/events) against the zod type, likewise.
export const eventAgrees: Agree<CallEventDetail, ZodCallEventDetail> = true;
// @ts-expect-error a field missing from the declaration
export const eventMissing: Agree<Omit<CallEventDetail, 'callId'>, ZodCallEventDetail> = true;
// @ts-expect-error a nested field of another type
export const eventNested: Agree<Omit<CallEventDetail, 'call'> & { readonly call?: { readonly durationSeconds?: string } }, ZodCallEventDetail> = true;
// @ts-expect-error an enum with a value the schema does not allow
export const enumValue: Agree<{ readonly e?: SignatureEncoding | 'hex2' }, { readonly e?: 'hex' | 'base64' }> = true;

describe('CallhooksConfigFile', () => {
  it.each([
    ['callhooks.config.json', DEFAULT_CONFIG_FILE],
    ['examples/all-vendors/callhooks.config.json', ALL_VENDORS_CONFIG_FILE],
  ])('reads %s into structs that resolve to the same configuration as the file', (_name, file) => {
    expect(resolveConfiguration(CallhooksConfigFile.read(file))).toEqual(resolveConfig(readConfig(file)));
  });

  it.each<[string, unknown]>([
    ['vendors true and false', { vendors: { quarterzip: true, qcall: false, koeiq: { toleranceSeconds: 60 } } }],
    ['endpoints as a list', { vendors: { quarterzip: { endpoints: ['eu', 'us'] } } }],
    ['endpoints with their own options', { vendors: { qcall: { endpoints: { eu: { tokenHeader: 'x-eu' }, us: {} } } } }],
    ['a custom vendor', { customVendors: [RINGLY], maxBodyBytes: 4096, retentionDays: 90 }],
  ])('round-trips %s', (_name, raw) => {
    const structs = CallhooksConfigFile.parse(JSON.stringify(raw));
    expect(resolveConfig(configJsonOf(structs))).toEqual(resolveConfig(raw));
  });

  it('gives the struct of the custom vendor in the test app for the same JSON', () => {
    const [fromFile] = CallhooksConfigFile.parse(JSON.stringify({ customVendors: [RINGLY] })).customVendors!;
    expect(configJsonOf({ customVendors: [fromFile] })).toEqual(configJsonOf({ customVendors: [RINGLY_VENDOR] }));
  });

  it('names the file and the field of a bad value', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callhooks-config-'));
    const file = path.join(dir, 'bad.json');
    fs.writeFileSync(file, JSON.stringify({ vendors: { qcall: { tokenHeader: 'x y' } } }));
    expect(() => CallhooksConfigFile.read(file))
      .toThrow(`Callhooks: invalid config in ${file}: vendors.qcall.tokenHeader must be an HTTP header name, got "x y"`);
    expect(() => CallhooksConfigFile.parse('{')).toThrow(/^Callhooks: the configuration is not JSON/);
    expect(() => CallhooksConfigFile.read(path.join(dir, 'missing.json'))).toThrow(/^Callhooks: cannot read the configuration file/);
  });
});

describe('configuration structs', () => {
  it.each<[string, object, string]>([
    ['endpointOptions for an endpoint not listed', { vendors: { quarterzip: { endpoints: ['eu'], endpointOptions: { us: {} } } } },
      'Callhooks: invalid config: vendors.quarterzip.endpointOptions["us"] is not listed in vendors.quarterzip.endpoints (endpoints: eu)'],
    ['endpointOptions without endpoints', { vendors: { koeiq: { endpointOptions: { eu: {} } } } },
      'Callhooks: invalid config: vendors.koeiq.endpointOptions["eu"] is not listed in vendors.koeiq.endpoints (none listed)'],
    ['an auth that is not from a factory', { customVendors: [{ ...RINGLY_VENDOR, auth: { scheme: 'hmac-sha256' } }] },
      'Callhooks: invalid config: customVendors[0].auth must be made with a CustomVendorAuth factory (e.g. CustomVendorAuth.hmac)'],
    ['a bad option of a scheme', { customVendors: [{ ...RINGLY_VENDOR, auth: CustomVendorAuth.staticToken({ header: 'x y' }) }] },
      'Callhooks: invalid config: customVendors[0].auth.header must be an HTTP header name, got "x y"'],
    ['a bad enum value (from JavaScript)', { customVendors: [{ ...RINGLY_VENDOR, auth: CustomVendorAuth.hmacSha256({ header: 'x', encoding: 'b64' as SignatureEncoding }) }] },
      'Callhooks: invalid config: customVendors[0].auth.encoding must be "hex" or "base64", got "b64"'],
  ])('refuses %s', (_name, config, message) => {
    expect(() => resolveConfiguration(config)).toThrow(message);
  });

  it('takes the platforms\' options structs, enums included, as the file\'s JSON', () => {
    const config = {
      vendors: {
        twilio: {
          publicUrl: 'https://hooks.example.com/twilio', signatureAlgorithm: TwilioSignatureAlgorithm.SHA256,
          endpoints: ['default', 'legacy'], endpointOptions: { legacy: { signatureAlgorithm: TwilioSignatureAlgorithm.SHA1 } },
        },
        vapi: {
          auth: VapiAuth.HMAC,
          hmac: { algorithm: HmacAlgorithm.SHA512, signatureEncoding: SignatureEncoding.BASE64, timestampUnit: VapiTimestampUnit.SECONDS },
          endpoints: ['sales', 'support'], endpointOptions: { support: { auth: VapiAuth.BEARER, bearerPrefix: false } },
        },
        retell: {}, elevenlabs: { toleranceSeconds: 600 }, telnyx: { enabled: false },
      },
    };
    expect(configJsonOf(config)).toEqual({
      vendors: {
        twilio: {
          publicUrl: 'https://hooks.example.com/twilio', signatureAlgorithm: 'sha256',
          endpoints: { default: {}, legacy: { signatureAlgorithm: 'sha1' } },
        },
        vapi: {
          auth: 'hmac', hmac: { algorithm: 'sha512', signatureEncoding: 'base64', timestampUnit: 's' },
          endpoints: { sales: {}, support: { auth: 'bearer', bearerPrefix: false } },
        },
        retell: {}, elevenlabs: { toleranceSeconds: 600 }, telnyx: { enabled: false },
      },
    });
    expect(resolveConfiguration(config).vendors.map((v) => v.name).sort()).toEqual(['elevenlabs', 'retell', 'twilio', 'vapi']);
  });

  it('refuses a value a platform option does not take, naming the option', () => {
    expect(() => resolveConfiguration({ vendors: { twilio: { signatureAlgorithm: 'sha512' as TwilioSignatureAlgorithm } } }))
      .toThrow(/vendors\.twilio\.signatureAlgorithm must be/);
  });

  it("turns a vendor's camelCase field into its kebab-case name in the file (file to struct: scripts/scaffold-check.sh)", () => {
    // Prepare: a vendor named zz-example, as `npm run new-vendor zz-example` would add (the translation takes no list)
    const structs = { vendors: { zzExample: { toleranceSeconds: 60 }, quarterzip: {} } } as never;

    // Act
    const json = configJsonOf(structs);

    // Assert
    expect(json).toEqual({ vendors: { 'zz-example': { toleranceSeconds: 60 }, quarterzip: {} } });
  });

  it('turns endpoints and endpointOptions into the file\'s endpoints object', () => {
    expect(configJsonOf({ vendors: { qcall: { endpoints: ['eu', 'us'], endpointOptions: { eu: { tokenHeader: 'x-eu' } } } } }))
      .toEqual({ vendors: { qcall: { endpoints: { eu: { tokenHeader: 'x-eu' }, us: {} } } } });
  });
});
