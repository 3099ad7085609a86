/**
 * The vendor registry: one entry per built-in vendor, and every list of built-in vendors derives from it — the
 * names and their order (`BUILT_IN_VENDORS`), the vendors of 0.1.0 (`DEFAULT_VENDORS`), the options schemas
 * (`VENDOR_OPTIONS`, hence the configuration's zod schema and JSON Schema), the factories, the webhook bundles
 * (`scripts/bundle.ts`), and the tests and docs checks that list vendors (`test/vendors/registry.test.ts`).
 * `npm run new-vendor <name>` adds an entry (README › Adding a vendor).
 *
 * Each entry:
 * - `title`: the vendor's name in prose, the text of its README link; its page is `docs/vendors/<name>.md`
 *   and its fixtures are `fixtures/<name>/*.json` (`docsPageOf`, `fixturesDirOf` in `./index.ts`);
 * - `of010`: on in a configuration without a `vendors` key. True for the five vendors of 0.1.0, fixed forever,
 *   so that an upgrade never adds a route, a function, a secret and alarms by itself; false for every vendor
 *   added since (it is on only where a configuration names it);
 * - `options`: the schema of its options (built when called); read at synth time and by the local mode, never in
 *   a function, since the construct passes each function options it validated;
 * - `factory`: its adapter.
 *
 * scripts/bundle.ts builds each vendor's webhook bundle with `process.env.CALLHOOKS_BUNDLE_VENDOR` defined as that
 * vendor's name (the custom vendors' bundle: ""): esbuild folds each entry's conditions, so a bundle holds its own
 * vendor's factory and no options schema, and the other vendors' modules (and zod) drop out of it. The conditions
 * must stay written out in each entry: esbuild folds a literal comparison, not a helper function. Unbundled
 * (tests, local mode, synth) the variable is unset and every vendor is in.
 */
import { quarterzip, quarterzipOptions } from './quarterzip';
import { qcall, qcallOptions } from './qcall';
import { koeiq, koeiqOptions } from './koeiq';
import { atoms, atomsOptions } from './atoms';
import { converc, convercOptions } from './converc';
import { openai, openaiOptions } from './openai';
import { bland, blandOptions } from './bland';
import { ultravox, ultravoxOptions } from './ultravox';
import { livekit, livekitOptions } from './livekit';
import { twilio, twilioOptions } from './twilio';
import { vapi, vapiOptions } from './vapi';
import { retell, retellOptions } from './retell';
import { elevenlabs, elevenlabsOptions } from './elevenlabs';
import { telnyx, telnyxOptions } from './telnyx';
import { vonage, vonageOptions } from './vonage';

export const REGISTRY = {
  quarterzip: { title: 'Quarterzip', of010: true, options: (process.env.CALLHOOKS_BUNDLE_VENDOR === undefined ? quarterzipOptions : undefined)!, factory: process.env.CALLHOOKS_BUNDLE_VENDOR === undefined || process.env.CALLHOOKS_BUNDLE_VENDOR === 'quarterzip' ? quarterzip : undefined },
  qcall: { title: 'QCall', of010: true, options: (process.env.CALLHOOKS_BUNDLE_VENDOR === undefined ? qcallOptions : undefined)!, factory: process.env.CALLHOOKS_BUNDLE_VENDOR === undefined || process.env.CALLHOOKS_BUNDLE_VENDOR === 'qcall' ? qcall : undefined },
  koeiq: { title: 'KoeIQ', of010: true, options: (process.env.CALLHOOKS_BUNDLE_VENDOR === undefined ? koeiqOptions : undefined)!, factory: process.env.CALLHOOKS_BUNDLE_VENDOR === undefined || process.env.CALLHOOKS_BUNDLE_VENDOR === 'koeiq' ? koeiq : undefined },
  atoms: { title: 'Atoms', of010: true, options: (process.env.CALLHOOKS_BUNDLE_VENDOR === undefined ? atomsOptions : undefined)!, factory: process.env.CALLHOOKS_BUNDLE_VENDOR === undefined || process.env.CALLHOOKS_BUNDLE_VENDOR === 'atoms' ? atoms : undefined },
  converc: { title: 'Converc', of010: true, options: (process.env.CALLHOOKS_BUNDLE_VENDOR === undefined ? convercOptions : undefined)!, factory: process.env.CALLHOOKS_BUNDLE_VENDOR === undefined || process.env.CALLHOOKS_BUNDLE_VENDOR === 'converc' ? converc : undefined },
  openai: { title: 'OpenAI', of010: false, options: (process.env.CALLHOOKS_BUNDLE_VENDOR === undefined ? openaiOptions : undefined)!, factory: process.env.CALLHOOKS_BUNDLE_VENDOR === undefined || process.env.CALLHOOKS_BUNDLE_VENDOR === 'openai' ? openai : undefined },
  bland: { title: 'Bland AI', of010: false, options: (process.env.CALLHOOKS_BUNDLE_VENDOR === undefined ? blandOptions : undefined)!, factory: process.env.CALLHOOKS_BUNDLE_VENDOR === undefined || process.env.CALLHOOKS_BUNDLE_VENDOR === 'bland' ? bland : undefined },
  ultravox: { title: 'Ultravox', of010: false, options: (process.env.CALLHOOKS_BUNDLE_VENDOR === undefined ? ultravoxOptions : undefined)!, factory: process.env.CALLHOOKS_BUNDLE_VENDOR === undefined || process.env.CALLHOOKS_BUNDLE_VENDOR === 'ultravox' ? ultravox : undefined },
  livekit: { title: 'LiveKit', of010: false, options: (process.env.CALLHOOKS_BUNDLE_VENDOR === undefined ? livekitOptions : undefined)!, factory: process.env.CALLHOOKS_BUNDLE_VENDOR === undefined || process.env.CALLHOOKS_BUNDLE_VENDOR === 'livekit' ? livekit : undefined },
  twilio: { title: 'Twilio', of010: false, options: (process.env.CALLHOOKS_BUNDLE_VENDOR === undefined ? twilioOptions : undefined)!, factory: process.env.CALLHOOKS_BUNDLE_VENDOR === undefined || process.env.CALLHOOKS_BUNDLE_VENDOR === 'twilio' ? twilio : undefined },
  vapi: { title: 'Vapi', of010: false, options: (process.env.CALLHOOKS_BUNDLE_VENDOR === undefined ? vapiOptions : undefined)!, factory: process.env.CALLHOOKS_BUNDLE_VENDOR === undefined || process.env.CALLHOOKS_BUNDLE_VENDOR === 'vapi' ? vapi : undefined },
  retell: { title: 'Retell', of010: false, options: (process.env.CALLHOOKS_BUNDLE_VENDOR === undefined ? retellOptions : undefined)!, factory: process.env.CALLHOOKS_BUNDLE_VENDOR === undefined || process.env.CALLHOOKS_BUNDLE_VENDOR === 'retell' ? retell : undefined },
  elevenlabs: { title: 'ElevenLabs', of010: false, options: (process.env.CALLHOOKS_BUNDLE_VENDOR === undefined ? elevenlabsOptions : undefined)!, factory: process.env.CALLHOOKS_BUNDLE_VENDOR === undefined || process.env.CALLHOOKS_BUNDLE_VENDOR === 'elevenlabs' ? elevenlabs : undefined },
  telnyx: { title: 'Telnyx', of010: false, options: (process.env.CALLHOOKS_BUNDLE_VENDOR === undefined ? telnyxOptions : undefined)!, factory: process.env.CALLHOOKS_BUNDLE_VENDOR === undefined || process.env.CALLHOOKS_BUNDLE_VENDOR === 'telnyx' ? telnyx : undefined },
  vonage: { title: 'Vonage', of010: false, options: (process.env.CALLHOOKS_BUNDLE_VENDOR === undefined ? vonageOptions : undefined)!, factory: process.env.CALLHOOKS_BUNDLE_VENDOR === undefined || process.env.CALLHOOKS_BUNDLE_VENDOR === 'vonage' ? vonage : undefined },
} as const;
