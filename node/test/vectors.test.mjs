// The shared vectors through Node: jwt_verify_lib's verify cases (without the signature-fuzz
// families, which the Rust suite expands), the security corpus and the project's own attack
// catalogue (tests/vectors), each with its expected status.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { meshauth, vectors, outcome, STATUS } from './helpers.mjs';

const { Jwks, verify } = meshauth;

/** `strict_<field>` when the case has one (meshauth's answer), else the original field. */
const want = (c, field) => c[`strict_${field}`] ?? c[field];

function keySet(c, text) {
  switch (c.jwks_type) {
    case 'jwks':
      return Jwks.fromJson(text);
    case 'pem':
      return Jwks.fromPem(text, c.pem_alg ? { alg: c.pem_alg } : {});
    default:
      return Jwks.empty();
  }
}

const verifyCases = vectors('jwt_verify_lib/verify.json').filter(
  (c) => c.api !== 'verifyTimeConstraint' && !c.mutate,
);

test('verify.json has the non-mutated verify cases', () => {
  assert.equal(verifyCases.length, 51);
});

for (const c of verifyCases) {
  const runs = [{ label: c.name, strict: true }];
  if (c.strict_equivalent) runs.push({ label: `${c.name} [strict_equivalent]`, strict: false });
  for (const { label, strict } of runs) {
    test(`verify.json ${label}`, () => {
      const eq = strict ? {} : c.strict_equivalent;
      const pick = (f) => (strict ? want(c, f) : c[f]);
      const token = eq.token ?? c.token;
      let jwks;
      const gotJwks = outcome(() => {
        jwks = keySet(c, eq.jwks ?? c.jwks);
      });
      assert.equal(gotJwks, pick('expect_jwks'), 'key set status');
      if (gotJwks !== 'Ok') return;
      const options = { now: Number(c.now), clockSkew: c.clock_skew };
      if (c.audiences) options.audiences = c.audiences;
      const expected = pick('expect_parse') !== 'Ok' ? pick('expect_parse') : pick('expect');
      assert.equal(outcome(() => verify(token, jwks, options)), expected);
    });
  }
}

const attacks = vectors('security/jwt_attacks.json');
// meshauth's documented answers where they differ from the corpus (shared with the Rust and
// Python suites, so every surface expects the same statuses).
const { overrides: OVERRIDES } = JSON.parse(
  readFileSync(new URL('../../tests/vectors/attack_overrides.json', import.meta.url), 'utf8'),
);

test('jwt_attacks.json: all 167 cases run; every override names a case', () => {
  assert.equal(attacks.cases.length, 167);
  const ids = new Set(attacks.cases.map((c) => c.id));
  for (const id of Object.keys(OVERRIDES)) assert.ok(ids.has(id), id);
});

for (const c of attacks.cases) {
  const { expect, status: wantStatus } = OVERRIDES[c.id] ?? c;
  test(`jwt_attacks.json ${c.id}`, () => {
    const doc = c.jwks_inline ?? attacks.jwks[c.jwks];
    const { issuer, audiences, now, clock_skew: clockSkew } = attacks.validation;
    let jwks;
    const built = outcome(() => {
      jwks = Jwks.fromJson(JSON.stringify(doc));
    });
    if (built !== 'Ok') {
      // No usable key: Envoy answers JwksNoValidKeys; the set's own status is the first refused
      // key's (`jwks_status` when it is a status name).
      assert.equal(wantStatus, 'JwksNoValidKeys', `key set refused with ${built}`);
      if (STATUS.has(c.jwks_status)) assert.equal(built, c.jwks_status);
      else assert.match(built, /^Jwks/);
      return;
    }
    if (c.jwks_status?.startsWith('Ok')) assert.equal(built, 'Ok');
    const got = outcome(() => verify(c.token, jwks, { issuer, audiences, now, clockSkew }));
    assert.equal(got, wantStatus);
    assert.equal(got === 'Ok', expect === 'accept');
  });
}

// The project's own catalogue (tests/vectors): extra_attacks.json (HS256 tokens signed here with
// node:crypto) and attacks_extra_keys.json (made by tools/gen_attack_keys.py), with the statuses
// the Rust, C and Python suites expect.
const project = (name) =>
  JSON.parse(readFileSync(new URL(`../../tests/vectors/${name}`, import.meta.url), 'utf8'));
const extra = project('extra_attacks.json');
const extraKeys = project('attacks_extra_keys.json');
const b64url = (buf) => Buffer.from(buf).toString('base64url');

test('project catalogues: 75 extra cases, 97 cases with keys (some accepted)', () => {
  assert.equal(extra.cases.length, 75);
  assert.equal(extraKeys.cases.length, 97);
  assert.ok(extraKeys.cases.filter((c) => c.expect === 'accept').length >= 6);
});

for (const c of extra.cases) {
  test(`extra_attacks.json ${c.id}`, () => {
    const key = Buffer.alloc(32, 7);
    const signed = `${b64url('{"alg":"HS256"}')}.${b64url(c.claims)}`;
    const mac = createHmac('sha256', key).update(signed).digest();
    const token = `${signed}.${b64url(mac)}${c.append_to_signature ?? ''}`;
    const jwks = Jwks.fromJson(JSON.stringify({ keys: [{ kty: 'oct', k: b64url(key) }] }));
    const options = { now: c.now ?? 1700000000 };
    if (c.issuer !== undefined) options.issuer = c.issuer;
    if (c.audiences !== undefined) options.audiences = c.audiences;
    assert.equal(outcome(() => verify(token, jwks, options)), c.status);
  });
}

function extraKeysToken(c) {
  if (c.token_hex !== undefined) return Buffer.from(c.token_hex, 'hex');
  if (c.token_repeat !== undefined) return c.token_repeat.unit.repeat(c.token_repeat.count);
  return c.token;
}

function extraKeysSet(c) {
  if (c.pem !== undefined) return Jwks.fromPem(extraKeys.pem[c.pem]);
  return Jwks.fromJson(JSON.stringify(c.jwks_inline ?? extraKeys.jwks[c.jwks]));
}

for (const c of extraKeys.cases) {
  test(`attacks_extra_keys.json ${c.id}`, () => {
    const { issuer, audiences, now, clock_skew: clockSkew } = extraKeys.validation;
    let jwks;
    const load = outcome(() => {
      jwks = extraKeysSet(c);
    });
    assert.equal(load, c.jwks_status ?? 'Ok', 'key set status');
    if (load !== 'Ok') {
      assert.equal(c.status, 'JwksNoValidKeys');
      return;
    }
    const got = outcome(() => verify(extraKeysToken(c), jwks, { issuer, audiences, now, clockSkew }));
    assert.equal(got, c.status);
    assert.equal(got === 'Ok', c.expect === 'accept');
  });
}
