/**
 * A vendor described by configuration alone (CustomVendorConfig): its proof of origin, and JSON pointers
 * or headers for its event type, id, call id and time. Its whole payload is kept in `detail.fields`.
 */
import { lookupType, toIsoTime } from '../core/event';
import { createHash } from 'node:crypto';
import type { CustomVendorConfig } from '../config/config';
import { DEFAULTS } from '../config/config';
import { ParseError } from '../core/errors';
import type { Delivery } from '../core/http';
import { generateHexSecret, HmacScheme, signHmac, verifyHmac, verifyStaticToken } from '../core/hmac';
import { generateStandardWebhooksSecret, signStandardWebhook, verifyStandardWebhook } from '../core/standard-webhooks';
import type { VendorAdapter } from '../core/vendor';
import { digestKey, isObject, Json, parseJsonObject, stripUndefined } from './util';

/** Resolves an RFC 6901 JSON pointer; undefined when any step is missing. */
export function resolvePointer(doc: unknown, pointer: string): unknown {
  if (pointer === '') return doc;
  let cur: unknown = doc;
  for (const raw of pointer.slice(1).split('/')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur) && /^(0|[1-9][0-9]*)$/.test(token)) cur = cur[Number(token)];
    else if (isObject(cur) && Object.prototype.hasOwnProperty.call(cur, token)) cur = cur[token];
    else return undefined;
  }
  return cur;
}

/** Reads `header:<name>` or a JSON pointer, as it is. */
function read(location: string | undefined, delivery: Delivery, body: Json): unknown {
  if (!location) return undefined;
  return location.startsWith('header:') ? delivery.headers.get(location.slice('header:'.length)) : resolvePointer(body, location);
}

/** Reads `header:<name>` or a JSON pointer; strings and finite numbers come back as strings. */
function readText(location: string | undefined, delivery: Delivery, body: Json): string | undefined {
  const v = read(location, delivery, body);
  if (typeof v === 'string') return v.trim() === '' ? undefined : v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

export function customVendor(def: CustomVendorConfig): VendorAdapter {
  const tolerance = def.toleranceSeconds ?? DEFAULTS.toleranceSeconds;
  const auth = def.auth;
  const hmac: HmacScheme | undefined =
    auth.scheme === 'hmac-sha256'
      ? {
          header: auth.header,
          encoding: auth.encoding ?? 'hex',
          prefix: auth.prefix,
          signatureKey: auth.signatureKey,
          signedPayload: auth.signedPayload ?? 'body',
          timestampHeader: auth.timestampHeader,
          timestampKey: auth.timestampKey,
          toleranceSeconds: tolerance,
        }
      : undefined;
  const verify: VendorAdapter['verify'] = (d, secret, now) => {
    if (hmac) return verifyHmac(d.headers, d.body, secret, now, hmac);
    if (auth.scheme === 'static-token') return verifyStaticToken(d.headers, secret, auth.header, auth.prefix ?? '');
    return verifyStandardWebhook(d.headers, d.body, secret, now, tolerance);
  };
  const sign: VendorAdapter['sign'] = (body, secret, now, id) => {
    if (hmac) return signHmac(body, secret, now, hmac);
    if (auth.scheme === 'static-token') return { [auth.header]: `${auth.prefix ?? ''}${secret}` };
    return signStandardWebhook(body, secret, now, id ?? `msg_${createHash('sha256').update(body).digest('hex').slice(0, 24)}`);
  };
  const eventIdAt = def.fields.eventId ?? (auth.scheme === 'standard-webhooks' ? 'header:webhook-id' : undefined);
  return {
    name: def.name,
    methods: def.methods ?? ['POST'],
    verify,
    sign,
    generateSecret: auth.scheme === 'standard-webhooks' ? generateStandardWebhooksSecret : () => generateHexSecret(),
    parse(d) {
      const body = parseJsonObject(d);
      const vendorEventType = readText(def.fields.eventType, d, body);
      if (!vendorEventType) throw new ParseError(`the event type (${def.fields.eventType}) is missing`);
      const id = readText(eventIdAt, d, body);
      const dedupKey = id ?? digestKey('sha256:', d.body);
      const accountId = readText(def.fields.accountId, d, body);
      const test = def.fields.test ? resolvePointer(body, def.fields.test) === true : false;
      const type = lookupType(def.typeMap, vendorEventType);
      return {
        dedupKey,
        fields: stripUndefined({
          type,
          vendorEventType,
          // A number is Unix seconds (or milliseconds): toIsoTime reads both.
          occurredAt: toIsoTime(read(def.fields.occurredAt, d, body)),
          callId: readText(def.fields.callId, d, body) ?? null,
          test: test || type === 'webhook.test',
          account: accountId ? { id: accountId, kind: 'organization' as const } : undefined,
          fields: body,
        }),
      };
    },
  };
}
