/**
 * The vendor registry: one entry per built-in vendor, and every list of built-in vendors derives from it — the
 * names and their order (`BUILT_IN_VENDORS`), the vendors of 0.1.0 (`DEFAULT_VENDORS`), the factories, the webhook
 * bundles (`scripts/bundle.ts`), and the tests and docs checks that list vendors (`test/vendors/registry.test.ts`).
 * The options schemas are the configuration layer's (`lambda/config/vendors/index.ts`, `VENDOR_OPTIONS`), keyed by
 * these names and checked against them at compile time, so that this runtime half imports no zod.
 * `npm run new-vendor <name>` adds an entry to both (README › Adding a vendor).
 *
 * Each entry:
 * - `title`: the vendor's name in prose, the text of its README link; its page is `docs/vendors/<name>.md`
 *   and its fixtures are `fixtures/<name>/*.json` (`docsPageOf`, `fixturesDirOf` in `./index.ts`);
 * - `of010`: on in a configuration without a `vendors` key. True for the five vendors of 0.1.0, fixed forever,
 *   so that an upgrade never adds a route, a function, a secret and alarms by itself; false for every vendor
 *   added since (it is on only where a configuration names it);
 * - `factory`: its adapter, which takes the options its schema gives (`RegistryFactories` in `./index.ts`).
 *
 * scripts/bundle.ts builds each vendor's webhook bundle with `process.env.CALLHOOKS_BUNDLE_VENDOR` defined as that
 * vendor's name (the custom vendors' bundle: ""): esbuild folds each entry's condition, so a bundle holds its own
 * vendor's factory, and the other vendors' modules drop out of it. The conditions must stay written out in each
 * entry: esbuild folds a literal comparison, not a helper function. Unbundled (tests, local mode, synth) the
 * variable is unset and every vendor is in.
 */
import { quarterzip } from './quarterzip';
import { qcall } from './qcall';
import { koeiq } from './koeiq';
import { atoms } from './atoms';
import { converc } from './converc';
import { openai } from './openai';
import { bland } from './bland';
import { ultravox } from './ultravox';
import { livekit } from './livekit';
import { twilio } from './twilio';
import { vapi } from './vapi';
import { retell } from './retell';
import { elevenlabs } from './elevenlabs';
import { telnyx } from './telnyx';
import { vonage } from './vonage';

export const REGISTRY = {
  quarterzip: { title: 'Quarterzip', of010: true, factory: process.env.CALLHOOKS_BUNDLE_VENDOR === undefined || process.env.CALLHOOKS_BUNDLE_VENDOR === 'quarterzip' ? quarterzip : undefined },
  qcall: { title: 'QCall', of010: true, factory: process.env.CALLHOOKS_BUNDLE_VENDOR === undefined || process.env.CALLHOOKS_BUNDLE_VENDOR === 'qcall' ? qcall : undefined },
  koeiq: { title: 'KoeIQ', of010: true, factory: process.env.CALLHOOKS_BUNDLE_VENDOR === undefined || process.env.CALLHOOKS_BUNDLE_VENDOR === 'koeiq' ? koeiq : undefined },
  atoms: { title: 'Atoms', of010: true, factory: process.env.CALLHOOKS_BUNDLE_VENDOR === undefined || process.env.CALLHOOKS_BUNDLE_VENDOR === 'atoms' ? atoms : undefined },
  converc: { title: 'Converc', of010: true, factory: process.env.CALLHOOKS_BUNDLE_VENDOR === undefined || process.env.CALLHOOKS_BUNDLE_VENDOR === 'converc' ? converc : undefined },
  openai: { title: 'OpenAI', of010: false, factory: process.env.CALLHOOKS_BUNDLE_VENDOR === undefined || process.env.CALLHOOKS_BUNDLE_VENDOR === 'openai' ? openai : undefined },
  bland: { title: 'Bland AI', of010: false, factory: process.env.CALLHOOKS_BUNDLE_VENDOR === undefined || process.env.CALLHOOKS_BUNDLE_VENDOR === 'bland' ? bland : undefined },
  ultravox: { title: 'Ultravox', of010: false, factory: process.env.CALLHOOKS_BUNDLE_VENDOR === undefined || process.env.CALLHOOKS_BUNDLE_VENDOR === 'ultravox' ? ultravox : undefined },
  livekit: { title: 'LiveKit', of010: false, factory: process.env.CALLHOOKS_BUNDLE_VENDOR === undefined || process.env.CALLHOOKS_BUNDLE_VENDOR === 'livekit' ? livekit : undefined },
  twilio: { title: 'Twilio', of010: false, factory: process.env.CALLHOOKS_BUNDLE_VENDOR === undefined || process.env.CALLHOOKS_BUNDLE_VENDOR === 'twilio' ? twilio : undefined },
  vapi: { title: 'Vapi', of010: false, factory: process.env.CALLHOOKS_BUNDLE_VENDOR === undefined || process.env.CALLHOOKS_BUNDLE_VENDOR === 'vapi' ? vapi : undefined },
  retell: { title: 'Retell', of010: false, factory: process.env.CALLHOOKS_BUNDLE_VENDOR === undefined || process.env.CALLHOOKS_BUNDLE_VENDOR === 'retell' ? retell : undefined },
  elevenlabs: { title: 'ElevenLabs', of010: false, factory: process.env.CALLHOOKS_BUNDLE_VENDOR === undefined || process.env.CALLHOOKS_BUNDLE_VENDOR === 'elevenlabs' ? elevenlabs : undefined },
  telnyx: { title: 'Telnyx', of010: false, factory: process.env.CALLHOOKS_BUNDLE_VENDOR === undefined || process.env.CALLHOOKS_BUNDLE_VENDOR === 'telnyx' ? telnyx : undefined },
  vonage: { title: 'Vonage', of010: false, factory: process.env.CALLHOOKS_BUNDLE_VENDOR === undefined || process.env.CALLHOOKS_BUNDLE_VENDOR === 'vonage' ? vonage : undefined },
} as const;
