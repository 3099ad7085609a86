import { staticTokenScheme } from '../../lambda/schemes/static-token';
import { signWith } from '../../lambda/schemes/run';
import { creds, directOutcome, outcome, request, T0 } from './helpers';

describe('static-token scheme', () => {
  it('a header with a prefix (QCall, Vapi): compared exactly, vouching for the whole request', async () => {
    const scheme = staticTokenScheme({ header: 'authorization', prefix: 'Bearer ' });
    expect(await outcome(scheme, { headers: { Authorization: 'Bearer tok' } }, 'tok')).toBe('ok');
    expect(await outcome(scheme, { headers: { Authorization: 'Bearer tok2' } }, 'tok')).toBe('no-key-matched');
    expect(await outcome(scheme, { headers: { Authorization: 'tok' } }, 'tok')).toBe('no-key-matched');
    expect(await outcome(scheme, {}, 'tok')).toBe('missing-header');
    expect(scheme.vouches).toEqual({ body: true, headers: 'all', url: true });
    expect(signWith(scheme, { body: Buffer.from('{}') }, 'tok', T0).headers.authorization).toBe('Bearer tok');
  });

  it('a JSON body field (Aircall\'s token)', async () => {
    const scheme = staticTokenScheme({ in: 'body', field: '/token' });
    expect(await outcome(scheme, { body: '{"event":"call.ended","token":"tok"}' }, 'tok')).toBe('ok');
    expect(await outcome(scheme, { body: '{"event":"call.ended","token":"nope"}' }, 'tok')).toBe('no-key-matched');
    expect(await outcome(scheme, { body: '{"event":"call.ended","token":5}' }, 'tok')).toBe('malformed-signature');
    expect(await outcome(scheme, { body: '{"event":"call.ended"}' }, 'tok')).toBe('missing-header');
    const signed = signWith(scheme, { body: Buffer.from('{"event":"call.ended"}') }, 'tok', T0);
    expect(JSON.parse(signed.body!.toString())).toEqual({ event: 'call.ended', token: 'tok' });
    expect(() => staticTokenScheme({ in: 'body' })).toThrow('JSON pointer');
  });

  it('Basic auth: the challenge answers a request without credentials, and user:password verifies', async () => {
    const scheme = staticTokenScheme({ in: 'basic', realm: 'twilio' });
    const challenge = await scheme.handshake!(request({ body: 'CallSid=CA1' }), creds('user:pw'), T0);
    expect(challenge).toMatchObject({ statusCode: 401, headers: { 'www-authenticate': 'Basic realm="twilio", charset="UTF-8"' } });
    const signed = signWith(scheme, { body: Buffer.from('CallSid=CA1') }, 'user:pw', T0);
    expect(await scheme.handshake!(request({ headers: signed.headers }), creds('user:pw'), T0)).toBeUndefined();
    expect(await outcome(scheme, { headers: signed.headers }, 'user:pw')).toBe('ok');
    expect(await outcome(scheme, { headers: signed.headers }, 'user:other')).toBe('no-key-matched');
    expect(await outcome(scheme, { headers: { authorization: 'Bearer x' } }, 'user:pw')).toBe('malformed-signature');
  });

  it('echoes a validation header (RingCentral), and a rotation verifies with either token', async () => {
    const scheme = staticTokenScheme({ header: 'verification-token', echoHeader: 'Validation-Token' });
    expect(await scheme.handshake!(request({ headers: { 'validation-token': 'v-123' } }), creds('tok'), T0)).toEqual({ statusCode: 200, headers: { 'Validation-Token': 'v-123' }, json: {} });
    expect(await scheme.handshake!(request({ headers: { 'verification-token': 'tok' } }), creds('tok'), T0)).toBeUndefined();
    const rotation = JSON.stringify({ current: 'new', previous: 'old' });
    expect(await scheme.verify(request({ headers: { 'verification-token': 'old' } }), creds(rotation), T0)).toMatchObject({ ok: true, credential: 1 });
  });
});

describe('static-token scheme: a token in a header, at its edges', () => {
  const SECRET = 'whsec-not-used-here-9f3a1c0b7e';
  const scheme = staticTokenScheme({ header: 'Authorization', prefix: 'Bearer ' });
  const check = (headers: Record<string, string>, secret = SECRET) => directOutcome(scheme, { headers }, secret);

  it.each([
    ['the exact token', { authorization: `Bearer ${SECRET}` }, 'ok'],
    ['the exact token, with whitespace around it', { authorization: `  Bearer ${SECRET} ` }, 'ok'],
    ['another token', { authorization: 'Bearer a-different-secret-4d2e' }, 'no-key-matched'],
    ['the token with one character more', { authorization: `Bearer ${SECRET}x` }, 'no-key-matched'],
    ['the token without its prefix', { authorization: SECRET }, 'no-key-matched'],
    ['no header', {}, 'missing-header'],
    ['an empty header', { authorization: '' }, 'missing-header'],
    ['a 1 MB header', { authorization: 'x'.repeat(1024 * 1024) }, 'no-key-matched'],
  ])('%s → %s, without throwing', (_label, headers, reason) => {
    expect(check(headers as Record<string, string>)).toBe(reason);
  });

  it('refuses everything when the secret is empty', () => {
    expect(check({ authorization: 'Bearer ' }, '')).toBe('no-key-matched');
    expect(check({ authorization: 'Bearer' }, '')).toBe('no-key-matched');
  });
});
