/**
 * The README's example EventBridge rules for callhooks events. test/moto/eventbridge.test.ts puts each
 * one on a bus in moto and checks that it receives exactly the events it should: copy them from here.
 */
export interface ExampleRule {
  readonly description: string;
  readonly pattern: Record<string, unknown>;
}

export const EXAMPLE_RULES: Record<string, ExampleRule> = {
  byVendor: {
    description: 'Every event from one vendor (here Quarterzip)',
    pattern: { source: ['callhooks.quarterzip'] },
  },
  byType: {
    description: 'One normalized type from every vendor (here every ended call)',
    pattern: { source: [{ prefix: 'callhooks.' }], 'detail-type': ['call.ended'] },
  },
  byOutcome: {
    description: 'Ended calls of one vendor with a given outcome (here Atoms calls that completed)',
    pattern: { source: ['callhooks.atoms'], 'detail-type': ['call.ended'], detail: { outcome: { status: ['completed'] } } },
  },
  realTrafficOnly: {
    description: 'Real traffic only: no test, coaching or ping events',
    pattern: { source: [{ prefix: 'callhooks.' }], detail: { test: [false] } },
  },
  byEndpoint: {
    description: "One account's calls to its own subscriber (here Quarterzip's workspace at the endpoint eu)",
    pattern: { source: ['callhooks.quarterzip'], detail: { endpoint: ['eu'] } },
  },
  transcriptOffloaded: {
    description: 'Events whose transcript was moved to the payload bucket (fetch it from detail.offload)',
    pattern: { detail: { offload: { part: ['transcript'] } } },
  },
};
