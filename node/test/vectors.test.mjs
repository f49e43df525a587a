// The shared vectors through Node: jwt_verify_lib's verify cases (without the signature-fuzz
// families, which the Rust suite expands) and the security corpus, each with its expected status.
import assert from 'node:assert/strict';
import { test } from 'node:test';
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
