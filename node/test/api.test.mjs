// Every exported function and error of the native API. Tokens are signed with jose (an
// independent implementation); statuses, numbers and messages come from the shared status table.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as jose from 'jose';
import { meshauth, vectors, assertStatus, STATUS } from './helpers.mjs';

const { Jwks, verify, verifyComplete, decodeProtectedHeader, statuses } = meshauth;

const NOW = 1_800_000_000;
const ISS = 'https://issuer.example';
const secret = Buffer.from('a-32-byte-secret-for-hs256-tests!!', 'utf8');
const hsJwks = { keys: [{ kty: 'oct', kid: 'hs', alg: 'HS256', k: jose.base64url.encode(secret) }] };
const { publicKey, privateKey } = await jose.generateKeyPair('ES256', { extractable: true });
const esJwk = { ...(await jose.exportJWK(publicKey)), kid: 'es', alg: 'ES256' };
const esPem = await jose.exportSPKI(publicKey);

/** An HS256 token (kid `hs`) over `claims`, signed by jose. */
const hs = (claims, header = {}) =>
  new jose.SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: 'hs', ...header }).sign(secret);
/** An ES256 token, optionally with a kid. */
const es = (claims, kid = 'es') =>
  new jose.SignJWT(claims).setProtectedHeader({ alg: 'ES256', ...(kid ? { kid } : {}) }).sign(privateKey);

const base = { iss: ISS, sub: 'alice', aud: 'api', iat: NOW - 10, exp: NOW + 3600 };
const at = { now: NOW };
const hsToken = await hs(base);

test('Jwks.fromJson from a string and from a Buffer; size, kids, keys', () => {
  const doc = JSON.stringify({ keys: [hsJwks.keys[0], esJwk, { kty: 'oct', k: 'AAAA' }] });
  for (const input of [doc, Buffer.from(doc), new Uint8Array(Buffer.from(doc))]) {
    const set = Jwks.fromJson(input);
    assert.equal(set.size, 3);
    assert.deepEqual(set.kids, ['hs', 'es', null]);
    assert.deepEqual(
      set.keys.map((k) => [k.kty, k.alg, k.crv, k.bits]),
      [['oct', 'HS256', undefined, 8 * secret.length], ['EC', 'ES256', 'P-256', 256], ['oct', undefined, undefined, 24]],
    );
  }
});

test('Jwks.fromJson errors carry the status name, number and message', () => {
  assertStatus(() => Jwks.fromJson('{'), 'JwksParseError');
  assertStatus(() => Jwks.fromJson('{"keys":"x"}'), 'JwksBadKeys');
  assertStatus(() => Jwks.fromJson('{"keys":[]}'), 'JwksNoValidKeys');
  assertStatus(() => Jwks.fromJson('{"keys":[{"kty":"EC","crv":"P-256","x":"!","y":"A"}]}'), 'JwksEcXorYBadBase64');
});

test('Jwks.fromJson options: maxBytes and maxKeys give JwksTooLarge', () => {
  const doc = JSON.stringify(hsJwks);
  assertStatus(() => Jwks.fromJson(doc, { maxBytes: 10 }), 'JwksTooLarge');
  assertStatus(() => Jwks.fromJson(JSON.stringify({ keys: [esJwk, esJwk] }), { maxKeys: 1 }), 'JwksTooLarge');
  assert.equal(Jwks.fromJson(doc, { maxBytes: doc.length }).size, 1);
});

test('Jwks.fromPem with kid and alg; bad PEM', async () => {
  const set = Jwks.fromPem(esPem, { kid: 'pem-kid', alg: 'ES256' });
  assert.deepEqual(set.kids, ['pem-kid']);
  assert.deepEqual(set.keys[0], { kid: 'pem-kid', alg: 'ES256', kty: 'EC', crv: 'P-256', bits: 256 });
  assert.equal(verify(await es(base, 'pem-kid'), set, at).sub, 'alice');
  assert.equal(Jwks.fromPem(Buffer.from(esPem)).kids[0], null);
  assertStatus(() => Jwks.fromPem('not a pem'), 'JwksPemBadBase64');
});

test('Jwks.empty has no keys and matches nothing', async () => {
  const none = Jwks.empty();
  assert.equal(none.size, 0);
  assertStatus(() => verify(hsToken, none, at), 'JwksKidAlgMismatch');
});

test('verify returns the claims as JSON.parse gives them', async () => {
  const claims = { ...base, n: 1.5, nested: { a: [1, 'two', null, true] }, uni: 'caf\u00e9 \u{1f600}' };
  const token = await hs(claims);
  assert.deepEqual(verify(token, Jwks.fromJson(JSON.stringify(hsJwks)), at), claims);
  assert.deepEqual(verify(Buffer.from(token), Jwks.fromJson(JSON.stringify(hsJwks)), at), claims);
});

test('verify: now as a number, a fractional number and a BigInt', async () => {
  const set = Jwks.fromJson(JSON.stringify(hsJwks));
  const token = await hs({ ...base, exp: NOW });
  assert.equal(verify(token, set, { now: NOW + 60, clockSkew: 60 }).sub, 'alice');
  assert.equal(verify(token, set, { now: NOW + 60.9, clockSkew: 60 }).sub, 'alice');
  assert.equal(verify(token, set, { now: BigInt(NOW + 60), clockSkew: 60 }).sub, 'alice');
  assertStatus(() => verify(token, set, { now: BigInt(NOW + 61), clockSkew: 60 }), 'JwtExpired');
  assertStatus(() => verify(token, set, { now: 2n ** 70n }), 'JwtExpired');
});

test('verify uses the system clock when now is absent', async () => {
  const set = Jwks.fromJson(JSON.stringify(hsJwks));
  const wall = Math.floor(Date.now() / 1000);
  const old = await hs({ ...base, iat: 0, exp: 1 });
  assertStatus(() => verify(old, set), 'JwtExpired');
  const later = await hs({ ...base, iat: wall, nbf: wall + 86400 });
  assertStatus(() => verify(later, set), 'JwtNotYetValid');
  const live = await hs({ ...base, iat: wall, exp: wall + 3600 });
  assert.equal(verify(live, set).sub, 'alice');
});

test('verify errors, one per check', async () => {
  const set = Jwks.fromJson(JSON.stringify(hsJwks));
  assertStatus(() => verify('a.b', set, at), 'JwtBadFormat');
  assertStatus(() => verify(hsToken, set, { now: NOW + 3661 }), 'JwtExpired');
  assertStatus(() => verify(hsToken, set, { now: NOW + 3601, clockSkew: 0 }), 'JwtExpired');
  assertStatus(() => verify(hsToken, set, { ...at, issuer: 'https://other' }), 'JwtUnknownIssuer');
  assertStatus(() => verify(hsToken, set, { ...at, audiences: ['other'] }), 'JwtAudienceNotAllowed');
  assertStatus(() => verify(hsToken, set, { ...at, algorithms: ['RS256', 'ES256'] }), 'JwtAlgNotAllowed');
  const [h, p, s] = hsToken.split('.');
  const forged = `${h}.${p}.${s.slice(0, -2)}${s.endsWith('AA') ? 'BA' : 'AA'}`;
  assertStatus(() => verify(forged, set, at), 'JwtVerificationFail');
  const wrongKid = await hs(base, { kid: 'nope' });
  assertStatus(() => verify(wrongKid, set, at), 'JwksKidAlgMismatch');
  const noExp = await hs({ iss: ISS, sub: 'alice' });
  assert.equal(verify(noExp, set, at).sub, 'alice');
  assertStatus(() => verify(noExp, set, { ...at, requireExp: true }), 'JwtMissingExp');
  assertStatus(() => verify(hsToken, set, { ...at, maxLifetime: 60 }), 'JwtLifetimeTooLong');
  assert.equal(verify(hsToken, set, { ...at, maxLifetime: 3610 }).sub, 'alice');
  assertStatus(() => verify(hsToken, set, { ...at, maxTokenBytes: 20 }), 'JwtTooLarge');
  const early = await hs({ ...base, nbf: NOW + 61 });
  assertStatus(() => verify(early, set, at), 'JwtNotYetValid');
});

test('verify with issuer, audiences (Envoy sanitising) and algorithms accepts', () => {
  const set = Jwks.fromJson(JSON.stringify(hsJwks));
  const opts = { ...at, issuer: ISS, audiences: ['https://api/', 'x'], algorithms: ['HS256'] };
  assert.equal(verify(hsToken, set, opts).aud, 'api');
});

test('bad arguments are InvalidArg errors without a status', () => {
  const set = Jwks.fromJson(JSON.stringify(hsJwks));
  const invalid = (fn) =>
    assert.throws(fn, (err) => err instanceof Error && err.code === 'InvalidArg' && err.status === undefined);
  invalid(() => verify(hsToken, set, { clockSkew: -1 }));
  invalid(() => verify(hsToken, set, { clockSkew: 1.5 }));
  invalid(() => verify(hsToken, set, { algorithms: ['none'] }));
  invalid(() => verify(hsToken, set, { now: Number.NaN }));
  invalid(() => verify(hsToken, {}, at));
  invalid(() => verify(42, set, at));
  invalid(() => Jwks.fromJson(42));
  invalid(() => Jwks.fromJson('{}', { maxKeys: -3 }));
});

test('verifyComplete returns header, payload, principal, scopes and keyIndex', async () => {
  const set = Jwks.fromJson(JSON.stringify({ keys: [esJwk, hsJwks.keys[0]] }));
  const token = await hs({ ...base, scope: 'read  write' }, { typ: 'JWT' });
  const r = verifyComplete(token, set, at);
  assert.deepEqual(r.header, { alg: 'HS256', kid: 'hs', typ: 'JWT' });
  assert.deepEqual(r.payload, { ...base, scope: 'read  write' });
  assert.equal(r.principal, `${ISS}/alice`);
  assert.deepEqual(r.scopes, ['read', 'write']);
  assert.equal(r.keyIndex, 1);
  const bare = verifyComplete(await hs({ exp: NOW + 5, scope: ['a', 'b'] }), set, at);
  assert.equal(bare.principal, null);
  assert.deepEqual(bare.scopes, ['a', 'b']);
  assertStatus(() => verifyComplete(hsToken, set, { now: NOW + 9999 }), 'JwtExpired');
});

test('decodeProtectedHeader decodes without verifying; throws parse statuses', () => {
  assert.deepEqual(decodeProtectedHeader(hsToken), { alg: 'HS256', kid: 'hs' });
  assert.deepEqual(decodeProtectedHeader(Buffer.from(hsToken)), { alg: 'HS256', kid: 'hs' });
  assertStatus(() => decodeProtectedHeader('a.b'), 'JwtBadFormat');
  assertStatus(() => decodeProtectedHeader('!!.e30.AA'), 'JwtHeaderParseErrorBadBase64');
  assertStatus(() => decodeProtectedHeader(Buffer.from([0xff, 0x2e, 0x2e])), 'JwtBadFormat');
});

test('statuses() is the shared status table (0-72) plus meshauth codes from 73', () => {
  const table = statuses();
  const shared = vectors('jwt_verify_lib/status.json');
  assert.deepEqual(
    table.slice(0, shared.length).map(({ code, name, message }) => ({ code, name, message })),
    shared,
  );
  assert.ok(table.length > shared.length);
  table.forEach((s, i) => assert.equal(s.code, i));
  assert.equal(table.find((s) => s.name === 'Ok').httpStatus, 200);
  assert.ok(table.filter((s) => s.code >= 73).every((s) => !STATUS.has(s.name) && s.message.length > 0));
});

test('the TypeScript declarations name every export of index.js', () => {
  const here = dirname(fileURLToPath(import.meta.url));
  const dts = readFileSync(join(here, '..', 'index.d.ts'), 'utf8');
  for (const name of Object.keys(meshauth)) {
    assert.match(dts, new RegExp(`export declare (function|class) ${name}\\b`), name);
  }
});
