/**
 * A modelled AWS bill per million deliveries (us-east-1, on-demand list prices, no free tier), from the write
 * units and round trips `npm run bench` measures. The prices, their sources and the date they were read are in
 * docs/BENCHMARKS.md ("Prices"); keep the two in step.
 */

export const PRICES = {
  /** API Gateway HTTP API, first 300 M requests a month; metered in 512 KB increments. */
  apiGatewayPerMillion: 1.0,
  apiGatewayMeterBytes: 512 * 1024,
  /** Lambda, per million requests. */
  lambdaRequestsPerMillion: 0.2,
  /** Lambda duration, arm64 (the construct's architecture), per GB-second, first 7.5 G GB-s a month. */
  lambdaArmPerGbSecond: 0.0000133334,
  /** DynamoDB on-demand, per million write request units / read request units. */
  dynamoWritePerMillion: 0.625,
  dynamoReadPerMillion: 0.125,
  /** EventBridge custom events, per million; each 64 KB chunk of an entry is billed as one event. */
  eventBridgePerMillion: 1.0,
  eventBridgeChunkBytes: 64 * 1024,
  /** S3 Standard PUT requests, per million ($0.005 per 1,000). */
  s3PutPerMillion: 5.0,
} as const;

/** The Lambda the model assumes: the construct's webhook function (arm64, 256 MB). */
export const LAMBDA = {
  memoryMb: 256,
  /** CPU a 256 MB function gets: 1,769 MB is one full vCPU. */
  cpuShare: 256 / 1769,
  /** Stated, not measured here: an in-region DynamoDB or EventBridge call, milliseconds. */
  roundTripMs: 8,
} as const;

export interface Workload {
  /** The event's bus entry, bytes (for EventBridge's 64 KB chunks). */
  readonly entryBytes: number;
  /** The delivery's body, bytes (for API Gateway's 512 KB metering). */
  readonly bodyBytes: number;
  /** Write units of a new delivery and of a duplicate. */
  readonly newWriteUnits: number;
  readonly duplicateWriteUnits: number;
  /** Read units per duplicate on DynamoDB (0: the refused claim returns the item, ReturnValuesOnConditionCheckFailure). */
  readonly duplicateReadUnits: number;
  /** Sequential AWS round trips of a new delivery and of a duplicate. */
  readonly newRoundTrips: number;
  readonly duplicateRoundTrips: number;
  /** The core's CPU per delivery on this machine, µs. */
  readonly coreCpuUs: number;
  /** S3 PUTs per new delivery (offload of an event over the bus limit): 0 at these sizes. */
  readonly s3PutsPerNew: number;
}

export interface Bill {
  readonly apiGateway: number;
  readonly lambda: number;
  readonly dynamo: number;
  readonly eventBridge: number;
  readonly s3: number;
  readonly total: number;
  /** Modelled Lambda duration, ms, of a new delivery and of a duplicate. */
  readonly newMs: number;
  readonly duplicateMs: number;
}

/** Lambda duration model: the core's CPU scaled to a 256 MB function's CPU share, plus the stated round trips. */
export function lambdaMs(coreCpuUs: number, roundTrips: number): number {
  return coreCpuUs / 1000 / LAMBDA.cpuShare + roundTrips * LAMBDA.roundTripMs;
}

/** Dollars per million deliveries of which `duplicateShare` are duplicates. */
export function billPerMillion(w: Workload, duplicateShare: number): Bill {
  const m = 1; // in millions
  const fresh = m * (1 - duplicateShare);
  const dups = m * duplicateShare;
  const newMs = lambdaMs(w.coreCpuUs, w.newRoundTrips);
  const duplicateMs = lambdaMs(w.coreCpuUs, w.duplicateRoundTrips);
  const gbSeconds = (LAMBDA.memoryMb / 1024) * ((fresh * newMs + dups * duplicateMs) / 1000) * 1e6;
  const apiGateway = m * Math.max(1, Math.ceil(w.bodyBytes / PRICES.apiGatewayMeterBytes)) * PRICES.apiGatewayPerMillion;
  const lambda = m * PRICES.lambdaRequestsPerMillion + gbSeconds * PRICES.lambdaArmPerGbSecond;
  const dynamo = (fresh * w.newWriteUnits + dups * w.duplicateWriteUnits) * PRICES.dynamoWritePerMillion + dups * w.duplicateReadUnits * PRICES.dynamoReadPerMillion;
  const eventBridge = fresh * Math.max(1, Math.ceil(w.entryBytes / PRICES.eventBridgeChunkBytes)) * PRICES.eventBridgePerMillion;
  const s3 = fresh * w.s3PutsPerNew * PRICES.s3PutPerMillion;
  return { apiGateway, lambda, dynamo, eventBridge, s3, total: apiGateway + lambda + dynamo + eventBridge + s3, newMs, duplicateMs };
}
