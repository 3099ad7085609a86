/**
 * The request a scheme sees (`SchemeRequest`): a delivery with its URL as the vendor called it — the endpoint's
 * `publicUrl` when set (a custom domain, a proxy), else the URL the request arrived at — and its form read once.
 */
import type { Delivery, RequestUrl } from '../contracts/request';
import type { SchemeRequest } from '../contracts/scheme';
import { formOf } from './form';

/** The URL as text: `scheme://host/path?query` (no `?` without a query). */
export function urlText(url: RequestUrl): string {
  return `${url.scheme}://${url.host}${url.rawPath}${url.rawQuery === '' ? '' : `?${url.rawQuery}`}`;
}

/**
 * The pieces of an absolute `http(s)` URL as written (nothing re-encoded); undefined when it is not one. A
 * fragment is dropped.
 */
export function splitUrl(text: string): RequestUrl | undefined {
  const m = /^(https?):\/\/([^/?#]+)([^?#]*)(?:\?([^#]*))?(?:#.*)?$/i.exec(text);
  if (!m) return undefined;
  return { scheme: m[1].toLowerCase(), host: m[2], rawPath: m[3] === '' ? '/' : m[3], rawQuery: m[4] ?? '' };
}

/**
 * The URL the vendor called. With `publicUrl` (an endpoint option): its scheme, host and path, with the query
 * the request carries (a proxy passes it through; the vendor adds to it, e.g. Twilio's `bodySHA256`): a query in
 * `publicUrl` itself is not used.
 */
export function calledUrl(delivery: Pick<Delivery, 'url' | 'vendor' | 'endpoint'>, publicUrl?: string): RequestUrl {
  const own: RequestUrl = delivery.url ?? {
    scheme: 'https',
    host: 'localhost',
    rawPath: delivery.endpoint && delivery.endpoint !== 'default' ? `/webhooks/${delivery.vendor}/${delivery.endpoint}` : `/webhooks/${delivery.vendor}`,
    rawQuery: '',
  };
  const configured = publicUrl === undefined ? undefined : splitUrl(publicUrl);
  if (!configured) return own;
  return { ...configured, rawQuery: own.rawQuery };
}

/** The request a scheme verifies, for a delivery (and the endpoint's `publicUrl`). */
export function schemeRequestOf(delivery: Delivery, publicUrl?: string): SchemeRequest {
  const request: SchemeRequest = {
    method: delivery.method,
    url: calledUrl(delivery, publicUrl),
    headers: delivery.headers,
    body: delivery.body,
    form: () => formOf(delivery, delivery.headers, delivery.body),
  };
  return request;
}
