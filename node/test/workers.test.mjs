// worker_threads: 8 workers verify mixed valid and invalid tokens (tests/vectors/keyset_swap.json,
// HS256-signed here with node:crypto) while the main thread swaps the key-set generation. Every
// worker loads the addon in its own isolate (napi objects cannot cross isolates, so each worker
// holds its own Jwks and rebuilds it from JSON when the generation moves); the native code runs
// truly in parallel. Expected answers are the file's, fixed by which key signed which token.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

const swap = JSON.parse(
  readFileSync(new URL('../../tests/vectors/keyset_swap.json', import.meta.url), 'utf8'),
);
const b64url = (buf) => Buffer.from(buf).toString('base64url');

function caseToken(c) {
  if (c.raw !== undefined) return c.raw;
  if (c.repeat !== undefined) return c.repeat.unit.repeat(c.repeat.count);
  const signed = `${b64url(c.header)}.${b64url(c.claims)}`;
  const mac = createHmac('sha256', Buffer.from(swap.keys[c.sign_with], 'hex')).update(signed).digest();
  let token = `${signed}.${b64url(mac)}`;
  if (c.replace_tail !== undefined) {
    assert.ok(!token.endsWith(c.replace_tail));
    token = token.slice(0, -c.replace_tail.length) + c.replace_tail;
  }
  return token;
}

const keySet = (name) =>
  JSON.stringify({
    keys: swap.sets[name].map((kid) => ({
      kty: 'oct',
      kid,
      k: b64url(Buffer.from(swap.keys[kid], 'hex')),
    })),
  });

test('8 worker_threads verify while the key set is swapped: no wrong answer', async () => {
  const cases = swap.cases.map((c) => ({
    id: c.id,
    token: caseToken(c),
    underA: c.under_a,
    underB: c.under_b,
  }));
  const generation = new SharedArrayBuffer(4);
  const gen = new Int32Array(generation);
  const rounds = 3000;
  const workers = Array.from(
    { length: 8 },
    (_, id) =>
      new Worker(new URL('./swap-worker.mjs', import.meta.url), {
        workerData: {
          id,
          rounds,
          cases,
          docs: [keySet('A'), keySet('B')],
          issuer: swap.issuer,
          now: swap.now,
          generation,
        },
      }),
  );
  const results = workers.map(
    (w) =>
      new Promise((resolve, reject) => {
        let report;
        w.on('message', (m) => {
          report = m;
        });
        w.on('error', reject);
        w.on('exit', (code) => (code === 0 && report ? resolve(report) : reject(new Error(`exit ${code}`))));
      }),
  );
  let finished = false;
  const all = Promise.all(results).finally(() => {
    finished = true;
  });
  // The swapper: a new generation on every turn of the event loop while the workers run.
  while (!finished || Atomics.load(gen, 0) < 50) {
    Atomics.add(gen, 0, 1);
    await new Promise((r) => setImmediate(r));
  }
  const reports = await all;
  assert.deepEqual(
    reports.flatMap((r) => r.wrong),
    [],
  );
  for (const r of reports) {
    assert.ok(r.checked >= rounds);
    assert.ok(r.generations >= 2, 'the key set changed under every worker');
  }
  assert.ok(Atomics.load(gen, 0) >= 50);
  console.log(`generations seen per worker: ${reports.map((r) => r.generations).join(' ')}`);
});
