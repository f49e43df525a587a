// Before/after of the Node binding's per-call cost, in one process, interleaved.
//
//   node bench/ab_bindings.mjs FIXTURES.json BEFORE/index.js AFTER/index.js node/bench [ROUNDS]
//
// Two copies of the package (index.js beside its meshauth.node; paths absolute or relative to
// the working directory); AFTER must have Verifier. Times the before build's verify, the after
// build's verify and Verifier.verify, and fast-jwt's createVerifier (cache: false; resolved from
// node/bench) round-robin (process CPU time, median over rounds).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createPublicKey } from 'node:crypto';
import { resolve } from 'node:path';
const [fxPath, beforeArg, afterArg, benchArg, roundsArg] = process.argv.slice(2);
const [beforePath, afterPath, benchDir] = [beforeArg, afterArg, benchArg].map((p) => resolve(p));
const require = createRequire(benchDir + '/x.js');
const { createVerifier } = require('fast-jwt');
const before = require(beforePath), after = require(afterPath);
const fx = JSON.parse(readFileSync(fxPath, 'utf8')); const { issuer, audience } = fx;
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) * 1000; };
const R = Number(roundsArg || 15);
for (const alg of ['HS256', 'RS256', 'ES256', 'EdDSA']) {
  const f = fx.algs[alg]; const tok = f.token; const hmac = alg.startsWith('HS');
  const kb = before.Jwks.fromJson(f.jwks), ka = after.Jwks.fromJson(f.jwks);
  const v = new after.Verifier(ka, { issuer, audiences: [audience] });
  const key = hmac ? Buffer.from(f.jwk.k, 'base64url') : createPublicKey({ key: f.jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
  const fast = createVerifier({ key, algorithms: [alg], allowedIss: issuer, allowedAud: audience, clockTolerance: 60000, cache: false });
  const c = {
    'before verify': () => before.verify(tok, kb, { issuer, audiences: [audience] }),
    'after verify': () => after.verify(tok, ka, { issuer, audiences: [audience] }),
    'after Verifier': () => v.verify(tok),
    'fast-jwt': () => fast(tok),
  };
  for (const fn of Object.values(c)) if (fn().sub !== fx.claims.sub) throw new Error(alg);
  const n = hmac ? 20000 : 1500;
  const s = Object.fromEntries(Object.keys(c).map((k) => [k, []]));
  for (const fn of Object.values(c)) for (let i = 0; i < n; i++) fn();
  for (let r = 0; r < R; r++) for (const [k, fn] of Object.entries(c)) {
    const t0 = cpu(); for (let i = 0; i < n; i++) fn(); s[k].push((cpu() - t0) / n / 1000);
  }
  const med = Object.fromEntries(Object.entries(s).map(([k, v]) => { v.sort((a, b) => a - b); return [k, v[v.length >> 1]]; }));
  console.log(alg, Object.entries(med).map(([k, m]) => `${k} ${m.toFixed(2)}`).join('  '),
    `| fast/before ${(med['fast-jwt'] / med['before verify']).toFixed(2)}x fast/after-verify ${(med['fast-jwt'] / med['after verify']).toFixed(2)}x fast/Verifier ${(med['fast-jwt'] / med['after Verifier']).toFixed(2)}x`);
}
