/**
 * The CallEvent detail (schema version 1), defined once: its TypeScript type (`CallEventDetail`, re-exported
 * by `event.ts`) and its published JSON Schema (`schema/call-event.schema.json`, `npm run schemas`) both come
 * from `callEventDetailSchema`. Runtime code imports only the types, so zod stays out of the bundles.
 *
 * Schema version 1 only grows: new optional fields; nothing is renamed or removed.
 */
import { z } from 'zod';
import { VENDOR_NAME_RE } from '../contracts/defaults';
import { ENDPOINT_NAME_RE } from '../contracts/endpoints';
import { DeepReadonly, toJsonSchema } from './schema';
import { NORMALIZED_TYPES, SCHEMA_VERSION } from '../core/event';

const str = () => z.string();
const time = () => z.iso.datetime({ offset: true });

/** Builds the schema (when called: no function's bundle holds it). */
export function callEventDetailSchema() {
  const turn = z.strictObject({
    speaker: str().meta({ description: '`agent`, `caller`, or the vendor\'s own role name when it is neither.' }),
    text: str(),
    at: str().optional().meta({ description: 'When the turn was spoken, as the vendor wrote it.' }),
  });
  const transcript = z.strictObject({
    turns: z.array(turn),
    truncated: z.boolean().meta({
      description: 'The vendor left turns out. When offload.part is transcript, turns is empty here and the turns are in the payload store.',
    }),
  });
  const offload = z.strictObject({
    part: z.enum(['transcript', 'detail', 'audio']).meta({
      description: '`transcript` (detail.transcript.turns moved), `detail` (the whole detail moved) or `audio` (the call\'s audio the vendor ' +
        'sent inside the delivery, decoded: ElevenLabs post_call_audio; recording.url points to it too).',
    }),
    contentType: str().optional().meta({ description: 'The stored object\'s media type, when it is not JSON (`audio/mpeg`).' }),
    url: str().meta({ description: '`s3://bucket/key` in the cloud, `file://…` in local mode.' }),
    bucket: str().optional(),
    key: str(),
    bytes: z.int(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
  }).meta({ description: 'Where the bulky part of this event went, when it was moved to the payload store to keep the event under the size limit.' });

  return z.strictObject({
    schemaVersion: z.literal(SCHEMA_VERSION),
    eventId: z.uuid().meta({
      description: 'UUID v5 of vendor and dedup key (and the endpoint, for a named one): the same for every copy of one vendor event at one endpoint.',
    }),
    type: z.enum(NORMALIZED_TYPES),
    vendor: z.string().regex(VENDOR_NAME_RE),
    endpoint: z.string().regex(ENDPOINT_NAME_RE).optional().meta({
      description: 'The endpoint (the vendor account: workspace, organization, tenant, assistant) the delivery arrived at: ' +
        '`default` for the plain route /webhooks/<vendor>, else the <endpoint> of /webhooks/<vendor>/<endpoint>. Set on every event ' +
        'callhooks publishes from the first release after 0.1.0 on; absent only on events published by 0.1.0 (replayed from an ' +
        'archive), which arrived at the plain route. Dedup is per endpoint: a named endpoint enters the eventId, `default` does not.',
    }),
    vendorEventType: z.string().min(1).meta({ description: 'The event type exactly as the vendor named it.' }),
    occurredAt: time().meta({ description: "The vendor's time for the event; receivedAt when it gives none." }),
    receivedAt: time(),
    callId: z.string().min(1).nullable(),
    test: z.boolean().meta({ description: 'Test, coaching or ping traffic.' }),
    account: z.strictObject({ id: str(), kind: z.enum(['workspace', 'tenant', 'organization', 'account']) }).optional()
      .meta({ description: "The vendor's workspace / tenant / organization / account (Twilio AccountSid)." }),
    agent: z.strictObject({
      id: str().optional(),
      deploymentId: str().optional(),
      operatorId: str().optional(),
      userId: str().optional(),
      department: str().optional(),
      phone: str().optional(),
      name: str().optional().meta({ description: "The agent's (assistant's) name at the vendor." }),
      version: str().optional().meta({ description: "The agent's version at the vendor, as text." }),
    }).optional().meta({ description: "Who handled the call on the vendor's side." }),
    call: z.strictObject({
      direction: z.enum(['inbound', 'outbound']).optional(),
      from: str().optional(),
      to: str().optional(),
      channel: str().optional().meta({ description: 'phone, sdk, video, audio, web …' }),
      status: str().optional(),
      language: str().optional(),
      date: str().optional(),
      requestedAt: str().optional(),
      startedAt: str().optional(),
      answeredAt: str().optional(),
      endedAt: str().optional(),
      durationSeconds: z.number().min(0).optional(),
      sessionId: str().optional(),
      siteId: str().optional(),
      cost: z.number().optional(),
      sipCallId: str().optional().meta({ description: 'The SIP Call-ID of the call (OpenAI Realtime SIP, LiveKit sip.callIDFull).' }),
      conversationId: str().optional().meta({
        description: "The id that groups a call's legs, recordings and transcripts at the vendor (Vonage conversation_uuid, LiveKit room sid).",
      }),
      currency: str().optional().meta({ description: 'The unit of `cost` when the vendor names one (`USD`, `cents`, `credits`).' }),
      endReason: str().optional().meta({ description: "Why the call ended, as the vendor wrote it (Vapi endedReason, Retell disconnection_reason, Telnyx hangup_cause, ElevenLabs termination_reason, a failure reason)." }),
      parentCallId: str().optional().meta({ description: 'The call this leg belongs to (Twilio ParentCallSid).' }),
      controlId: str().optional().meta({ description: 'The id that commands the call through the vendor\'s API when it differs from callId (Telnyx call_control_id).' }),
      type: str().optional().meta({ description: "The vendor's kind of call (`phone_call`, `web_call`, `inboundPhoneCall`, …)." }),
    }).optional(),
    outcome: z.strictObject({
      status: str().optional(),
      disposition: str().optional(),
      voicemail: z.boolean().optional().meta({ description: 'The call reached a voicemail or an answering machine.' }),
    }).optional(),
    contact: z.strictObject({
      id: str().optional(),
      name: str().optional(),
      firstName: str().optional(),
      lastName: str().optional(),
      email: str().optional(),
      phone: str().optional(),
      address: str().optional(),
      postalCode: str().optional(),
      fingerprint: str().optional(),
      lastSeenAt: str().optional(),
      location: z.record(z.string(), z.unknown()).nullable().optional(),
    }).optional(),
    recording: z.strictObject({
      available: z.boolean().optional(),
      url: str().optional(),
      audioUrl: str().optional(),
      videoUrl: str().optional(),
      expiresInSeconds: z.number().optional(),
      id: str().optional(),
      status: str().optional().meta({ description: "The recording's status as the vendor wrote it (`completed`, `failed`, …)." }),
      durationSeconds: z.number().min(0).optional(),
      channels: str().optional().meta({ description: 'Channels as the vendor wrote them (`1`, `2`, `single`, `dual`).' }),
      startedAt: str().optional(),
      endedAt: str().optional(),
      multiChannelUrl: str().optional().meta({ description: 'A recording with one channel per party.' }),
      urls: z.record(z.string(), z.string()).optional().meta({ description: 'Every recording URL the vendor gave, by its own name (`mp3`, `wav`, `public.mp3`, `scrubbed`, `stereo`, …).' }),
    }).optional(),
    transcript: transcript.optional(),
    analytics: z.strictObject({
      summary: str().optional(),
      sentiment: z.union([z.string(), z.number()]).optional(),
      emotion: str().optional(),
      intent: str().optional(),
      qualityScore: z.number().optional(),
      ratings: z.record(z.string(), z.number().nullable()).optional(),
      metrics: z.array(z.strictObject({
        name: str(),
        value: z.unknown().optional(),
        kind: str().optional(),
        confidence: z.number().optional(),
        reasoning: str().optional(),
      })).optional(),
      successful: z.boolean().optional().meta({ description: "The vendor's verdict on whether the call achieved its goal (Retell call_successful, ElevenLabs call_successful)." }),
      evaluation: z.unknown().optional().meta({ description: "The vendor's success evaluation as it came (Vapi successEvaluation, ElevenLabs evaluation_criteria_results)." }),
      structuredData: z.record(z.string(), z.unknown()).optional().meta({ description: 'Data the vendor extracted from the call, as it came (Vapi structuredData, Retell custom_analysis_data, ElevenLabs data_collection_results).' }),
    }).optional(),
    alert: z.strictObject({
      ruleId: str().optional(),
      ruleName: str().optional(),
      condition: str().optional(),
      threshold: z.union([z.number(), z.string()]).optional(),
      actualValue: z.union([z.number(), z.string()]).optional(),
    }).optional(),
    order: z.strictObject({
      id: str().optional(),
      product: str().optional(),
      quantity: z.number().optional(),
      value: z.number().optional(),
    }).optional(),
    qualification: z.array(z.strictObject({ question: str(), value: z.unknown() })).optional()
      .meta({ description: "Converc's qualification answers, as `{ question, value }`." }),
    fields: z.record(z.string(), z.unknown()).optional().meta({
      description: "The vendor's free-form fields exactly as they came (QCall body parameters, Atoms variables, a custom vendor's payload).",
    }),
    offload: offload.optional(),
  });
}

type Detail = z.output<ReturnType<typeof callEventDetailSchema>>;

/**
 * The `detail` of every event callhooks puts on the bus (schema version 1), the type of its zod definition.
 * Each field is described in `schema/call-event.schema.json` and, with its source per vendor, in docs/EVENTS.md.
 */
export type CallEventDetail = DeepReadonly<Detail>;
/** One turn of a transcript. */
export type TranscriptTurn = Transcript['turns'][number];
/** A transcript: its turns, and whether the vendor (or callhooks, see `offload`) left turns out. */
export type Transcript = NonNullable<CallEventDetail['transcript']>;
/** Where an offloaded part of an event lives. */
export type PayloadPointer = NonNullable<CallEventDetail['offload']>;

/** The JSON Schema of the detail (shipped as `schema/call-event.schema.json`). */
export function callEventJsonSchema(): Record<string, unknown> {
  return toJsonSchema(callEventDetailSchema(), {
    $id: 'https://github.com/callhooks/callhooks/schema/call-event.schema.json',
    title: 'callhooks CallEvent detail, schema version 1',
    description: 'The `detail` of every event callhooks puts on the bus. `source` is `callhooks.<vendor>`, `detail-type` equals ' +
      '`detail.type`. Optional objects appear only when the vendor provides their content.',
  });
}
