/**
 * Quarterzip: Standard Webhooks signatures, as its public webhooks page describes them (summarised in
 * docs/vendors/quarterzip.md).
 * Dedup key: `webhook-id`, which a redelivery of the same message repeats.
 */
import { standardWebhooksScheme } from '../schemes/standard-webhooks';
import { schemeAuthentication } from './scheme';
import { randomUUID } from 'node:crypto';
import { ParseError } from '../core/errors';
import type { VendorAdapter } from '../core/vendor';
import { idAt } from './json-source';
import type { NormalizedFields } from '../core/event';
import { DEFAULTS } from '../contracts/defaults';
import type { QuarterzipOptions } from '../config/vendors/quarterzip';
export type { QuarterzipOptions } from '../config/vendors/quarterzip';
import { arr, bool, compact, numOrNull, obj, parseJsonObject, requireStr, str, stripUndefined, turnsOf } from './util';

export function quarterzip(options: QuarterzipOptions = {}): VendorAdapter {
  const authentication = schemeAuthentication(standardWebhooksScheme({ toleranceSeconds: options.toleranceSeconds ?? DEFAULTS.toleranceSeconds }));
  return {
    name: 'quarterzip',
    methods: ['POST'],
    ...authentication,
    sign: (body, secret, now, id) => authentication.sign(body, secret, now, id ?? `msg_${randomUUID()}`),
    parse(d) {
      const webhookId = d.headers.get('webhook-id');
      if (!webhookId) throw new ParseError('webhook-id header is missing');
      const body = parseJsonObject(d);
      const vendorEventType = requireStr(body, 'type');
      const data = obj(body, 'data');
      if (!data) throw new ParseError('data is missing or not an object');
      const transcriptList = arr(data, 'transcript');
      const ratings: Record<string, number | null> = {};
      const callQuality = numOrNull(data, 'call_quality_rating');
      const productExperience = numOrNull(data, 'product_experience_rating');
      if (callQuality !== undefined) ratings.callQuality = callQuality;
      if (productExperience !== undefined) ratings.productExperience = productExperience;
      const isPhone = bool(data, 'is_phone');
      const isSdk = bool(data, 'is_sdk');
      const startedAt = str(data, 'started_at');
      const endedAt = str(data, 'ended_at');
      const duration = startedAt && endedAt ? (Date.parse(endedAt) - Date.parse(startedAt)) / 1000 : NaN;
      const fields: NormalizedFields = {
        type: vendorEventType === 'call.completed' ? 'call.ended' : 'vendor.other',
        vendorEventType,
        occurredAt: str(body, 'timestamp'),
        callId: idAt(d.body, body, '/data/call_id') ?? null,
        test: bool(data, 'is_test') === true || bool(data, 'is_coaching') === true,
        account: str(data, 'workspace_id') ? { id: str(data, 'workspace_id')!, kind: 'workspace' } : undefined,
        agent: compact({ deploymentId: str(data, 'deployment_id') }),
        call: compact({
          channel: isPhone ? 'phone' : isSdk ? 'sdk' : undefined,
          startedAt,
          endedAt,
          durationSeconds: Number.isFinite(duration) && duration >= 0 ? duration : undefined,
        }),
        transcript:
          transcriptList !== undefined || data.transcript_truncated === true
            ? { turns: turnsOf(transcriptList, { speaker: 'speaker', text: 'text' }), truncated: data.transcript_truncated === true }
            : undefined,
        analytics: Object.keys(ratings).length > 0 ? { ratings } : undefined,
        fields: compact({
          is_test: bool(data, 'is_test'),
          is_coaching: bool(data, 'is_coaching'),
          is_phone: isPhone,
          is_sdk: isSdk,
        }),
      };
      return { dedupKey: webhookId, fields: stripUndefined(fields) };
    },
  };
}
