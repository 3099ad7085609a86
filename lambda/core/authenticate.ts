/**
 * The pipeline's authentication step (DESIGN.md §Proof of origin): the endpoint's secret decoded for the vendor's
 * scheme, then the scheme's handshake (answered, never stored), then its verification — guarded, so that a scheme
 * that throws is a refusal and a logged adapter bug, never a 503. A refusal that a new secret could turn (no key
 * matched, an unusable secret) re-reads the secret once (rate-limited by the cache) before it stands.
 */
import type { Delivery } from '../contracts/request';
import type { Credential, HandshakeReply, RefusalReason, Scheme, SchemeRequest } from '../contracts/scheme';
import { decodeCredentials, privateKeyAsPublic, type Decoded } from './credentials';
import type { Log } from './ports';
import { schemeRequestOf } from './scheme-request';
import type { SecretCache } from './secrets';
import type { CallOptions } from './deadline';
import type { Proof, VendorAdapter } from './vendor';

export type Authentication =
  | { readonly kind: 'verified'; readonly proof?: Proof }
  | { readonly kind: 'refused'; readonly reason: RefusalReason }
  | { readonly kind: 'handshake'; readonly reply: HandshakeReply };

/** Refusals that another value of the secret could turn into an acceptance: worth a re-read. */
const REFRESHABLE: ReadonlySet<RefusalReason> = new Set(['no-key-matched', 'wrong-key-kind', 'unusable-credential']);

/** The last decoding per scheme (one per endpoint): a secret is decoded once per value, not per delivery. */
const DECODED = new WeakMap<Scheme, { raw: string; field?: string; decoded: Decoded }>();

function decode(scheme: Scheme, raw: string, field: string | undefined, log: Log, ctx: Record<string, unknown>): Decoded {
  const last = DECODED.get(scheme);
  if (last && last.raw === raw && last.field === field) return last.decoded;
  let decoded = decodeCredentials(raw, scheme.credential, field);
  // The local mode's development key pair: its private half stands for the public one (see privateKeyAsPublic).
  const halved = !decoded.ok && scheme.credential.kind === 'public-key' ? privateKeyAsPublic(raw) : undefined;
  if (halved) decoded = { ok: true, credentials: halved };
  DECODED.set(scheme, { raw, field, decoded });
  // Logged once per value (the cache keeps it until the value changes); the problem never quotes the value.
  if (!decoded.ok) log.error('the endpoint\'s secret cannot be used: every delivery is refused until it is fixed', { ...ctx, problem: decoded.problem, expected: scheme.credential.kind });
  return decoded;
}

async function withCredentials(
  scheme: Scheme,
  request: SchemeRequest,
  credentials: readonly Credential[],
  now: Date,
  log: Log,
  ctx: Record<string, unknown>,
): Promise<Authentication> {
  try {
    const answer = scheme.handshake ? await scheme.handshake(request, credentials, now) : undefined;
    if (answer) return { kind: 'handshake', reply: answer };
    const verdict = await scheme.verify(request, credentials, now);
    return verdict.ok ? { kind: 'verified', proof: verdict } : { kind: 'refused', reason: verdict.reason };
  } catch (err) {
    log.error('adapter bug: the vendor\'s scheme threw; the delivery is refused', { ...ctx, family: scheme.family, error: err instanceof Error ? err.name : typeof err });
    return { kind: 'refused', reason: 'scheme-error' };
  }
}

/**
 * Authenticates a delivery with its own endpoint's secret only (`secretKey`). Throws DependencyError when the
 * secret cannot be read; never for anything the request holds.
 */
export async function authenticate(
  adapter: VendorAdapter,
  secretKey: string,
  delivery: Delivery,
  deps: { readonly secrets: SecretCache; readonly log: Log },
  ctx: Record<string, unknown>,
  signals: { readonly read?: () => AbortSignal; readonly refresh?: () => AbortSignal } = {},
): Promise<Authentication> {
  // The signals are made only when a read happens (a cached secret needs none: no timer is left behind).
  const lazy = (make?: () => AbortSignal): CallOptions => ({ get signal() { return make?.(); } });
  const now = delivery.receivedAt;
  const scheme = adapter.scheme;
  if (!scheme) {
    // An adapter without a scheme: its own verify, one secret value at a time.
    const matches = (secrets: readonly string[]) => secrets.some((s) => adapter.verify(delivery, s, now));
    if (matches(await deps.secrets.get(secretKey, lazy(signals.read)))) return { kind: 'verified' };
    const fresh = await deps.secrets.refreshAfterFailure(secretKey, lazy(signals.refresh)).catch(() => undefined);
    return fresh !== undefined && matches(fresh) ? { kind: 'verified' } : { kind: 'refused', reason: 'no-key-matched' };
  }
  const request = schemeRequestOf(delivery, adapter.publicUrl);
  const attempt = async (raw: string): Promise<Authentication> => {
    const decoded = decode(scheme, raw, adapter.secretField, deps.log, ctx);
    if (!decoded.ok) return { kind: 'refused', reason: decoded.wrongKind ? 'wrong-key-kind' : 'unusable-credential' };
    return withCredentials(scheme, request, decoded.credentials, now, deps.log, ctx);
  };
  const first = await attempt(await deps.secrets.value(secretKey, lazy(signals.read)));
  if (first.kind !== 'refused' || !REFRESHABLE.has(first.reason)) return first;
  // A rotation may just have happened: re-read the secret (rate-limited) before refusing.
  // A re-read that fails leaves the refusal as it is: the delivery did not verify with the value there was.
  const fresh = await deps.secrets.refreshValueAfterFailure(secretKey, lazy(signals.refresh)).catch(() => undefined);
  return fresh === undefined ? first : attempt(fresh);
}
