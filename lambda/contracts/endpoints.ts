/**
 * Endpoints (DESIGN.md §Endpoints): several accounts at one vendor (Quarterzip workspaces, Converc
 * organizations, KoeIQ tenants, QCall assistants), each with its own route and its own secret. Pure data and
 * string functions, shared by the construct, the functions, the local mode and the command line; no schema
 * library (the option's schema is in `lambda/config/schema.ts`).
 */

/** The endpoint of the plain route `/webhooks/{vendor}`, and the only one of a vendor that lists none. */
export const DEFAULT_ENDPOINT = 'default';

/** An endpoint's name: 1 to 32 of a-z, 0-9 and `-`. */
export const ENDPOINT_NAME_RE = /^[a-z0-9-]{1,32}$/;

/** A vendor's `endpoints` option: the names, or name → that endpoint's own options (overriding the vendor's). */
export type EndpointsOption = readonly string[] | { readonly [name: string]: object };

/** The endpoint names of a vendor's options, in configuration order: `["default"]` when it lists none. */
export function endpointNames(endpoints: EndpointsOption | undefined): string[] {
  if (endpoints === undefined) return [DEFAULT_ENDPOINT];
  return Array.isArray(endpoints) ? [...endpoints] : Object.keys(endpoints);
}

/**
 * The options one endpoint is served with: the vendor's own (without `endpoints`), overridden by the
 * endpoint's (when `endpoints` is an object).
 */
export function optionsOfEndpoint<T extends { readonly endpoints?: EndpointsOption }>(options: T, endpoint: string): Omit<T, 'endpoints'> {
  const { endpoints, ...own } = options;
  const override = endpoints !== undefined && !Array.isArray(endpoints) && Object.prototype.hasOwnProperty.call(endpoints, endpoint)
    ? (endpoints as Record<string, object>)[endpoint]
    : {};
  return { ...own, ...override } as Omit<T, 'endpoints'>;
}

/**
 * The key of an endpoint's secret: the vendor name for `default`, else `<vendor>/<endpoint>`. The construct's
 * `secrets` take these keys, the local mode's development secrets are saved under them, and the functions'
 * secret cache holds one entry per key.
 */
export function secretKeyOf(vendor: string, endpoint: string): string {
  return endpoint === DEFAULT_ENDPOINT ? vendor : `${vendor}/${endpoint}`;
}

/** The path of an endpoint's route: `/webhooks/<vendor>` for `default`, else `/webhooks/<vendor>/<endpoint>`. */
export function routePathOf(vendor: string, endpoint: string): string {
  return endpoint === DEFAULT_ENDPOINT ? `/webhooks/${vendor}` : `/webhooks/${vendor}/${endpoint}`;
}

/** The local mode's variable for an endpoint's secret: `CALLHOOKS_SECRET_QUARTERZIP`, `CALLHOOKS_SECRET_QUARTERZIP_EU`. */
export function secretEnvNameOf(vendor: string, endpoint: string = DEFAULT_ENDPOINT): string {
  const upper = (s: string) => s.toUpperCase().replace(/-/g, '_');
  const base = `CALLHOOKS_SECRET_${upper(vendor)}`;
  return endpoint === DEFAULT_ENDPOINT ? base : `${base}_${upper(endpoint)}`;
}
