/**
 * The options of the built-in vendor `openai` (`vendors.openai` in the configuration): configuration layer, read at synth
 * time and by the local mode. Its adapter (`lambda/vendors/openai.ts`) imports only the type.
 */
import { vendorOptions, type OptionsOf } from '../schema';

/** The schema of OpenAI's options (`vendors.openai`), built when called. */
export const openaiOptions = () =>
  vendorOptions('openai', {}, 'OpenAI (Standard Webhooks, whsec_ secret): true, false or its options; toleranceSeconds bounds the signed webhook-timestamp (default 300, as the openai SDK).');
export type OpenaiOptions = OptionsOf<typeof openaiOptions>;
