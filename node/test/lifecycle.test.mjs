// Key-set comparison, thumbprints, certificates, rotation and trust bundles. Expected answers
// come from the shared vectors, meshauth's documented answers for Istio's cases (the table of
// core/tests/jwks_compare.rs, restated), Istio's rotation rows, jose and node:crypto.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as jose from 'jose';
import { meshauth, vectors, assertStatus, SHARED } from './helpers.mjs';

const {
  jwksChanged, jwksDiff, jwkThumbprint, canonicalJwks, certInfo, certExpiry, rotationDelay,
  mergeTrustBundles,
} = meshauth;

// meshauth's answer for each of Istio's compareJWKSResponse cases (issue #4): true/false, or the
// status name of the error. Restated from core/tests/jwks_compare.rs.
const EXPECTED_CHANGED = {
  testEquivalentStrings: false, testReorderedKeys: false, testBothNoKidSame: false,
  testBothExtraElements: false, testDifferentKeys: true, testOldJsonParseFailure: true,
  testNewNoKid: true, testOldNoKid: true, testBothNoKidDifferent: true, testOldNoKeys: true,
  testNewExtraElements: true, testOldExtraElements: true, testNewJsonParseFailure: 'JwksParseError',
  testNewNoKeys: 'JwksNoKeys', testBothNoKeysSame: 'JwksNoKeys', testBothNoKeysDifferent: 'JwksNoKeys',
  cyclic_less_same_set_permuted: false, nokid_same_member_count_swapped: false,
  duplicate_kid_swapped: false, number_1_vs_1e0: false, member_order_and_whitespace: false,
  unicode_escape_vs_literal: false, bigint_beyond_2pow53: true,
  duplicate_member_last_wins: 'JwksParseError', toplevel_member_outside_keys: true,
  new_is_null: 'JwksParseError', new_is_array: 'JwksParseError', new_is_empty_string: 'JwksParseError',
  old_is_empty_string: true, both_no_keys_same_content_other_whitespace: 'JwksNoKeys',
  keys_is_object_on_both_sides: 'JwksBadKeys', non_object_entries_reordered: 'JwksKeyNotObject',
  identical_garbage: 'JwksParseError',
};

test('jwksChanged over Istio\'s compare_jwks_response cases gives meshauth\'s documented answers', () => {
  const v = vectors('istio-samples/compare_jwks_response_cases.json');
  const text = (s) => v.fixtures[s] ?? s;
  const cases = [
    ...v.upstream_cases.map((c) => [c.name, text(c.old), text(c.new)]),
    ...v.quirk_cases.map((c) => [c.name, c.old, c.new]),
  ];
  assert.equal(cases.length, 33);
  for (const [name, old, newer] of cases) {
    const want = EXPECTED_CHANGED[name];
    assert.notEqual(want, undefined, `${name} has an expectation`);
    if (typeof want === 'boolean') {
      assert.equal(jwksChanged(old, newer), want, name);
      // Bytes and strings are the same input.
      assert.equal(jwksChanged(Buffer.from(old), Buffer.from(newer)), want, name);
    } else {
      assertStatus(() => jwksChanged(old, newer), want);
    }
  }
});

test('jwksChanged and canonicalJwks accept objects; canonical forms are equal exactly when unchanged', () => {
  const a = { keys: [{ kid: 'a', kty: 'oct', k: 'AAAA' }, { kid: 'b', kty: 'oct', k: 'BBBB' }] };
  const b = '{"keys":[{"k":"BBBB","kty":"oct","kid":"b"},{"kty":"oct","kid":"\\u0061","k":"AAAA"}]}';
  assert.equal(jwksChanged(a, b), false);
  assert.equal(canonicalJwks(a), canonicalJwks(b));
  assert.equal(canonicalJwks(a), '{"keys":[{"k":"AAAA","kid":"a","kty":"oct"},{"k":"BBBB","kid":"b","kty":"oct"}]}');
  assert.equal(jwksChanged(a, { keys: [a.keys[0]] }), true);
  assertStatus(() => canonicalJwks('{"keys":[1]}'), 'JwksKeyNotObject');
  assertStatus(() => canonicalJwks('nope'), 'JwksParseError');
  assert.throws(() => jwksChanged(a, 42), { code: 'InvalidArg' });
});

test('jwksDiff names keys by kid, else thumbprint (checked with jose), else digest', async () => {
  const noKid = { kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' };
  const old = { keys: [{ kid: 'stay', kty: 'oct', k: 'AA' }, { kid: 'gone', kty: 'oct', k: 'BB' }, { kid: 'edit', kty: 'oct', k: 'CC' }] };
  const newer = { keys: [{ kid: 'stay', kty: 'oct', k: 'AA' }, { kid: 'edit', kty: 'oct', k: 'CD' }, noKid, { use: 'sig' }] };
  const d = jwksDiff(old, newer);
  const thumb = await jose.calculateJwkThumbprint(noKid, 'sha256');
  assert.equal(d.changed, true);
  assert.deepEqual(d.removed, [{ kind: 'kid', name: 'gone' }]);
  assert.deepEqual(d.modified, [{ kind: 'kid', name: 'edit' }]);
  assert.equal(d.added.length, 2);
  assert.deepEqual(d.added.find((k) => k.kind === 'thumbprint'), { kind: 'thumbprint', name: thumb });
  assert.match(d.added.find((k) => k.kind === 'digest').name, /^[A-Za-z0-9_-]{43}$/);
  assert.deepEqual(jwksDiff(newer, newer), { changed: false, added: [], removed: [], modified: [] });
  // An unusable old document reads as empty; an unusable new one throws.
  assert.deepEqual(jwksDiff('garbage', old).added.map((k) => k.name), ['edit', 'gone', 'stay']);
  assertStatus(() => jwksDiff(old, '{}'), 'JwksNoKeys');
});

test('jwkThumbprint matches RFC 7638 / RFC 8037 and jose; errors carry statuses', async () => {
  const v = vectors('rfc7638.json');
  for (const row of [v, ...v.additional]) {
    assert.equal(jwkThumbprint(row.jwk), row.thumbprint_sha256_b64url);
    assert.equal(jwkThumbprint(JSON.stringify(row.jwk)), row.thumbprint_sha256_b64url);
    assert.equal(Buffer.from(jwkThumbprint(row.jwk), 'base64url').toString('hex'), row.sha256_hex);
  }
  const { publicKey } = await jose.generateKeyPair('ES384', { extractable: true });
  const jwk = await jose.exportJWK(publicKey);
  assert.equal(jwkThumbprint(jwk), await jose.calculateJwkThumbprint(jwk, 'sha256'));
  assertStatus(() => jwkThumbprint('[]'), 'JwksParseError');
  assertStatus(() => jwkThumbprint({ n: 'x' }), 'JwksMissingKty');
  assertStatus(() => jwkThumbprint({ kty: 'RSA', e: 'AQAB' }), 'JwksRSAKeyMissingN');
  assertStatus(() => jwkThumbprint({ kty: 'XYZ' }), 'JwksNotImplementedKty');
});

// Statuses of the rejected x509 vectors (restated from core/tests/cert_vectors.rs).
const REJECT = {
  'istio_cert-parse-fail.pem': 'CertBadPem',
  'x509-parser_no_end.pem': 'CertBadPem',
  'istio_root-ca-bundle-with-graceful-failures.pem': 'CertMalformed',
};
const x509 = (file) => readFileSync(join(SHARED, 'vectors', 'x509', file));

test('certInfo and certExpiry over shared/vectors/x509 match expected.json', () => {
  const expected = vectors('x509/expected.json');
  let certs = 0;
  let parseable = 0;
  for (const [file, v] of Object.entries(expected)) {
    const want = Array.isArray(v) ? v : [v];
    const data = x509(file);
    if (want.every((w) => w.expect === 'parse' || w.expect === 'parse_or_skip')) {
      const got = certInfo(data);
      assert.equal(got.length, want.length, file);
      want.forEach((w, i) => {
        assert.equal(got[i].notBefore, w.not_before_unix, `${file} #${i}`);
        assert.equal(got[i].notAfter, w.not_after_unix, `${file} #${i}`);
        assert.equal(got[i].subject, w.subject, `${file} #${i}`);
      });
      assert.equal(certExpiry(data), want[0].not_after_unix, file);
      certs += got.length;
      parseable += want.length;
    } else if (want.some((w) => w.expect === 'reject_strict')) {
      assertStatus(() => certInfo(data), 'CertMalformed');
    } else {
      assertStatus(() => certInfo(data), REJECT[file]);
    }
  }
  assert.equal(certs, parseable);
  assert.ok(certs >= 20, 'most vector certificates are checked');
});

test('certInfo fields agree with node:crypto X509Certificate', () => {
  for (const file of ['go_testcert_localhost.pem', 'istio_ecc-int2-cert-chain.pem', 'istio_apiserver.crt']) {
    const text = x509(file).toString('latin1');
    const pems = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
    const got = certInfo(text);
    assert.equal(got.length, pems.length, file);
    pems.forEach((pem, i) => {
      const c = new X509Certificate(pem);
      assert.equal(got[i].fingerprint, c.fingerprint256.replaceAll(':', '').toLowerCase(), file);
      // Both are the hex of the serial's bytes (a DER sign byte 00 dropped).
      assert.equal(got[i].serial, c.serialNumber.replace(/^(00)+(?=..)/, ''), file);
      assert.equal(got[i].isCa, c.ca, file);
      const dns = (c.subjectAltName ?? '').split(', ').filter((s) => s.startsWith('DNS:')).map((s) => s.slice(4));
      assert.deepEqual(got[i].dnsNames, dns, file);
      assert.equal(got[i].notAfter, Date.parse(c.validTo) / 1000, file);
      assert.equal(typeof got[i].issuer, 'string');
      assert.equal(got[i].spiffeId, undefined);
    });
  }
});

test('certInfo and certExpiry errors', () => {
  assertStatus(() => certInfo('no certificate here'), 'CertNotFound');
  assertStatus(() => certExpiry('no certificate here'), 'CertNotFound');
  assertStatus(() => certInfo(x509('x509-parser_no_end.pem')), 'CertBadPem');
  assertStatus(() => certInfo(Buffer.alloc((1 << 20) + 1, 0x41)), 'CertTooLarge');
});

test('rotationDelay reproduces Istio\'s TestRotateTimeNoJitter rows (seconds)', () => {
  const NOW = 1_700_000_000;
  const MIN = 60;
  const HOUR = 3600;
  // [name, created, expire, ratio, expected delay]
  const rows = [
    ['already expired', NOW - 2, NOW - 1, 0.5, 0],
    ['grace period .50', NOW, NOW + HOUR, 0.5, 30 * MIN],
    ['grace period .25', NOW, NOW + HOUR, 0.25, 45 * MIN],
    ['grace period .75', NOW, NOW + HOUR, 0.75, 15 * MIN],
    ['grace period 1', NOW, NOW + HOUR, 1, 0],
    ['grace period 0', NOW, NOW + HOUR, 0, HOUR],
    ['grace period .25 shifted', NOW + 30 * MIN, NOW + 90 * MIN, 0.25, 75 * MIN],
    ['jitter cannot make grace ratio exceed 1', NOW, NOW + HOUR, 1, 0],
  ];
  for (const [name, created, expire, ratio, want] of rows) {
    assert.equal(rotationDelay(NOW, created, expire, ratio), want, name);
  }
  // Default grace ratio 0.5: a 24 h certificate rotates after 12 h.
  assert.equal(rotationDelay(NOW, NOW, NOW + 24 * HOUR), 12 * HOUR);
  // Istio's field comment: ratio 0.10 and a 1 h TTL refresh 6 minutes before expiry.
  assert.equal(rotationDelay(NOW, NOW, NOW + HOUR, 0.1), 54 * MIN);
  assertStatus(() => rotationDelay(NOW, NOW, NOW, 0.5), 'RotationInvalidInput');
  assertStatus(() => rotationDelay(NOW, NOW, NOW + HOUR, 1.5), 'RotationInvalidInput');
  assert.throws(() => rotationDelay(NaN, NOW, NOW + HOUR), { code: 'InvalidArg' });
});

test('mergeTrustBundles: canonical, distinct, order-independent; bad blocks throw', () => {
  const a = x509('istio_ecc-int2-cert-chain.pem').toString();
  const b = x509('go_testcert_localhost.pem').toString();
  const merged = mergeTrustBundles(a, b);
  const blocks = merged.match(/-----BEGIN CERTIFICATE-----\n[\s\S]+?\n-----END CERTIFICATE-----\n/g);
  assert.equal(blocks.join(''), merged, 'only certificate blocks, each ending in a newline');
  assert.deepEqual([...blocks].sort(), blocks, 'sorted by block text');
  for (const blk of blocks) {
    for (const line of blk.split('\n').slice(1, -2)) assert.ok(line.length <= 64);
  }
  // The same certificates (by node:crypto's fingerprints), each once.
  const fp = (pem) => new X509Certificate(pem).fingerprint256;
  const inputs = [a, b].flatMap((t) => t.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g));
  assert.deepEqual(blocks.map(fp).sort(), [...new Set(inputs.map(fp))].sort());
  assert.equal(mergeTrustBundles(b, a), merged);
  assert.equal(mergeTrustBundles(merged, a.replaceAll('\n', '\r\n')), merged);
  assert.equal(mergeTrustBundles(Buffer.from(a), ''), mergeTrustBundles(a, a));
  assertStatus(() => mergeTrustBundles(a, x509('istio_root-ca-bundle-with-graceful-failures.pem')), 'CertMalformed');
  assertStatus(() => mergeTrustBundles(a, x509('x509-parser_no_end.pem')), 'CertBadPem');
});
