import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { CallEvent } from 'callhooks/events';

/**
 * Takes the ended calls off the CRM sync queue. `callhooks/events` is types only: this file compiles to
 * plain JavaScript that requires nothing, so the function's asset is this one file.
 */
export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    try {
      const call = JSON.parse(record.body) as CallEvent<'call.ended'>;
      await syncToCrm(call);
    } catch {
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}

/** Idempotent on `detail.eventId`: every copy of one vendor event carries the same id. */
async function syncToCrm(call: CallEvent<'call.ended'>): Promise<void> {
  const { eventId, vendor, callId, call: details, offload } = call.detail;
  // A transcript too large for the bus was moved to the payload bucket: offload.bucket / offload.key.
  const record = { eventId, vendor, callId, durationSeconds: details?.durationSeconds, transcriptIn: offload?.url };
  void record; // a real worker upserts `record` into the CRM here, keyed by eventId
}
