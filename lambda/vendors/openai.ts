/**
 * OpenAI webhooks (the Realtime API's SIP calls, and the platform's other events), as OpenAI's webhooks guide,
 * its Realtime SIP guide and the `openai` SDK's `webhooks.unwrap` describe them (summarised in docs/vendors/openai.md).
 *
 * Proof of origin: Standard Webhooks — `webhook-signature` is a space-separated list of `v1,<base64 HMAC-SHA256>`
 * of `webhook-id.webhook-timestamp.body`, keyed with the base64 part of the `whsec_` secret; the timestamp must
 * lie within `toleranceSeconds` (default 300, the SDK's) either way.
 *
 * Dedup key: `webhook-id`, signed, and the same on every retry of one event (OpenAI's idempotency key).
 *
 * `realtime.call.incoming` → `call.requested` (a SIP call waits to be accepted out of band with
 * `POST /v1/realtime/calls/{call_id}/accept`); OpenAI sends no event when a call ends. Every other event type
 * (responses, batches, fine-tuning, evals, and any added later) is `vendor.other`, its `data` kept in `fields`.
 */
import { DEFAULTS } from '../contracts/defaults';
import type { OpenaiOptions } from '../config/vendors/openai';
export type { OpenaiOptions } from '../config/vendors/openai';
import { lookupType, toIsoTime, type NormalizedFields, type NormalizedType } from '../core/event';
import { ParseError } from '../core/errors';
import { standardWebhooksScheme } from '../schemes/standard-webhooks';
import { schemeAuthentication } from './scheme';
import type { Delivery } from '../core/http';
import type { ParsedDelivery, VendorAdapter } from '../core/vendor';
import { idAt } from './json-source';
import { arr, compact, isObject, obj, parseJsonObject, requireStr, str, stripUndefined, type Json } from './util';

/** OpenAI event type → normalized type; any other type is published as `vendor.other`. */
export const OPENAI_TYPES: Readonly<Record<string, NormalizedType>> = {
  'realtime.call.incoming': 'call.requested',
};

/**
 * The user part of a SIP `From` / `To` header value — `"Dana" <sip:+14155550100@host>;tag=x` → `+14155550100` —
 * or the value as it is when it holds no SIP or tel URI.
 */
export function sipUser(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const m = /<?(?:sips?|tel):([^@;>]+)/i.exec(value);
  const user = m ? m[1].trim() : value.trim();
  return user === '' ? undefined : user;
}

/** The value of the first SIP header named `name` (any case) in `[{name, value}]`. */
function sipHeader(list: unknown[] | undefined, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const item of list ?? []) {
    if (isObject(item) && typeof item.name === 'string' && item.name.toLowerCase() === wanted) return str(item, 'value');
  }
  return undefined;
}

/** Normalizes an authenticated OpenAI delivery (pure: the signed `webhook-id` and the body only). */
export function parseOpenai(d: Delivery): ParsedDelivery {
  const webhookId = d.headers.get('webhook-id');
  if (!webhookId) throw new ParseError('webhook-id header is missing');
  const body = parseJsonObject(d);
  const vendorEventType = requireStr(body, 'type');
  const type = lookupType(OPENAI_TYPES, vendorEventType);
  const data: Json | undefined = obj(body, 'data');
  const common = { type, vendorEventType, occurredAt: toIsoTime(body.created_at), test: false };
  if (type !== 'call.requested') {
    const fields: NormalizedFields = { ...common, callId: null, fields: data };
    return { dedupKey: webhookId, fields: stripUndefined(fields) };
  }
  const headers = arr(data, 'sip_headers');
  const fields: NormalizedFields = {
    ...common,
    callId: idAt(d.body, body, '/data/call_id') ?? null,
    call: compact({
      direction: 'inbound' as const,
      from: sipUser(sipHeader(headers, 'From')),
      to: sipUser(sipHeader(headers, 'To')),
      channel: 'sip',
      sipCallId: sipHeader(headers, 'Call-ID'),
    }),
    fields: compact({ sip_headers: headers, sip_media_security: str(data, 'sip_media_security') }),
  };
  return { dedupKey: webhookId, fields: stripUndefined(fields) };
}

export function openai(options: OpenaiOptions = {}): VendorAdapter {
  const scheme = standardWebhooksScheme({ toleranceSeconds: options.toleranceSeconds ?? DEFAULTS.toleranceSeconds });
  return { name: 'openai', methods: ['POST'], ...schemeAuthentication(scheme), parse: parseOpenai };
}
