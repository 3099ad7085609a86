/**
 * The types a subscriber's code needs, and nothing else:
 *
 * ```ts
 * import type { CallEvent } from 'callhooks/events';
 *
 * export async function handler(event: CallEvent<'call.ended'>): Promise<void> {
 *   // event.detail.eventId is the same for every copy of one vendor event: be idempotent on it.
 * }
 * ```
 *
 * This module holds types only (every import here is `import type`): it compiles to an empty module, so a
 * subscriber bundles none of callhooks, aws-cdk-lib or the AWS SDK by importing it.
 *
 * @module
 */
import type { CallEventDetail, NormalizedType } from './call-event-detail';

export type { CallEventDetail, NormalizedType, PayloadPointer, Transcript, TranscriptTurn } from './call-event-detail';

/**
 * A callhooks event as an EventBridge rule target (a Lambda function, an SQS message body, a Step Functions
 * input, …) receives it: the EventBridge envelope around the normalized {@link CallEventDetail}
 * (schema version 1, `schema/call-event.schema.json`).
 *
 * Narrow it to the types a rule selects, e.g. `CallEvent<'call.ended'>` for a rule on
 * `detail-type: ['call.ended']`. It is assignable to `EventBridgeEvent<string, CallEventDetail>` of
 * `@types/aws-lambda`.
 *
 * @typeParam T - the normalized types the subscriber receives (`detail-type`, equal to `detail.type`).
 */
export interface CallEvent<T extends NormalizedType = NormalizedType> {
  /** EventBridge's envelope version, `"0"`. */
  readonly version: string;
  /** EventBridge's id of this publication. A redelivered vendor event gets a new one: use `detail.eventId` to deduplicate. */
  readonly id: string;
  /** The normalized type, identical to `detail.type`. */
  readonly 'detail-type': T;
  /** `callhooks.<vendor>`, e.g. `callhooks.quarterzip` (a custom vendor: `callhooks.<its name>`). */
  readonly source: `callhooks.${string}`;
  /** The AWS account of the bus. */
  readonly account: string;
  /** When the event was put on the bus, ISO 8601 in whole seconds (the vendor's time is `detail.occurredAt`). */
  readonly time: string;
  /** The AWS region of the bus. */
  readonly region: string;
  /** Always empty for callhooks events. */
  readonly resources: string[];
  /** The normalized call event. */
  readonly detail: CallEventDetail & { readonly type: T };
}
