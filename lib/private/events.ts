import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * `events:PutEvents` on `bus`, for events whose `source` is one of `sources` only: one vendor's function cannot
 * publish events that claim to come from another vendor.
 *
 * `events:source` is a multivalued condition key (IAM's service authorization reference types it
 * `ArrayOfString`, as AWS's own EventBridge example policy treats it): the condition is a set operator,
 * `ForAllValues:StringEquals` (or `ForAllValues:StringLike` for a pattern), so every source in a request must
 * be allowed, plus a `Null` guard, as `ForAllValues` alone also holds for a request without the key.
 *
 * @param sources exact sources, or patterns with `*` (then matched with StringLike)
 */
export function grantPutEventsFrom(bus: events.IEventBus, grantee: iam.IGrantable, sources: readonly string[]): iam.Grant {
  if (sources.length === 0) throw new Error('callhooks: a PutEvents grant needs at least one source');
  const operator = sources.some((s) => s.includes('*')) ? 'ForAllValues:StringLike' : 'ForAllValues:StringEquals';
  return iam.Grant.addToPrincipal({
    grantee,
    actions: ['events:PutEvents'],
    resourceArns: [bus.eventBusArn],
    conditions: {
      [operator]: { 'events:source': sources.length === 1 ? sources[0] : [...sources] },
      Null: { 'events:source': 'false' },
    },
  });
}
