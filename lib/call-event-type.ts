/**
 * The normalized type of a call event: its `detail-type` on the bus, equal to `detail.type`
 * (DESIGN.md §The event on the bus). `lambda/core/event.ts`'s `NORMALIZED_TYPES` is the one list; a
 * compile-time check (`lib/private/agreement.ts`) keeps this enum equal to it.
 */
export enum CallEventType {
  /** A call was requested or is ringing (e.g. Converc's `call.requested`, Twilio's `ringing`). */
  CALL_REQUESTED = 'call.requested',
  /** The call was answered or the conversation started. */
  CALL_STARTED = 'call.started',
  /** The call ended (end-of-call reports). */
  CALL_ENDED = 'call.ended',
  /** Nobody answered: no-answer, busy, failed. */
  CALL_MISSED = 'call.missed',
  /** The call was canceled before it was answered. */
  CALL_CANCELED = 'call.canceled',
  /** A transcript is ready. */
  TRANSCRIPT_READY = 'transcript.ready',
  /** A recording is ready. */
  RECORDING_READY = 'recording.ready',
  /** Analytics (summary, sentiment, scores) are ready. */
  ANALYTICS_READY = 'analytics.ready',
  /** The vendor raised an alert. */
  ALERT_TRIGGERED = 'alert.triggered',
  /** A test or ping delivery from the vendor's console. */
  WEBHOOK_TEST = 'webhook.test',
  /** Any other authenticated event type of the vendor: published, never refused. */
  VENDOR_OTHER = 'vendor.other',
}
