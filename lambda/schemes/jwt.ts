/**
 * An HS256 JWT that carries a hash of the body (Vonage: `Authorization: Bearer <jwt>` with `payload_hash`, the hex
 * SHA-256; LiveKit: `Authorization: <jwt>` with `sha256`, the base64 SHA-256, and `iss` = the API key), or a body
 * that *is* the JWT (Dialpad: the verified claims are the event). node:crypto's HMAC only: no JWT library.
 * Only `alg: HS256` is accepted (never `none`, never another algorithm named by the token).
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { Credential, Scheme, SchemeRequest, SignInput, Verdict, Vouches } from '../contracts/scheme';
import { safeEqual } from '../core/crypto';
import { accept, decodeBase64Url, firstMatching, refuse, sha256 } from './common';

export interface JwtOptions {
  /** The header holding the token (`Bearer ` before it is optional). @default "authorization" */
  readonly header?: string;
  /** The body is the compact JWT, and its verified claims are the payload. @default false */
  readonly bodyIsJwt?: boolean;
  /** The claim holding the SHA-256 of the raw body (required in every token when set). */
  readonly bodyHashClaim?: string;
  /** How that claim writes the hash. @default "hex" */
  readonly bodyHashEncoding?: 'hex' | 'base64';
  /** The `iss` every token must carry (e.g. LiveKit's API key). @default - any */
  readonly issuer?: string;
  /**
   * The credential is JSON `{"key": …, "secret": …}`: the secret signs, and `iss` must equal the key (LiveKit's
   * API key and secret in one secret). @default false
   */
  readonly keyed?: boolean;
  /** Refuse a token without `exp` (LiveKit's SDK does). @default false */
  readonly requireExp?: boolean;
  /** Accepted clock skew of `iat`, when the token has one, in seconds. @default 300 */
  readonly toleranceSeconds?: number;
  /** Leeway for `exp` and `nbf`, in seconds. @default 10 */
  readonly leewaySeconds?: number;
  /** What the signer writes before the token. @default "Bearer " */
  readonly tokenPrefix?: string;
}

const HEADER_B64 = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

function jsonObject(bytes: Buffer): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(bytes.toString('utf8')) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** `{secret, issuer}` of each credential; undefined when one is of the wrong kind. */
function keysOf(credentials: readonly Credential[], keyed: boolean): Array<{ secret: string; issuer?: string }> | undefined {
  const out: Array<{ secret: string; issuer?: string }> = [];
  for (const c of credentials) {
    if (keyed) {
      if (c.kind !== 'fields' || c.fields.key === undefined || c.fields.secret === undefined) return undefined;
      out.push({ secret: c.fields.secret, issuer: c.fields.key });
    } else {
      if (c.kind !== 'secret') return undefined;
      out.push({ secret: c.secret });
    }
  }
  return out;
}

export function jwtScheme(options: JwtOptions = {}): Scheme {
  const header = options.header ?? 'authorization';
  const tolerance = options.toleranceSeconds ?? 300;
  const leeway = options.leewaySeconds ?? 10;
  const keyed = options.keyed ?? false;
  const vouches: Vouches = { body: options.bodyIsJwt === true || options.bodyHashClaim !== undefined, headers: [], url: false, claims: true };

  return {
    family: 'jwt',
    credential: keyed ? { kind: 'fields', required: ['key', 'secret'] } : { kind: 'secret' },
    vouches,
    verify(request: SchemeRequest, credentials: readonly Credential[], now: Date): Verdict {
      let token: string | undefined;
      if (options.bodyIsJwt) token = request.body.toString('latin1').trim();
      else {
        const value = request.headers.get(header)?.trim();
        token = value !== undefined && /^bearer\s+/i.test(value) ? value.replace(/^bearer\s+/i, '') : value;
      }
      if (!token) return refuse('missing-header');
      const parts = token.split('.');
      if (parts.length !== 3) return refuse('malformed-signature');
      const [h, p, s] = parts;
      const headerJson = decodeBase64Url(h);
      const payload = decodeBase64Url(p);
      const signature = decodeBase64Url(s);
      if (!headerJson || !payload || !signature || signature.length !== 32) return refuse('malformed-signature');
      const head = jsonObject(headerJson);
      if (head?.alg !== 'HS256') return refuse('malformed-signature');
      const claims = jsonObject(payload);
      if (!claims) return refuse('malformed-signature');
      const keys = keysOf(credentials, keyed);
      if (keys === undefined) return refuse('wrong-key-kind');
      const signingInput = `${h}.${p}`;
      const matched = firstMatching(keys, (k) => k.secret !== '' && safeEqual(createHmac('sha256', k.secret).update(signingInput).digest(), signature));
      if (matched < 0) return refuse('no-key-matched');
      const issuer = options.issuer ?? keys[matched].issuer;
      if (issuer !== undefined && claims.iss !== issuer) return refuse('no-key-matched');
      const nowS = now.getTime() / 1000;
      const { exp, nbf, iat } = claims;
      if (exp !== undefined && !(typeof exp === 'number' && nowS <= exp + leeway)) return refuse(typeof exp === 'number' ? 'stale-timestamp' : 'malformed-signature');
      if (exp === undefined && options.requireExp) return refuse('malformed-signature');
      if (nbf !== undefined && !(typeof nbf === 'number' && nbf - leeway <= nowS)) return refuse(typeof nbf === 'number' ? 'future-timestamp' : 'malformed-signature');
      if (iat !== undefined) {
        if (typeof iat !== 'number') return refuse('malformed-signature');
        if (!(nowS - iat <= tolerance)) return refuse(nowS - iat > 0 ? 'stale-timestamp' : 'future-timestamp');
        if (!(iat - nowS <= tolerance)) return refuse('future-timestamp');
      }
      if (options.bodyHashClaim !== undefined && !options.bodyIsJwt) {
        const claimed = claims[options.bodyHashClaim];
        if (typeof claimed !== 'string') return refuse('body-mismatch');
        const hash = sha256(request.body);
        const ok = options.bodyHashEncoding === 'base64' ? safeEqual(claimed, hash.toString('base64')) : safeEqual(claimed.toLowerCase(), hash.toString('hex'));
        if (!ok) return refuse('body-mismatch');
      }
      return accept(matched, vouches, {
        claims,
        signedAt: typeof iat === 'number' ? new Date(iat * 1000) : undefined,
        payload: options.bodyIsJwt ? payload : undefined,
      });
    },
    sign(input: SignInput, signingKey: string, now: Date) {
      let secret = signingKey;
      let issuer = options.issuer;
      if (keyed) {
        const parsed = JSON.parse(signingKey) as { key: string; secret: string };
        secret = parsed.secret;
        issuer ??= parsed.key;
      }
      const iat = Math.floor(now.getTime() / 1000);
      let claimsJson: string;
      if (options.bodyIsJwt) claimsJson = input.body.toString('utf8');
      else {
        const claims: Record<string, unknown> = { iat, exp: iat + 300, jti: randomUUID() };
        if (issuer !== undefined) claims.iss = issuer;
        if (options.bodyHashClaim !== undefined) {
          const hash = sha256(input.body);
          claims[options.bodyHashClaim] = options.bodyHashEncoding === 'base64' ? hash.toString('base64') : hash.toString('hex');
        }
        claimsJson = JSON.stringify(claims);
      }
      const signingInput = `${HEADER_B64}.${Buffer.from(claimsJson).toString('base64url')}`;
      const token = `${signingInput}.${createHmac('sha256', secret).update(signingInput).digest('base64url')}`;
      if (options.bodyIsJwt) return { headers: { 'content-type': 'application/jwt' }, body: Buffer.from(token) };
      return { headers: { [header]: `${options.tokenPrefix ?? 'Bearer '}${token}` } };
    },
    generateCredential() {
      const secret = randomBytes(32).toString('base64url');
      if (!keyed) return { secret, signingKey: secret };
      const json = JSON.stringify({ key: `API${randomBytes(6).toString('hex')}`, secret });
      return { secret: json, signingKey: json };
    },
  };
}
