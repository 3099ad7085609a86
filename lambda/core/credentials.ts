/**
 * An endpoint's secret value → the credentials a scheme verifies with (DESIGN.md §Proof of origin): a shared
 * secret, a public key, or a small JSON object; during a rotation `{"current": …, "previous": …}` of the same
 * shape, current first. With `field`, the value is the named field of a JSON secret that other tools also read
 * (`{"apiKey": …, "webhookSecret": …}`), which may itself hold `{"current", "previous"}`.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { Credential, CredentialSpec } from '../contracts/scheme';

/** Ed25519's public key from its 32 raw bytes; undefined when they are not one. */
export function ed25519PublicKey(raw: Buffer): KeyObject | undefined {
  if (raw.length !== 32) return undefined;
  try {
    return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
  } catch {
    return undefined;
  }
}

export type Decoded =
  | { readonly ok: true; readonly credentials: Credential[] }
  /** `problem` says what is wrong with the value, for a log line; it never quotes the value. */
  | { readonly ok: false; readonly problem: string; readonly wrongKind?: boolean };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const PEM_PUBLIC = /^-----BEGIN PUBLIC KEY-----[\s\S]+-----END PUBLIC KEY-----$/;

function decodeOne(value: unknown, spec: CredentialSpec, where: string): Credential | string {
  if (spec.kind === 'fields') {
    if (!isObject(value)) return `${where} is not a JSON object with ${spec.required.join(', ')}`;
    const fields: Record<string, string> = {};
    for (const name of [...spec.required, ...(spec.optional ?? [])]) {
      const v = value[name];
      if (typeof v === 'string' && v.trim() !== '') fields[name] = v.trim();
      else if (spec.required.includes(name)) return `${where} has no non-empty text field "${name}" (needs ${spec.required.join(', ')})`;
    }
    return { kind: 'fields', fields };
  }
  if (typeof value !== 'string' || value.trim() === '') return `${where} is not a non-empty text value`;
  const text = value.trim();
  if (spec.kind === 'secret') return { kind: 'secret', secret: text };
  if (/PRIVATE KEY-----/.test(text)) return `${where} is a private key: store the vendor's public key`;
  let key;
  if (PEM_PUBLIC.test(text)) {
    try {
      key = createPublicKey(text);
    } catch {
      key = undefined;
    }
    if (key && key.asymmetricKeyType !== 'ed25519') return `${where} is a ${String(key.asymmetricKeyType)} public key, not ed25519`;
  } else if (/^[A-Za-z0-9+/]{43}=?$/.test(text) || /^[A-Za-z0-9_-]{43}$/.test(text)) {
    key = ed25519PublicKey(Buffer.from(text, text.includes('-') || text.includes('_') ? 'base64url' : 'base64'));
  }
  return key ? { kind: 'public-key', key } : `${where} is not an ed25519 public key (base64 of 32 bytes, or a PEM PUBLIC KEY)`;
}

/** Decodes an endpoint's secret value for a scheme's credential kind. Never throws. */
export function decodeCredentials(raw: string, spec: CredentialSpec, field?: string): Decoded {
  const text = raw.trim();
  if (text === '') return { ok: false, problem: 'the secret is empty' };
  let value: unknown = text;
  const json = text.startsWith('{') ? parseJson(text) : undefined;
  if (field !== undefined) {
    if (!isObject(json)) return { ok: false, problem: `the secret is not a JSON object, so it has no field "${field}"` };
    if (!(field in json)) return { ok: false, problem: `the secret has no field "${field}"` };
    value = json[field];
  } else if (json !== undefined) value = json;
  // A rotation: {"current": …, "previous": …} (previous optional).
  if (isObject(value) && ('current' in value || 'previous' in value)) {
    const out: Credential[] = [];
    for (const name of ['current', 'previous'] as const) {
      if (!(name in value) || value[name] === null) continue;
      const one = decodeOne(value[name], spec, `the secret's "${name}"`);
      if (typeof one === 'string') return { ok: false, problem: one, wrongKind: one.includes('private key') || one.includes('not ed25519') };
      out.push(one);
    }
    return out.length > 0 ? { ok: true, credentials: out } : { ok: false, problem: 'the secret\'s "current" and "previous" are both empty' };
  }
  if (isObject(value) && spec.kind !== 'fields') {
    return { ok: false, problem: `the secret is a JSON object without "current"/"previous"${field === undefined ? ' (name the field that holds the value)' : ''}` };
  }
  const one = decodeOne(value, spec, field === undefined ? 'the secret' : `the secret's "${field}"`);
  if (typeof one === 'string') return { ok: false, problem: one, wrongKind: one.includes('private key') || one.includes('not ed25519') };
  return { ok: true, credentials: [one] };
}

/**
 * A development key pair's private half (PKCS8 PEM) read as its public half, for a public-key scheme: what the local
 * mode generates and stores for a public-key vendor (Telnyx), so that one value both signs (`callhooks send`) and
 * verifies. A deployed endpoint's secret holds the vendor's public key; a private key there refuses as before when
 * it is not a well-formed PEM. Undefined when `raw` is not a private key.
 */
export function privateKeyAsPublic(raw: string): Credential[] | undefined {
  if (!/PRIVATE KEY-----/.test(raw)) return undefined;
  try {
    return [{ kind: 'public-key', key: createPublicKey(raw.trim()) }];
  } catch {
    return undefined;
  }
}
