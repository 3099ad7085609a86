/**
 * Keeps every event under the bus entry limit without cutting anything silently: the transcript, or
 * else the whole detail, moves to the payload store and the event carries a pointer to it.
 */
import { createHash } from 'node:crypto';
import type { CallEventDetail, PayloadPointer } from './event';
import { sourceOf } from './event';
import type { BlobStore } from './ports';
import { payloadPrefix } from '../contracts/payloads';

/**
 * Bytes EventBridge counts for an entry, as AWS documents it ("Calculating PutEvents event entry size"): 14 for
 * `Time`, and `Source`, `DetailType` and `Detail` as UTF-8 (callhooks sends no `Resources`).
 */
export function entryBytes(detailJson: string, detail: Pick<CallEventDetail, 'vendor' | 'type'>): number {
  return 14 + Buffer.byteLength(detailJson, 'utf8') + Buffer.byteLength(sourceOf(detail.vendor), 'utf8') + Buffer.byteLength(detail.type, 'utf8');
}

async function store(blobs: BlobStore, key: string, json: string): Promise<PayloadPointer> {
  const stored = await blobs.put(key, json, 'application/json');
  return {
    ...stored,
    part: 'detail',
    bytes: Buffer.byteLength(json, 'utf8'),
    sha256: createHash('sha256').update(json, 'utf8').digest('hex'),
  };
}

/** An event ready to publish, with its JSON (serialized once, then reused by the record and PutEvents). */
export interface FittedEvent {
  readonly detail: CallEventDetail;
  readonly json: string;
}

/** What {@link fitEvent} gives: the event to publish, or `tooLarge` when even its bare identifiers do not fit. */
export type FitResult = ({ readonly tooLarge: false } & FittedEvent) | { readonly tooLarge: true };

/**
 * Returns the detail to publish: `detail` itself (serialized as `json`) when it fits in `maxEventBytes`, else
 * a copy whose transcript turns (or whole content) are in the blob store. Blob keys derive from the event id,
 * so a duplicate overwrites the same object. Throws only what the blob store throws.
 */
export async function fitEvent(detail: CallEventDetail, json: string, maxEventBytes: number, blobs: BlobStore): Promise<FitResult> {
  if (entryBytes(json, detail) <= maxEventBytes) return { tooLarge: false, detail, json };
  const prefix = `${payloadPrefix('offload', detail.vendor)}${detail.eventId}`;
  if (detail.transcript && detail.transcript.turns.length > 0) {
    const pointer = await store(blobs, `${prefix}/transcript.json`, JSON.stringify(detail.transcript));
    const slim: CallEventDetail = {
      ...detail,
      transcript: { turns: [], truncated: detail.transcript.truncated },
      offload: { ...pointer, part: 'transcript' },
    };
    const slimJson = JSON.stringify(slim);
    if (entryBytes(slimJson, slim) <= maxEventBytes) return { tooLarge: false, detail: slim, json: slimJson };
  }
  const pointer = await store(blobs, `${prefix}/detail.json`, json);
  const bare: CallEventDetail = {
    schemaVersion: detail.schemaVersion,
    eventId: detail.eventId,
    type: detail.type,
    vendor: detail.vendor,
    vendorEventType: detail.vendorEventType,
    occurredAt: detail.occurredAt,
    receivedAt: detail.receivedAt,
    callId: detail.callId,
    test: detail.test,
    offload: { ...pointer, part: 'detail' },
  };
  const bareJson = JSON.stringify(bare);
  if (entryBytes(bareJson, bare) > maxEventBytes) return { tooLarge: true };
  return { tooLarge: false, detail: bare, json: bareJson };
}

/**
 * Stores the call's audio a delivery carried (ElevenLabs `post_call_audio`) at
 * `offload/<vendor>/<eventId>/audio.<extension>`, whatever the event's size (audio is never put on the bus),
 * and returns the detail pointing at it: `recording.url` and `offload` (part `audio`). The key derives from the
 * event id, so a duplicate overwrites the same object. Throws only what the blob store throws.
 */
export async function offloadAudio(
  detail: CallEventDetail,
  audio: { readonly bytes: Buffer; readonly contentType: string; readonly extension: string },
  blobs: BlobStore,
): Promise<CallEventDetail> {
  const key = `${payloadPrefix('offload', detail.vendor)}${detail.eventId}/audio.${audio.extension}`;
  const stored = await blobs.put(key, audio.bytes, audio.contentType);
  const pointer: PayloadPointer = {
    ...stored,
    part: 'audio',
    contentType: audio.contentType,
    bytes: audio.bytes.length,
    sha256: createHash('sha256').update(audio.bytes).digest('hex'),
  };
  return { ...detail, recording: { ...detail.recording, url: stored.url }, offload: pointer };
}
