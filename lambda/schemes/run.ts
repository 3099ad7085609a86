/**
 * Running a scheme safely: `verifyWith` turns a throw or a rejection (a scheme bug) into a `scheme-error`
 * refusal, never an exception into the pipeline; `signWith` gives the whole signed request.
 */
import type { Credential, Scheme, SchemeRequest, SignInput, Verdict } from '../contracts/scheme';
import { DEFAULT_SIGN_URL, refuse } from './common';

/** Verifies with the scheme; a scheme that throws or rejects refuses with `scheme-error`. */
export async function verifyWith(scheme: Scheme, request: SchemeRequest, credentials: readonly Credential[], now: Date): Promise<Verdict> {
  try {
    return await scheme.verify(request, credentials, now);
  } catch {
    return refuse('scheme-error');
  }
}

/** A request signed as the vendor would send it. */
export interface SignedDelivery {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

/** Signs `input` with the scheme, and gives the request to send (Content-Type included). */
export function signWith(scheme: Scheme, input: SignInput, signingKey: string, now: Date): SignedDelivery {
  const signed = scheme.sign(input, signingKey, now);
  return {
    method: (input.method ?? 'POST').toUpperCase(),
    url: signed.url ?? input.url ?? DEFAULT_SIGN_URL,
    headers: { 'content-type': input.contentType ?? 'application/json', ...input.headers, ...signed.headers },
    body: signed.body ?? input.body,
  };
}
