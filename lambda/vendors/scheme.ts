/**
 * A vendor's proof of origin from a scheme of `lambda/schemes/`: `schemeAuthentication(scheme)` gives the
 * adapter its `scheme` and the one-secret `verify` / `sign` / `generateSecret` that the pipeline, the local mode,
 * the command line and the tests call today.
 *
 * For a public-key scheme one string cannot hold both halves: `generateSecret` gives the private key (PKCS8 PEM),
 * `sign` signs with it, and `verify`, given a private key, verifies with its public half. Given a public key (what
 * an endpoint's secret holds in the cloud), `verify` uses it as it is.
 */
import type { Credential } from '../contracts/scheme';
import type { Scheme } from '../contracts/scheme';
import type { VendorAdapter } from '../core/vendor';
import { decodeCredentials, privateKeyAsPublic } from '../core/credentials';
import { schemeRequestOf } from '../core/scheme-request';

export interface SchemeAuthenticationOptions {
  /** The URL the vendor calls (an endpoint option of URL-signing vendors). @default - the URL requests arrive at */
  readonly publicUrl?: string;
  /** The field of a JSON secret that holds the credential. @default - the whole secret */
  readonly secretField?: string;
}

/** The credentials of a secret value; a private key for a public-key scheme is read as its public half. */
export function credentialsOf(scheme: Scheme, secret: string, field?: string): Credential[] | undefined {
  const decoded = decodeCredentials(secret, scheme.credential, field);
  if (decoded.ok) return decoded.credentials;
  return scheme.credential.kind === 'public-key' ? privateKeyAsPublic(secret) : undefined;
}

export function schemeAuthentication(
  scheme: Scheme,
  options: SchemeAuthenticationOptions = {},
): Pick<VendorAdapter, 'scheme' | 'publicUrl' | 'secretField' | 'verify' | 'sign' | 'generateSecret'> {
  return {
    scheme,
    publicUrl: options.publicUrl,
    secretField: options.secretField,
    verify(delivery, secret, now) {
      try {
        const credentials = credentialsOf(scheme, secret, options.secretField);
        if (!credentials) return false;
        const verdict = scheme.verify(schemeRequestOf(delivery, options.publicUrl), credentials, now);
        // Every scheme of the library answers synchronously; one that does not is refused here.
        if (verdict instanceof Promise) {
          verdict.catch(() => undefined);
          return false;
        }
        return verdict.ok;
      } catch {
        return false;
      }
    },
    sign: (body, secret, now, id) => ({ ...scheme.sign({ body, id }, secret, now).headers }),
    generateSecret() {
      const generated = scheme.generateCredential();
      return scheme.credential.kind === 'public-key' ? generated.signingKey : generated.secret;
    },
  };
}
