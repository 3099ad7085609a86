import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { BusEntry, CallOptions, EventPublisher } from '../../core/ports';

/**
 * Publishes on an EventBridge bus. PutEvents answers 200 even when entries failed: each entry's result
 * is checked, and an entry without an EventId is a failure.
 */
export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly eventBusName: string,
  ) {}

  async publish(entries: readonly BusEntry[], options: CallOptions = {}) {
    const out = await this.client.send(
      new PutEventsCommand({
        Entries: entries.map((e) => ({
          EventBusName: this.eventBusName,
          Source: e.source,
          DetailType: e.detailType,
          Detail: e.detailJson ?? JSON.stringify(e.detail),
          Time: e.time,
        })),
      }),
      { abortSignal: options.signal },
    );
    return entries.map((_, i) => {
      const r = out.Entries?.[i];
      if (r && r.EventId && !r.ErrorCode) return { ok: true as const };
      return { ok: false as const, error: r?.ErrorCode ?? 'NoResult' };
    });
  }
}
