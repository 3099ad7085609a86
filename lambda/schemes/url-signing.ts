/**
 * URL signing (Twilio, Plivo): an HMAC of the exact URL the vendor called (scheme, host, path, query as sent)
 * and the form fields sorted by name, so a proxy or custom domain in front needs the endpoint's `publicUrl`.
 *
 * - `twilio`: `X-Twilio-Signature` = base64 HMAC-SHA1 (or SHA-256, when `X-Twilio-Webhooks-Signature-Settings`
 *   names `HMAC_SHA256`: a SharedKey) of URL + each form field's `name+value` (names sorted, a repeated name's
 *   distinct values sorted). A JSON body is covered through the `bodySHA256` query parameter (the hex SHA-256
 *   of the body) and no fields. The URL is tried as twilio-node does: with and without the default port, as
 *   received and normalized, and with the query re-encoded as Node's legacy `querystring` writes it.
 * - `plivo-v3`: `X-Plivo-Signature-V3` (a comma list) or `X-Plivo-Signature-Ma-V3` = base64 HMAC-SHA256 of
 *   `<base>.<nonce>`, the nonce from `X-Plivo-Signature-V3-Nonce`; for a POST the base is the URL without its
 *   query + `?` + (the query's pairs sorted as `k=v&…` + `.`) + the form fields sorted as `namevalue`; for a
 *   GET, the URL + `?` + the query's pairs sorted as `k=v&…`.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { parse as parseQuery, stringify as stringifyQuery } from 'node:querystring';
import type { FormFields } from '../contracts/request';
import type { Credential, Scheme, SchemeRequest, SignedRequest, SignInput, Verdict, Vouches } from '../contracts/scheme';
import { safeEqual } from '../core/crypto';
import { parseUrlEncoded } from '../core/form';
import { anyEqual, DEFAULT_SIGN_URL, decodeDigest, refuse, sha256, verdictOfSecrets } from './common';
import { urlText } from './request';

export interface UrlSigningOptions {
  /** Whose form of URL signing. */
  readonly form: 'twilio' | 'plivo-v3';
  /**
   * Twilio's HMAC: `auto` follows `X-Twilio-Webhooks-Signature-Settings` (SHA-1 without it), as twilio-node's
   * `webhook()` does; `sha1` (the Auth Token) or `sha256` (a Webhook Rule's SharedKey) pins one, as
   * `validateRequest(…, algorithm)` does, and a delivery whose header names the other is refused.
   * @default 'auto'
   */
  readonly twilioAlgorithm?: 'auto' | 'sha1' | 'sha256';
}

const VOUCHES: Vouches = { body: true, headers: [], url: true };

/** Fields by name, each name's values in order. */
function grouped(fields: FormFields): Map<string, string[]> {
  const byName = new Map<string, string[]>();
  for (const [k, v] of fields) {
    const list = byName.get(k);
    if (list) list.push(v);
    else byName.set(k, [v]);
  }
  return byName;
}

/** Twilio's `name+value` of each field, names sorted, a name's distinct values sorted (UTF-16 order, as Array#sort). */
export function twilioFieldsText(fields: FormFields): string {
  const byName = grouped(fields);
  let out = '';
  for (const name of [...byName.keys()].sort()) {
    for (const value of [...new Set(byName.get(name))].sort()) out += name + value;
  }
  return out;
}

function withPort(url: string, add: boolean): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/is.exec(url);
  if (!m) return url;
  const [, scheme, authority, rest] = m;
  const at = authority.lastIndexOf('@');
  const hostPort = authority.slice(at + 1);
  const colon = hostPort.indexOf(':', hostPort.lastIndexOf(']') + 1);
  const host = colon === -1 ? hostPort : hostPort.slice(0, colon);
  const port = colon === -1 ? '' : hostPort.slice(colon);
  if (add && port) return url;
  const userInfo = authority.slice(0, at + 1);
  return scheme + userInfo + host + (add ? (scheme.toLowerCase() === 'https://' ? ':443' : ':80') : '') + rest;
}

function legacyQuery(url: string): string {
  const q = url.indexOf('?');
  if (q === -1 || q === url.length - 1) return url;
  return `${url.slice(0, q)}?${stringifyQuery(parseQuery(url.slice(q + 1)))}`;
}

/** The URLs twilio-node's `validateRequest` tries for `url`, in its order, without repeats. */
export function twilioUrlVariants(url: string): string[] {
  const variants = [withPort(url, false), withPort(url, true)];
  let normalized: string | undefined;
  try {
    normalized = new URL(url).toString();
  } catch {
    normalized = undefined;
  }
  if (normalized !== undefined) {
    const without = withPort(normalized, false);
    const withP = withPort(normalized, true);
    variants.push(without, withP, legacyQuery(without), legacyQuery(withP));
  }
  return [...new Set(variants)];
}

/** Query pairs sorted by name then value, as `k=v&k=v` (Plivo; values decoded as Node's `querystring` reads them). */
function plivoSortedQuery(pairs: Array<[string, string]>): string {
  return pairs.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0)).map(([k, v]) => `${k}=${v}`).join('&');
}

function queryPairs(rawQuery: string): Array<[string, string]> {
  const parsed = parseQuery(rawQuery);
  const out: Array<[string, string]> = [];
  for (const [k, v] of Object.entries(parsed)) for (const value of Array.isArray(v) ? v : [v ?? '']) out.push([k, value]);
  return out;
}

/** Plivo V3's base string (before `.<nonce>`). */
export function plivoBase(method: string, url: string, fields: FormFields): string {
  const q = url.indexOf('?');
  const withoutQuery = q === -1 ? url : url.slice(0, q);
  const query = q === -1 ? [] : queryPairs(url.slice(q + 1));
  if (method.toUpperCase() === 'GET') {
    const all = plivoSortedQuery([...query, ...fields.map(([k, v]) => [k, v] as [string, string])]);
    return all === '' ? withoutQuery : `${withoutQuery}?${all}`;
  }
  const params = [...fields].sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0)).map(([k, v]) => k + v).join('');
  if (query.length === 0 && params === '') return withoutQuery;
  return `${withoutQuery}?${query.length > 0 ? `${plivoSortedQuery(query)}.` : ''}${params}`;
}

/** The hex SHA-256 a Twilio URL's `bodySHA256` parameter claims, or undefined when it has none. */
function bodySha256Of(rawQuery: string): string | undefined {
  for (const [k, v] of new URLSearchParams(rawQuery)) if (k === 'bodySHA256') return v;
  return undefined;
}

function formFields(request: SchemeRequest): FormFields | undefined {
  if (request.body.length === 0) return [];
  return request.form();
}

export function urlSigningScheme(options: UrlSigningOptions): Scheme {
  const twilio = options.form === 'twilio';

  function verifyTwilio(request: SchemeRequest, credentials: readonly Credential[]): Verdict {
    const header = request.headers.get('x-twilio-signature');
    if (header === undefined || header.trim() === '') return refuse('missing-header');
    const settings = request.headers.get('x-twilio-webhooks-signature-settings');
    let algorithm: 'sha1' | 'sha256' = 'sha1';
    if (settings !== undefined) {
      const named = settings.split(',').map((p) => p.split('=')).find(([k]) => k.trim() === 'algorithm')?.[1]?.trim().toUpperCase();
      if (named === 'HMAC_SHA256') algorithm = 'sha256';
      else if (named !== undefined && named !== '' && named !== 'HMAC_SHA1') return refuse('malformed-signature');
    }
    const pinned = options.twilioAlgorithm ?? 'auto';
    if (pinned !== 'auto') {
      // A header naming the other algorithm is refused; without one, the pinned algorithm is used.
      if (settings !== undefined && algorithm !== pinned) return refuse('malformed-signature');
      algorithm = pinned;
    }
    const given = decodeDigest(header.trim(), 'base64', algorithm === 'sha1' ? 20 : 32);
    if (!given) return refuse('malformed-signature');
    let fieldsText = '';
    const claimed = bodySha256Of(request.url.rawQuery);
    if (claimed !== undefined) {
      // The body is covered by its hash in the signed URL, and no field is signed.
      if (!safeEqual(claimed.toLowerCase(), sha256(request.body).toString('hex'))) return refuse('body-mismatch');
    } else {
      const fields = formFields(request);
      // A body that is neither a form nor covered by bodySHA256 is signed by nothing.
      if (fields === undefined) return refuse('body-mismatch');
      fieldsText = twilioFieldsText(fields);
    }
    const urls = twilioUrlVariants(urlText(request.url));
    return verdictOfSecrets(credentials, (secret) => anyEqual(urls.map((url) => createHmac(algorithm, secret).update(url + fieldsText, 'utf8').digest()), given), VOUCHES);
  }

  function verifyPlivo(request: SchemeRequest, credentials: readonly Credential[]): Verdict {
    const headers = [request.headers.get('x-plivo-signature-v3'), request.headers.get('x-plivo-signature-ma-v3')].filter((h): h is string => !!h);
    const nonce = request.headers.get('x-plivo-signature-v3-nonce');
    if (headers.length === 0 || !nonce) return refuse('missing-header');
    const given = headers.flatMap((h) => h.split(',')).map((s) => decodeDigest(s.trim(), 'base64', 32)).filter((d): d is Buffer => d !== undefined);
    if (given.length === 0) return refuse('malformed-signature');
    const fields = request.method.toUpperCase() === 'GET' ? [] : formFields(request);
    if (fields === undefined) return refuse('body-mismatch');
    const signed = `${plivoBase(request.method, urlText(request.url), fields)}.${nonce}`;
    return verdictOfSecrets(credentials, (secret) => anyEqual(given, createHmac('sha256', secret).update(signed, 'utf8').digest()), VOUCHES);
  }

  return {
    family: 'url-signing',
    credential: { kind: 'secret' },
    vouches: VOUCHES,
    verify(request: SchemeRequest, credentials: readonly Credential[]): Verdict {
      return twilio ? verifyTwilio(request, credentials) : verifyPlivo(request, credentials);
    },
    sign(input: SignInput, signingKey: string): SignedRequest {
      const method = (input.method ?? 'POST').toUpperCase();
      let url = input.url ?? DEFAULT_SIGN_URL;
      const contentType = (input.contentType ?? 'application/json').split(';')[0].trim().toLowerCase();
      const isForm = contentType === 'application/x-www-form-urlencoded';
      const fields: FormFields = isForm ? parseUrlEncoded(input.body.toString('utf8'), Number.MAX_SAFE_INTEGER) : [];
      if (twilio) {
        if (!isForm && input.body.length > 0) {
          url += `${url.includes('?') ? '&' : '?'}bodySHA256=${sha256(input.body).toString('hex')}`;
        }
        const algorithm = options.twilioAlgorithm === 'sha256' ? 'sha256' : 'sha1';
        const signature = createHmac(algorithm, signingKey).update(url + twilioFieldsText(fields), 'utf8').digest('base64');
        // A SharedKey signs with SHA-256 and says so (the key's name is Twilio's; callhooks never reads it).
        const settings: Record<string, string> = algorithm === 'sha256' ? { 'X-Twilio-Webhooks-Signature-Settings': 'key=webhooks_sharedkey_callhooks,algorithm=HMAC_SHA256' } : {};
        return { headers: { 'X-Twilio-Signature': signature, ...settings }, url };
      }
      const nonce = String(randomBytes(8).readBigUInt64BE()).padStart(20, '0');
      const signature = createHmac('sha256', signingKey).update(`${plivoBase(method, url, fields)}.${nonce}`, 'utf8').digest('base64');
      return { headers: { 'X-Plivo-Signature-V3': signature, 'X-Plivo-Signature-V3-Nonce': nonce } };
    },
    generateCredential() {
      const secret = randomBytes(16).toString('hex');
      return { secret, signingKey: secret };
    },
  };
}
