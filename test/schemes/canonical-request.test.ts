import { canonicalRequestScheme, canonicalString } from '../../lambda/schemes/canonical-request';
import { signWith } from '../../lambda/schemes/run';
import { outcome } from './helpers';

const scheme = canonicalRequestScheme();
const KEY = '669E367E-6BBA-48AB-AF15-266871C28135';
const CREDENTIAL = JSON.stringify({ key: KEY, secret: 'BeIukql3pTKJ8RGL5zo0DA==' });
const BODY = '{"event":"ace","callid":"822aa4b7-05b4-4d83-87c7-1f835ee0b6f6_257","timestamp":"2014-09-24T10:59:41Z","version":1}';
const AT = new Date('2014-09-24T10:59:41Z');
const HEADERS = {
  authorization: `application ${KEY}:Tg6fMyo8mj9pYfWQ9ssbx3Tc1BNC87IEygAfLbJqZb4=`,
  'x-timestamp': '2014-09-24T10:59:41Z',
  'content-type': 'application/json',
};
const URL_ = 'https://hooks.example.com/sinch/callback/ace';

describe('canonical-request scheme (Sinch)', () => {
  it('the string to sign carries Sinch\'s published Content-MD5', () => {
    expect(canonicalString('POST', Buffer.from(BODY), 'application/json', '2014-09-24T10:59:41Z', '/sinch/callback/ace').split('\n')[1]).toBe('REWF+X220L4/Gw1spXOU7g==');
  });

  it('accepts Sinch\'s published vector (the path only: the query and host do not count)', async () => {
    expect(await outcome(scheme, { url: URL_, headers: HEADERS, body: BODY }, CREDENTIAL, AT)).toBe('ok');
    expect(await outcome(scheme, { url: `${URL_}?x=1`, headers: HEADERS, body: BODY }, CREDENTIAL, AT)).toBe('ok');
    expect(await outcome(scheme, { url: URL_, headers: { ...HEADERS, authorization: HEADERS.authorization.replace('application', 'Application') }, body: BODY }, CREDENTIAL, AT)).toBe('ok');
  });

  it.each([
    ['another path', { url: 'https://hooks.example.com/sinch/callback/dice' }, 'no-key-matched'],
    ['another Content-Type', { headers: { ...HEADERS, 'content-type': 'application/json; charset=utf-8' } }, 'no-key-matched'],
    ['another body', { body: BODY.replace('ace', 'dice') }, 'no-key-matched'],
    ['another method', { method: 'PUT' }, 'no-key-matched'],
    ['another auth scheme word', { headers: { ...HEADERS, authorization: HEADERS.authorization.replace('application', 'service') } }, 'malformed-signature'],
    ['no x-timestamp', { headers: { authorization: HEADERS.authorization } }, 'missing-header'],
  ])('refuses %s', async (_what, change, reason) => {
    expect(await outcome(scheme, { url: URL_, headers: HEADERS, body: BODY, ...change }, CREDENTIAL, AT)).toBe(reason);
  });

  it('refuses another application key and a stale timestamp', async () => {
    expect(await outcome(scheme, { url: URL_, headers: HEADERS, body: BODY }, JSON.stringify({ key: 'OTHER', secret: 'BeIukql3pTKJ8RGL5zo0DA==' }), AT)).toBe('no-key-matched');
    expect(await outcome(scheme, { url: URL_, headers: HEADERS, body: BODY }, CREDENTIAL, new Date(AT.getTime() + 301_000))).toBe('stale-timestamp');
  });

  it('verifies what it signs', async () => {
    const { signingKey, secret } = scheme.generateCredential();
    const now = new Date();
    const signed = signWith(scheme, { url: URL_, body: Buffer.from(BODY) }, signingKey, now);
    expect(await outcome(scheme, { url: URL_, headers: signed.headers, body: BODY }, secret, now)).toBe('ok');
  });
});
