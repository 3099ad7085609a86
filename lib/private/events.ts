import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * `events:PutEvents` on `bus`, for events whose `source` matches `sources` only (`events:source`, evaluated per
 * entry): one vendor's function cannot publish events that claim to come from another vendor.
 *
 * @param sources exact sources, or patterns with `*` (then matched with StringLike)
 */
export function grantPutEventsFrom(bus: events.IEventBus, grantee: iam.IGrantable, sources: readonly string[]): iam.Grant {
  const operator = sources.some((s) => s.includes('*')) ? 'StringLike' : 'StringEquals';
  return iam.Grant.addToPrincipal({
    grantee,
    actions: ['events:PutEvents'],
    resourceArns: [bus.eventBusArn],
    conditions: { [operator]: { 'events:source': sources.length === 1 ? sources[0] : [...sources] } },
  });
}
