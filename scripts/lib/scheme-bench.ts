/**
 * `npm run bench -- --only schemes`: the CPU one verification costs with each scheme family of the library, at
 * 2 KB and 1 MB, beside the floor of one HMAC-SHA256 of the body. What is timed is `scheme.verify` on a signed
 * request with decoded credentials (what the pipeline calls per delivery; the secret is decoded once per value).
 */
import { createHmac } from 'node:crypto';
import type { Credential, Scheme } from '../../lambda/contracts/scheme';
import { Headers } from '../../lambda/core/http';
import { decodeCredentials } from '../../lambda/core/credentials';
import { schemeRequestOf, splitUrl } from '../../lambda/core/scheme-request';
import { resolveConfig } from '../../lambda/config/config';
import { BUILT_IN_VENDORS, createVendorAdapters } from '../../lambda/vendors';
import { fixtureBody, fixtureHeaders, fixtureUrl, loadFixtures } from '../../local/fixtures';
import { canonicalRequestScheme, hmacScheme, jwtScheme, publicKeyScheme, standardWebhooksScheme, staticTokenScheme, urlSigningScheme } from '../../lambda/schemes';

interface Family {
  readonly name: string;
  readonly scheme: Scheme;
  readonly contentType?: string;
}

const FAMILIES: readonly Family[] = [
  { name: 'hmac `{body}` (KoeIQ, Atoms, Bland)', scheme: hmacScheme({ header: 'x-sig' }) },
  { name: 'hmac `{timestamp}.{body}` pairs (Converc, ElevenLabs)', scheme: hmacScheme({ header: 'x-sig', signatures: 'pairs', timestampKey: 't', signatureKey: 'v1', template: '{timestamp}.{body}' }) },
  { name: 'standard-webhooks (Quarterzip, OpenAI)', scheme: standardWebhooksScheme() },
  { name: 'public-key Ed25519 (Telnyx)', scheme: publicKeyScheme({ signatureHeader: 'x-sig', timestampHeader: 'x-ts' }) },
  { name: 'url-signing twilio, JSON via bodySHA256', scheme: urlSigningScheme({ form: 'twilio' }) },
  { name: 'url-signing twilio, form fields', scheme: urlSigningScheme({ form: 'twilio' }), contentType: 'application/x-www-form-urlencoded' },
  { name: 'jwt HS256 + body hash (Vonage)', scheme: jwtScheme({ bodyHashClaim: 'payload_hash' }) },
  { name: 'canonical-request (Sinch)', scheme: canonicalRequestScheme() },
  { name: 'static-token header (QCall)', scheme: staticTokenScheme({ header: 'authorization', prefix: 'Bearer ' }) },
];

function bodyOf(bytes: number, form: boolean): Buffer {
  if (form) {
    const fields: string[] = [];
    // Under the 1,000 fields a form may carry: longer values for a larger body.
    const value = 'v'.repeat(Math.max(40, Math.ceil(bytes / 500)));
    for (let i = 0; fields.join('&').length < bytes; i++) fields.push(`Field${i}=${value}`);
    return Buffer.from(fields.join('&').slice(0, bytes).replace(/&[^&]*$/, ''));
  }
  return Buffer.from(JSON.stringify({ type: 'call.completed', data: { call_id: 'c1', pad: 'x'.repeat(Math.max(0, bytes - 60)) } }));
}

/** Median CPU µs per call of `f` over `rounds` rounds of `n` calls. */
function cpuPerCall(n: number, rounds: number, f: () => unknown): number {
  const seen: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) f();
    const c = process.cpuUsage(c0);
    seen.push((c.user + c.system) / n);
  }
  seen.sort((a, b) => a - b);
  return seen[Math.floor(seen.length / 2)];
}

export async function benchSchemes(quick: boolean): Promise<string> {
  const sizes = [
    { label: '2 KB', bytes: 2 * 1024, n: quick ? 500 : 2000 },
    { label: '1 MB', bytes: 1024 * 1024, n: quick ? 5 : 20 },
  ];
  const rounds = quick ? 3 : 5;
  const now = new Date();
  const rows: string[] = [];
  const floors = sizes.map((s) => {
    const body = bodyOf(s.bytes, false);
    cpuPerCall(s.n, 1, () => createHmac('sha256', 'k').update(body).digest());
    return cpuPerCall(s.n, rounds, () => createHmac('sha256', 'k').update(body).digest());
  });
  rows.push(`| HMAC-SHA256 of the body (the floor) | ${floors.map((f) => `${f.toFixed(1)} µs`).join(' | ')} |`);
  for (const family of FAMILIES) {
    const cells: string[] = [];
    for (const [i, s] of sizes.entries()) {
      const { secret, signingKey } = family.scheme.generateCredential();
      const decoded = decodeCredentials(secret, family.scheme.credential);
      if (!decoded.ok) throw new Error(`${family.name}: ${decoded.problem}`);
      const credentials: Credential[] = decoded.credentials;
      const body = bodyOf(s.bytes, family.contentType !== undefined);
      const signed = family.scheme.sign({ body, url: 'https://hooks.example.com/webhooks/v', contentType: family.contentType }, signingKey, now);
      const url = splitUrl(signed.url ?? 'https://hooks.example.com/webhooks/v')!;
      const headers = new Headers(Object.entries({ 'content-type': family.contentType ?? 'application/json', ...signed.headers }));
      const delivery = { vendor: 'v', method: 'POST', url, headers, query: {}, body: signed.body ?? body, receivedAt: now };
      // A new request per call, as per delivery (the form is parsed once per request).
      const verify = () => {
        const v = family.scheme.verify(schemeRequestOf({ ...delivery }), credentials, now);
        if (v instanceof Promise || !v.ok) throw new Error(`${family.name} refused its own signature`);
      };
      cpuPerCall(s.n, 1, verify);
      const us = cpuPerCall(s.n, rounds, verify);
      cells.push(`${us.toFixed(1)} µs (${(us / floors[i]).toFixed(2)}×)`);
    }
    rows.push(`| ${family.name} | ${cells.join(' | ')} |`);
  }
  return ['| scheme: CPU per verification (× the floor) | 2 KB | 1 MB |', '| --- | --: | --: |', ...rows].join('\n');
}

/**
 * `npm run bench -- --only vendors`: the CPU of one `adapter.verify` per built-in vendor (what the pipeline runs per
 * delivery, the secret decoded each time as `verify` does), on each vendor's first sample as its SDK signs it,
 * beside one HMAC-SHA256 of the same body.
 */
export function benchVendorVerify(quick: boolean): string {
  const n = quick ? 300 : 1500;
  const rounds = quick ? 3 : 5;
  const now = new Date();
  const { adapters } = createVendorAdapters(resolveConfig({ vendors: Object.fromEntries(BUILT_IN_VENDORS.map((v) => [v, true])) }).vendors);
  const rows: string[] = [];
  for (const vendor of BUILT_IN_VENDORS) {
    const adapter = adapters.get(vendor)!;
    const f = loadFixtures(vendor)[0];
    const secret = adapter.generateSecret();
    const url = fixtureUrl(f);
    const body = fixtureBody(f);
    const delivery = {
      vendor, method: f.method ?? 'POST', url: splitUrl(url)!, headers: new Headers(Object.entries(fixtureHeaders(f, adapter, secret, now, undefined, url))),
      query: f.query ?? {}, body, receivedAt: now,
    };
    const verify = () => {
      if (adapter.verify({ ...delivery }, secret, now) !== true) throw new Error(`${vendor} refused its own sample ${f.name}`);
    };
    const hmac = () => createHmac('sha256', 'k').update(body).digest();
    cpuPerCall(n, 1, verify);
    cpuPerCall(n, 1, hmac);
    const us = cpuPerCall(n, rounds, verify);
    const floor = cpuPerCall(n, rounds, hmac);
    rows.push(`| ${vendor} | ${f.name} | ${body.length} | ${us.toFixed(1)} µs | ${floor.toFixed(1)} µs | ${(us / floor).toFixed(1)}× |`);
  }
  return ['| vendor | sample | body bytes | CPU per adapter.verify | HMAC-SHA256 of the body | ratio |', '| --- | --- | --: | --: | --: | --: |', ...rows].join('\n');
}
