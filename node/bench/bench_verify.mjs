// Issue #11, Node side: meshauth.verify (options per call) and a meshauth Verifier built once
// ('meshauth-verifier') against jose.jwtVerify (local JWKS and single key), fast-jwt (no token
// cache) and jsonwebtoken, per algorithm, on the shared fixtures.
//
//   node node/bench/bench_verify.mjs FIXTURES.json OUT.json [repeats]
//
// Every contender checks the signature, iss, aud and exp (60 s tolerance). Times are process CPU
// time (process.cpuUsage: all threads, so jose's WebCrypto work on the libuv pool counts; time
// spent descheduled on the shared machine does not). Each round times one
// batch of every contender back to back (interleaved, so machine noise hits them alike; the order
// is reversed every other round); the per-op figure is the median over rounds, and each
// contender's paired_ratio is the median over rounds of its time over meshauth-verifier's in
// that round. jose is async (WebCrypto): it is awaited per call,
// as applications do.
import { createRequire } from 'node:module';
import { createPublicKey } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import * as jose from 'jose';
import { createVerifier } from 'fast-jwt';

const require = createRequire(import.meta.url);
const meshauth = require('../index.js');
const jsonwebtoken = require('jsonwebtoken');

const [fixturesPath, outPath, repeatsArg] = process.argv.slice(2);
const fx = JSON.parse(readFileSync(fixturesPath, 'utf8'));
const REPEATS = Number(repeatsArg || 9);
const BATCH_NS = 80e6;
/** The contender every paired ratio is taken against. */
const REF = 'meshauth-verifier';

function cpuNs() {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
}

async function calibrate(fn, isAsync) {
  let n = 1;
  for (;;) {
    n *= 2;
    const t0 = cpuNs();
    if (isAsync) for (let i = 0; i < n; i++) await fn();
    else for (let i = 0; i < n; i++) fn();
    const t = cpuNs() - t0;
    if (t > BATCH_NS / 4) return Math.max(1, Math.round((n * BATCH_NS) / t));
  }
}

async function measure(contenders) {
  const sizes = {};
  for (const [k, c] of Object.entries(contenders)) sizes[k] = await calibrate(c.fn, c.async);
  const samples = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
  for (let r = 0; r < REPEATS; r++) {
    // Alternate the order, so a contender is not always the one timed after the same other.
    const order = Object.entries(contenders);
    if (r % 2) order.reverse();
    for (const [k, { fn, async: isAsync }] of order) {
      const n = sizes[k];
      const t0 = cpuNs();
      if (isAsync) for (let i = 0; i < n; i++) await fn();
      else for (let i = 0; i < n; i++) fn();
      samples[k].push((cpuNs() - t0) / n);
    }
  }
  const median = (a) => {
    const s = [...a].sort((x, y) => x - y);
    const m = s.length >> 1;
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
  };
  // Each round's time over meshauth-verifier's in the same round: machine drift between rounds
  // hits both sides of a ratio alike. The report's ratios are the medians of these.
  const ref = samples[REF];
  return Object.fromEntries(
    Object.entries(samples).map(([k, v]) => [k, {
      median_ns: median(v),
      min_ns: Math.min(...v),
      runs: v.length,
      batch: sizes[k],
      paired_ratio: median(v.map((t, i) => t / ref[i])),
    }]),
  );
}

function sameClaims(a, b) {
  return JSON.stringify(a, Object.keys(a).sort()) === JSON.stringify(b, Object.keys(b).sort());
}

const out = { versions: { node: process.version }, repeats: REPEATS, verify: {} };
for (const m of ['jose', 'fast-jwt', 'jsonwebtoken']) {
  out.versions[m] = require(`${m}/package.json`).version;
}

for (const [alg, f] of Object.entries(fx.algs)) {
  const { token } = f;
  const issuer = fx.issuer;
  const audience = fx.audience;
  const ks = meshauth.Jwks.fromJson(f.jwks);
  const joseKey = await jose.importJWK(f.jwk, alg);
  const hmac = alg.startsWith('HS');
  const localSet = hmac ? null : jose.createLocalJWKSet(JSON.parse(f.jwks));
  const secret = hmac ? Buffer.from(f.jwk.k, 'base64url') : null;
  const keyObject = hmac ? null : createPublicKey({ key: f.jwk, format: 'jwk' });
  const pem = hmac ? null : keyObject.export({ type: 'spki', format: 'pem' });
  const fast = createVerifier({
    key: hmac ? secret : pem,
    algorithms: [alg],
    allowedIss: issuer,
    allowedAud: audience,
    clockTolerance: 60000,
    cache: false,
  });
  const opts = { issuer, audience, algorithms: [alg], clockTolerance: 60 };
  const verifier = new meshauth.Verifier(ks, { issuer, audiences: [audience] });
  const contenders = {
    meshauth: { fn: () => meshauth.verify(token, ks, { issuer, audiences: [audience] }) },
    'meshauth-verifier': { fn: () => verifier.verify(token) },
    'jose-key': { fn: () => jose.jwtVerify(token, joseKey, opts), async: true },
    'fast-jwt': { fn: () => fast(token) },
  };
  // jose's local JWKS refuses symmetric keys.
  if (!hmac) contenders['jose-jwks'] = { fn: () => jose.jwtVerify(token, localSet, opts), async: true };
  // jsonwebtoken 9 has no EdDSA.
  if (alg !== 'EdDSA') {
    const key = hmac ? secret : keyObject;
    contenders.jsonwebtoken = { fn: () => jsonwebtoken.verify(token, key, { ...opts, clockTolerance: 60 }) };
  }
  // Same answer from every contender before timing anything.
  for (const [k, c] of Object.entries(contenders)) {
    let claims = await c.fn();
    if (claims && claims.payload) claims = claims.payload;
    if (!sameClaims(claims, fx.claims)) throw new Error(`${alg} ${k}: ${JSON.stringify(claims)}`);
  }
  const r = await measure(contenders);
  out.verify[alg] = r;
  console.log(alg.padEnd(6), Object.entries(r).map(([k, v]) => `${k} ${(v.median_ns / 1000).toFixed(2)} us`).join('  '));
}
writeFileSync(outPath, JSON.stringify(out, null, 1));
