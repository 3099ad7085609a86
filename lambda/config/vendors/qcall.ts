/**
 * The options of the built-in vendor `qcall` (`vendors.qcall` in the configuration): configuration layer, read at synth
 * time and by the local mode. Its adapter (`lambda/vendors/qcall.ts`) imports only the type.
 */
import { z } from 'zod';
import { stringValue, headerName, vendorOptions, type OptionsOf } from '../schema';
import { QCALL_DEFAULT_TOKEN_HEADER, QCALL_DEFAULT_TOKEN_PREFIX } from '../../vendors/qcall';

/** The schema of QCall's options (`vendors.qcall`), built when called. */
export const qcallOptions = () => {
  const fieldName = 'must be a field name (a non-empty string)';
  const fieldList = 'must be a non-empty array of field names';
  return vendorOptions('qcall', {
    tokenHeader: headerName().optional().meta({ description: 'Header that carries the token (any case).', default: QCALL_DEFAULT_TOKEN_HEADER }),
    tokenPrefix: stringValue().optional().meta({ description: 'Text before the token in that header, compared exactly.', default: QCALL_DEFAULT_TOKEN_PREFIX }),
    dedupFields: z
      .array(z.string({ error: fieldName }).min(1, { error: fieldName }), { error: fieldList })
      .min(1, { error: fieldList })
      .optional()
      .meta({
        description: 'Body fields whose values identify one call (e.g. ["order_id", "phone_number", "call_date"]). ' +
          'Default: none — every delivery is its own event (QCall fires once per call and never retries).',
      }),
  }, 'QCall (a static token in a header): true, false or its options. QCall signs no timestamp, so toleranceSeconds has no effect.', ['tokenHeader', 'tokenPrefix']);
};
/** QCall's options (`vendors.qcall`): `tokenHeader` (default `authorization`), `tokenPrefix` (default `"Bearer "`), `dedupFields` (default: none, every delivery is its own event), and the common ones. */
export type QCallOptions = OptionsOf<typeof qcallOptions>;
