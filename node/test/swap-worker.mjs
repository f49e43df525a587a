// One verifier thread of workers.test.mjs: loads the addon in its own isolate, follows the key-set
// generation the main thread publishes in shared memory (rebuilding its key set from JSON when it
// moves: A when even, B when odd) and checks every answer against the case's answer for the
// generation it verified under. Reports {checked, wrong, generations seen} to the main thread.
import { parentPort, workerData } from 'node:worker_threads';
import { meshauth } from './helpers.mjs';

const { Jwks, verify } = meshauth;
const { id, rounds, cases, docs, issuer, now, generation } = workerData;
const gen = new Int32Array(generation);
let g = Atomics.load(gen, 0);
let keys = Jwks.fromJson(docs[g % 2]);
const seen = new Set([g]);
const wrong = [];
// `rounds` verifications, and on until this worker has seen the key set change (however the
// threads are scheduled), up to a cap.
let i = 0;
for (; i < rounds || (seen.size < 2 && i < 5e6); i++) {
  const latest = Atomics.load(gen, 0);
  if (latest !== g) {
    g = latest;
    keys = Jwks.fromJson(docs[g % 2]);
    seen.add(g);
  }
  const c = cases[(i * 7 + id) % cases.length];
  let got = 'Ok';
  try {
    verify(c.token, keys, { issuer, now });
  } catch (err) {
    if (typeof err.status !== 'number') throw err;
    got = err.code;
  }
  const want = g % 2 === 0 ? c.underA : c.underB;
  if (got !== want) wrong.push(`worker ${id} generation ${g} ${c.id}: ${got}, want ${want}`);
}
parentPort.postMessage({ checked: i, wrong, generations: seen.size });
