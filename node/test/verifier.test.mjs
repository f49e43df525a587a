// `Verifier`: options parsed once, the same answers as the module-level `verify`. Expected
// statuses come from the shared vectors (security/jwt_attacks.json with the documented overrides,
// jwt_verify_lib/verify.json); expected claims from jose (an independent implementation).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import * as jose from 'jose';
import { meshauth, vectors, outcome, assertStatus } from './helpers.mjs';

const { Jwks, Verifier, verify, verifyComplete } = meshauth;

const attacks = vectors('security/jwt_attacks.json');
const { overrides: OVERRIDES } = JSON.parse(
  readFileSync(new URL('../../tests/vectors/attack_overrides.json', import.meta.url), 'utf8'),
);

test('jwt_attacks.json: Verifier gives every case the status verify gives and the corpus expects', () => {
  const { issuer, audiences, now, clock_skew: clockSkew } = attacks.validation;
  let compared = 0;
  for (const c of attacks.cases) {
    const { expect, status: want } = OVERRIDES[c.id] ?? c;
    let jwks;
    try {
      jwks = Jwks.fromJson(JSON.stringify(c.jwks_inline ?? attacks.jwks[c.jwks]));
    } catch {
      continue; // no usable key: refused before any verifier exists (vectors.test.mjs)
    }
    const v = new Verifier(jwks, { issuer, audiences, clockSkew });
    const viaModule = outcome(() => verify(c.token, jwks, { issuer, audiences, clockSkew, now }));
    const viaVerifier = outcome(() => v.verify(c.token, now));
    const viaComplete = outcome(() => v.verifyComplete(c.token, now));
    assert.equal(viaModule, want, c.id);
    assert.equal(viaVerifier, want, c.id);
    assert.equal(viaComplete, want, c.id);
    assert.equal(want === 'Ok', expect === 'accept', c.id);
    if (want === 'Ok') {
      const a = verifyComplete(c.token, jwks, { issuer, audiences, clockSkew, now });
      assert.deepEqual(v.verifyComplete(Buffer.from(c.token), now), a, c.id);
      assert.deepEqual(v.verify(c.token, now), a.payload, c.id);
    }
    compared++;
  }
  assert.ok(compared > 100, `${compared} cases compared`);
});

test('jwt_verify_lib verify.json: Verifier gives the expected statuses', () => {
  const want = (c, f) => c[`strict_${f}`] ?? c[f];
  const cases = vectors('jwt_verify_lib/verify.json').filter(
    (c) => c.api !== 'verifyTimeConstraint' && !c.mutate && c.jwks_type === 'jwks',
  );
  assert.ok(cases.length > 30);
  for (const c of cases) {
    let jwks;
    try {
      jwks = Jwks.fromJson(c.jwks);
    } catch {
      continue;
    }
    const options = { clockSkew: c.clock_skew };
    if (c.audiences) options.audiences = c.audiences;
    const expected = want(c, 'expect_parse') !== 'Ok' ? want(c, 'expect_parse') : want(c, 'expect');
    const v = new Verifier(jwks, options);
    assert.equal(outcome(() => v.verify(c.token, Number(c.now))), expected, c.name);
  }
});

const NOW = 1_800_000_000;
const ISS = 'https://issuer.example';
const secret = Buffer.from('a-32-byte-secret-for-hs256-tests!!', 'utf8');
const hsKey = { kty: 'oct', kid: 'hs', alg: 'HS256', k: jose.base64url.encode(secret) };
const ed = await jose.generateKeyPair('EdDSA', { extractable: true });
const edKey = { ...(await jose.exportJWK(ed.publicKey)), kid: 'ed', alg: 'EdDSA' };
const set = Jwks.fromJson(JSON.stringify({ keys: [edKey, hsKey] }));
const base = { iss: ISS, sub: 'alice', aud: 'api', iat: NOW - 10, exp: NOW + 3600 };
const hs = (claims) => new jose.SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: 'hs' }).sign(secret);
const eds = (claims) => new jose.SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', kid: 'ed' }).sign(ed.privateKey);

test('claims, verifyComplete and the jwks getter', async () => {
  const v = new Verifier(set, { issuer: ISS, audiences: ['https://api/'] });
  assert.equal(v.jwks, set);
  // The settings as compared: Envoy's audience sanitising drops the scheme and the trailing slash.
  assert.equal(v.issuer, ISS);
  assert.deepEqual(v.audiences, ['api']);
  assert.equal(v.clockSkew, 60);
  assert.equal(v.algorithms.length, 13);
  assert.ok(Object.isFrozen(v.audiences) && Object.isFrozen(v.algorithms));
  const plain = new Verifier(set, { clockSkew: 0, algorithms: ['ES256', 'HS256'] });
  assert.equal(plain.issuer, undefined);
  assert.deepEqual(plain.audiences, []);
  assert.equal(plain.clockSkew, 0);
  assert.deepEqual([...plain.algorithms].sort(), ['ES256', 'HS256']);
  // Non-ASCII claims too: characters below and above U+00FF, and one outside the BMP.
  const signed = [
    [await hs({ ...base, scope: 'a b' }), secret],
    [await eds({ ...base, scope: 'a b' }), ed.publicKey],
    [await hs({ ...base, scope: 'a b', name: 'Zo\u00eb \u00ff\u0100 \u{1f600}' }), secret],
  ];
  for (const [token, key] of signed) {
    const { payload } = await jose.jwtVerify(token, key, { currentDate: new Date(NOW * 1000) });
    assert.deepEqual(v.verify(token, NOW), payload);
    assert.deepEqual(v.verify(new Uint8Array(Buffer.from(token)), BigInt(NOW)), payload);
    const full = v.verifyComplete(token, NOW);
    assert.deepEqual(full.payload, payload);
    assert.equal(full.principal, `${ISS}/alice`);
    assert.deepEqual(full.scopes, ['a', 'b']);
  }
  // Without `now`: the system clock (these claims expired long ago).
  const old = await hs({ ...base, iat: 1000, exp: 2000 });
  assertStatus(() => v.verify(old), 'JwtExpired');
});

test('options mean what they mean for verify', async () => {
  const token = await hs({ ...base, nbf: NOW - 5 });
  const noExp = await hs({ iss: ISS, sub: 'alice' });
  const rows = [
    [{}, NOW, 'Ok'],
    [{}, NOW + 3660, 'Ok'],
    [{}, NOW + 3661, 'JwtExpired'],
    [{ clockSkew: 0 }, NOW + 3601, 'JwtExpired'],
    [{}, NOW - 66, 'JwtNotYetValid'],
    [{ issuer: 'https://other' }, NOW, 'JwtUnknownIssuer'],
    [{ audiences: ['other'] }, NOW, 'JwtAudienceNotAllowed'],
    [{ audiences: ['other', 'http://api'] }, NOW, 'Ok'],
    [{ algorithms: ['ES256'] }, NOW, 'JwtAlgNotAllowed'],
    [{ algorithms: ['ES256', 'HS256'] }, NOW, 'Ok'],
    [{ maxLifetime: 3000 }, NOW, 'JwtLifetimeTooLong'],
    [{ maxLifetime: 4000 }, NOW, 'Ok'],
    [{ maxTokenBytes: 100 }, NOW, 'JwtTooLarge'],
    [{ maxAge: 5, clockSkew: 0 }, NOW, 'JwtExpired'],
    [{ maxAge: 5, clockSkew: 0 }, NOW - 5, 'Ok'],
  ];
  for (const [options, now, want] of rows) {
    const v = new Verifier(set, options);
    assert.equal(outcome(() => v.verify(token, now)), want, JSON.stringify(options));
    assert.equal(outcome(() => verify(token, set, { ...options, now })), want, JSON.stringify(options));
  }
  assert.equal(new Verifier(set).verify(noExp, NOW).sub, 'alice');
  assertStatus(() => new Verifier(set, { requireExp: true }).verify(noExp, NOW), 'JwtMissingExp');
});

test('bad options and arguments are InvalidArg errors without a status', () => {
  const invalid = (fn) =>
    assert.throws(fn, (err) => err instanceof Error && err.code === 'InvalidArg' && err.status === undefined);
  invalid(() => new Verifier(set, { clockSkew: -1 }));
  invalid(() => new Verifier(set, { clockSkew: 1.5 }));
  invalid(() => new Verifier(set, { algorithms: ['none'] }));
  invalid(() => new Verifier(set, { maxLifetime: Number.NaN }));
  invalid(() => new Verifier(set, { now: NOW }));
  invalid(() => new Verifier({}, {}));
  invalid(() => new Verifier('{"keys":[]}'));
  const v = new Verifier(set);
  invalid(() => v.verify(42, NOW));
  invalid(() => v.verify('a.b.c', Number.NaN));
  invalid(() => v.verify('a.b.c', 'now'));
  assertStatus(() => v.verify('a.b', NOW), 'JwtBadFormat');
});

test('token strings around the 16 KiB read buffer: same claims as jose, limit by byte length', async () => {
  // Strings are read into a per-thread 16 KiB buffer; longer ones take another path. Tokens of
  // 16 380 to 16 390 bytes cross that edge (and the default maxTokenBytes of 16 384).
  const small = await hs({ ...base, pad: '' });
  const v = new Verifier(set, { maxTokenBytes: 1 << 20 });
  const strict = new Verifier(set);
  let crossed = 0;
  for (let target = 16_380; target <= 16_390; target++) {
    // Each 3 bytes of claim text add 4 base64url characters; step the pad until the length hits.
    let token = small;
    for (let pad = Math.floor(((target - small.length) * 3) / 4) - 3; token.length < target; pad++) {
      token = await hs({ ...base, pad: 'x'.repeat(pad) });
    }
    if (token.length !== target) continue;
    crossed++;
    const { payload } = await jose.jwtVerify(token, secret, { currentDate: new Date(NOW * 1000) });
    assert.deepEqual(v.verify(token, NOW), payload, `${target} bytes`);
    assert.deepEqual(verify(token, set, { now: NOW, maxTokenBytes: 1 << 20 }), payload);
    if (target > 16_384) assertStatus(() => strict.verify(token, NOW), 'JwtTooLarge');
    else assert.deepEqual(strict.verify(token, NOW), payload, `${target} bytes`);
  }
  assert.ok(crossed >= 6, `${crossed} lengths hit`);
  // A huge string (far past the buffer) is still read whole.
  const big = await hs({ ...base, pad: 'y'.repeat(100_000) });
  assert.equal(v.verify(big, NOW).pad.length, 100_000);
  // Non-ASCII text is converted to UTF-8 as a Buffer would be: é in the payload segment is not
  // base64url; a lone surrogate becomes U+FFFD, equally not base64url.
  const [h, p, s] = small.split('.');
  assertStatus(() => v.verify(`${h}.${p}é.${s}`, NOW), 'JwtPayloadParseErrorBadBase64');
  assertStatus(() => v.verify(`${h}\ud800.${p}.${s}`, NOW), 'JwtHeaderParseErrorBadBase64');
  assertStatus(() => v.verify(Buffer.from(`${h}.${p}é.${s}`), NOW), 'JwtPayloadParseErrorBadBase64');
  // Neither a string nor a Uint8Array.
  assert.throws(() => v.verify({ length: 3 }, NOW), { code: 'InvalidArg' });
  assert.throws(() => v.verify(null, NOW), { code: 'InvalidArg' });
});

test('ecTables (precomputed ECDSA tables) changes speed, not answers', async () => {
  for (const alg of ['ES256', 'ES384', 'ES512']) {
    const pairs = await Promise.all([0, 1, 2].map(() => jose.generateKeyPair(alg, { extractable: true })));
    const keys = await Promise.all(pairs.map(async (p, i) => ({ ...(await jose.exportJWK(p.publicKey)), kid: `k${i}`, alg })));
    const doc = JSON.stringify({ keys });
    const token = await new jose.SignJWT(base).setProtectedHeader({ alg, kid: 'k2' }).sign(pairs[2].privateKey);
    const [h, p, s] = token.split('.');
    const tampered = `${h}.${p}.${s.slice(0, 10)}${s[10] === 'A' ? 'B' : 'A'}${s.slice(11)}`;
    for (const ecTables of [8, 1, 0]) {
      const v = new Verifier(Jwks.fromJson(doc, { ecTables }));
      assert.equal(v.verify(token, NOW).sub, 'alice', `${alg} ecTables ${ecTables}`);
      assertStatus(() => v.verify(tampered, NOW), 'JwtVerificationFail');
    }
  }
  assert.throws(() => Jwks.fromJson('{"keys":[]}', { ecTables: -1 }), { code: 'InvalidArg' });
});
