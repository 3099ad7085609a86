/**
 * KoeIQ, as its public pages describe it (the webhook payloads page and the audit-export page; summarised in
 * docs/vendors/koeiq.md).
 *
 * Proof of origin: `X-KoeIQ-Signature`, HMAC-SHA256 hex of the raw body. The payloads page writes it as
 * `sha256=<hex>`, the audit-export page as a bare digest: both are accepted; `sign` emits the prefixed form.
 * No timestamp is signed, so dedup is the only replay protection.
 *
 * Dedup key: event + `data.voicelog_id` (+ `data.alert_rule_id` for `alert.triggered`, since one call can
 * trip several rules). Without a voicelog id (or an alert without its rule id), a SHA-256 of the raw body.
 */
import { lookupType } from '../core/event';
import type { KoeiqOptions } from '../config/vendors/koeiq';
export type { KoeiqOptions } from '../config/vendors/koeiq';
import type { NormalizedFields, NormalizedType } from '../core/event';
import { hmacScheme } from '../schemes/hmac';
import { schemeAuthentication } from './scheme';
import type { VendorAdapter } from '../core/vendor';
import { idAt } from './json-source';
import { compact, digestKey, joinKey, Json, num, obj, parseJsonObject, requireStr, str, stripUndefined } from './util';

/** KoeIQ event name → normalized type; any other name is published as `vendor.other`. */
export const KOEIQ_TYPES: Readonly<Record<string, NormalizedType>> = {
  'transcription.completed': 'transcript.ready',
  'analytics.completed': 'analytics.ready',
  'alert.triggered': 'alert.triggered',
};

export const KOEIQ_SIGNATURE_HEADER = 'X-KoeIQ-Signature';

/** A number, or a non-empty string (alert thresholds and values are numbers in the docs; rules may compare text). */
function numOrText(o: Json | undefined, key: string): number | string | undefined {
  return num(o, key) ?? (typeof o?.[key] === 'string' && o[key] !== '' ? (o[key] as string) : undefined);
}

export function koeiq(options: KoeiqOptions = {}): VendorAdapter {
  void options; // KoeIQ signs no timestamp: toleranceSeconds has nothing to bound.
  return {
    name: 'koeiq',
    methods: ['POST'],
    ...schemeAuthentication(hmacScheme({ header: KOEIQ_SIGNATURE_HEADER, prefix: 'sha256=' })),
    parse(d) {
      const body = parseJsonObject(d);
      const vendorEventType = requireStr(body, 'event');
      const type = lookupType(KOEIQ_TYPES, vendorEventType);
      const data = obj(body, 'data');
      // Numeric ids keep their digits as sent (idAt): past 2^53 a double would merge different ids.
      const voicelogId = idAt(d.body, body, '/data/voicelog_id');
      const alertRuleId = idAt(d.body, body, '/data/alert_rule_id');
      let dedupKey: string;
      if (voicelogId === undefined) dedupKey = digestKey('sha256=', d.body);
      else if (vendorEventType === 'alert.triggered') dedupKey = alertRuleId ? joinKey(vendorEventType, voicelogId, alertRuleId) : digestKey('sha256=', d.body);
      else dedupKey = joinKey(vendorEventType, voicelogId);

      const tenantId = str(body, 'tenant_id');
      const fields: NormalizedFields = {
        type,
        vendorEventType,
        occurredAt: str(body, 'timestamp'),
        callId: idAt(d.body, body, '/data/call_id') ?? null,
        test: false,
        account: tenantId ? { id: tenantId, kind: 'tenant' } : undefined,
        agent: compact({ operatorId: str(data, 'operator_id'), department: str(data, 'department') }),
        call: compact({
          durationSeconds: nonNegative(num(data, 'duration_seconds')),
          language: str(data, 'language'),
          date: str(data, 'call_date'),
        }),
        outcome: compact({ status: str(data, 'status') }),
        analytics: compact({
          qualityScore: num(data, 'quality_score'),
          sentiment: numOrText(data, 'sentiment_overall'),
          emotion: str(data, 'dominant_emotion'),
          intent: str(data, 'intent_primary'),
          summary: str(data, 'summary'),
        }),
        alert: compact({
          ruleId: alertRuleId,
          ruleName: str(data, 'alert_rule_name'),
          condition: str(data, 'condition'),
          threshold: numOrText(data, 'threshold'),
          actualValue: numOrText(data, 'actual_value'),
        }),
        fields: compact({ voicelog_id: voicelogId }),
      };
      return { dedupKey, fields: stripUndefined(fields) };
    },
  };
}

function nonNegative(n: number | undefined): number | undefined {
  return n !== undefined && n >= 0 ? n : undefined;
}
