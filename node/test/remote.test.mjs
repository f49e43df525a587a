// createRemoteJWKSet and the Scheduler against a local node:http server on 127.0.0.1, side by
// side with jose's createRemoteJWKSet where the behaviour is meant to match. Fetches are counted
// by the server. Timeouts are tens of milliseconds; nothing waits on the wall clock otherwise.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import * as jose from 'jose';
import { meshauth, STATUS } from './helpers.mjs';

const { createRemoteJWKSet, jwtVerify, Scheduler } = meshauth;

const pairs = await Promise.all([1, 2, 3].map(() => jose.generateKeyPair('ES256', { extractable: true })));
const jwkOf = async (i) => ({ ...(await jose.exportJWK(pairs[i].publicKey)), kid: `k${i}`, alg: 'ES256' });
const JWK = await Promise.all([0, 1, 2].map(jwkOf));

/** An ES256 token signed with key `i` (kid `k<i>`, or `kid`), valid for 10 minutes from now. */
function token(i, kid = `k${i}`) {
  const now = Math.floor(Date.now() / 1000);
  return new jose.SignJWT({ sub: 'alice', iat: now, exp: now + 600 })
    .setProtectedHeader({ alg: 'ES256', kid })
    .sign(pairs[i].privateKey);
}

/**
 * Per-path server state: `body` (object served as JSON), `status`, `delay` (ms) and `hits`.
 * @type {Map<string, { body: unknown, status: number, delay: number, hits: number }>}
 */
const routes = new Map();
let base;
const server = createServer((req, res) => {
  const r = routes.get(req.url);
  if (!r) {
    res.writeHead(404).end();
    return;
  }
  r.hits += 1;
  const send = () => {
    res.writeHead(r.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(r.body));
  };
  if (r.delay > 0) setTimeout(send, r.delay).unref();
  else send();
});
before(async () => {
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${server.address().port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

let n = 0;
/** A fresh route serving `keys`; returns its state and URL. */
function route(keys) {
  const path = `/jwks-${(n += 1)}`;
  const r = { body: { keys }, status: 200, delay: 0, hits: 0 };
  routes.set(path, r);
  return { r, url: `${base}${path}` };
}

const settle = (p) => p.then((v) => ({ ok: true, v }), (err) => ({ ok: false, err }));

test('rotation: a new kid is refetched once, like jose', async () => {
  for (const impl of ['meshauth', 'jose']) {
    const { r, url } = route([JWK[0]]);
    const set = impl === 'jose'
      ? jose.createRemoteJWKSet(new URL(url), { cooldownDuration: 0 })
      : createRemoteJWKSet(url, { allowHttp: true, cooldownDuration: 0 });
    const verifyWith = impl === 'jose' ? jose.jwtVerify : jwtVerify;
    assert.equal((await verifyWith(await token(0), set)).payload.sub, 'alice', impl);
    assert.equal(r.hits, 1, impl);
    await sleep(5); // past the (1 ms) cooldown
    r.body = { keys: [JWK[0], JWK[1]] };
    assert.equal((await verifyWith(await token(1), set)).protectedHeader.kid, 'k1', impl);
    assert.equal(r.hits, 2, `${impl}: one refetch`);
    // Known kids are served from the cache.
    await verifyWith(await token(0), set);
    assert.equal(r.hits, 2, impl);
  }
});

test('http URLs need allowHttp', () => {
  assert.throws(() => createRemoteJWKSet(`${base}/x`), { code: 'DiscoveryBadJwksUri' });
  assert.throws(() => createRemoteJWKSet(`${base}/x`, { discovery: true }), { code: 'DiscoveryBadJwksUri' });
  assert.throws(() => createRemoteJWKSet(42), { code: 'InvalidArg' });
  assert.throws(() => createRemoteJWKSet('https://x.example', { timeoutDuration: -1 }), { code: 'InvalidArg' });
});

test('outage: a 500 keeps the stale keys verifying (jose rejects)', async () => {
  const { r, url } = route([JWK[0]]);
  const set = createRemoteJWKSet(url, { allowHttp: true, cacheMaxAge: 0 });
  const t = await token(0);
  await jwtVerify(t, set);
  r.status = 500;
  await sleep(5); // past cacheMaxAge: the next call refetches
  assert.equal((await jwtVerify(t, set)).payload.sub, 'alice');
  assert.equal(r.hits, 2, 'the refresh was attempted');
  assert.equal(set.info().consecutiveFailures, 1);
  assert.equal(set.info().hasKeys, true);

  const jr = route([JWK[0]]);
  const joseSet = jose.createRemoteJWKSet(new URL(jr.url), { cacheMaxAge: 0 });
  await jose.jwtVerify(t, joseSet);
  jr.r.status = 500;
  await sleep(5);
  await assert.rejects(jose.jwtVerify(t, joseSet), { code: 'ERR_JOSE_GENERIC' });
});

test('a first fetch that fails is JwksFetchFail with the cause; a bad body is refused', async () => {
  const { r, url } = route([JWK[0]]);
  r.status = 503;
  const set = createRemoteJWKSet(url, { allowHttp: true });
  const got = await settle(jwtVerify(await token(0), set));
  assert.equal(got.ok, false);
  assert.equal(got.err.code, 'JwksFetchFail');
  assert.equal(got.err.status, STATUS.get('JwksFetchFail').code);
  assert.match(got.err.cause.message, /HTTP 503/);

  const bad = route([]);
  bad.r.body = { keys: 'nope' };
  const badSet = createRemoteJWKSet(bad.url, { allowHttp: true });
  const refused = await settle(badSet());
  assert.equal(refused.err.code, 'JwksFetchFail');
  assert.equal(refused.err.cause.code, 'JwksBadKeys');
});

test('cooldown: a burst of unknown kids fetches at most once', async () => {
  // Within the cooldown of the first fetch: no refetch at all, as jose.
  for (const impl of ['meshauth', 'jose']) {
    const { r, url } = route([JWK[0]]);
    const set = impl === 'jose'
      ? jose.createRemoteJWKSet(new URL(url), { cooldownDuration: 60000 })
      : createRemoteJWKSet(url, { allowHttp: true, cooldownDuration: 60000 });
    const verifyWith = impl === 'jose' ? jose.jwtVerify : jwtVerify;
    await verifyWith(await token(0), set);
    const burst = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => settle(verifyWith(await token(2, `unknown-${i}`), set))),
    );
    for (let i = 0; i < 5; i += 1) burst.push(await settle(verifyWith(await token(2, `late-${i}`), set)));
    assert.ok(burst.every((b) => !b.ok), impl);
    assert.equal(r.hits, 1, `${impl}: no refetch within the cooldown`);
    if (impl === 'meshauth') assert.ok(burst.every((b) => b.err.code === 'JwksKidAlgMismatch'));
  }
  // After the cooldown, a concurrent burst for a new key shares one refetch (single flight).
  const { r, url } = route([JWK[0]]);
  const set = createRemoteJWKSet(url, { allowHttp: true, cooldownDuration: 0 });
  await jwtVerify(await token(0), set);
  await sleep(5);
  r.body = { keys: [JWK[0], JWK[2]] };
  r.delay = 20;
  const tokens = await Promise.all(Array.from({ length: 10 }, () => token(2)));
  const results = await Promise.all(tokens.map((t) => settle(jwtVerify(t, set))));
  assert.ok(results.every((x) => x.ok), 'every token of the burst verifies');
  assert.equal(r.hits, 2, 'one refetch for the whole burst');
});

test('timeout: a slow server is abandoned after timeoutDuration, like jose', async () => {
  const { r, url } = route([JWK[0]]);
  r.delay = 1000;
  const set = createRemoteJWKSet(url, { allowHttp: true, timeoutDuration: 30 });
  const got = await settle(set());
  assert.equal(got.err.code, 'JwksFetchFail');
  assert.equal(got.err.cause.name, 'TimeoutError');
  const joseSet = jose.createRemoteJWKSet(new URL(url), { timeoutDuration: 30 });
  await assert.rejects(joseSet({ alg: 'ES256', kid: 'k0' }), { code: 'ERR_JWKS_TIMEOUT' });
  // With keys already cached, a refresh that times out keeps them.
  r.delay = 0;
  const stale = route([JWK[0]]);
  const cached = createRemoteJWKSet(stale.url, { allowHttp: true, timeoutDuration: 150, cacheMaxAge: 0 });
  const t = await token(0);
  await jwtVerify(t, cached);
  stale.r.delay = 1000;
  await sleep(5);
  assert.equal((await jwtVerify(t, cached)).payload.sub, 'alice');
  assert.equal(stale.r.hits, 2);
});

test('discovery: the issuer\'s OpenID configuration names the JWKS URL', async () => {
  const jwks = route([JWK[0]]);
  const issuer = `${base}/issuer-${(n += 1)}`;
  const config = { body: { issuer, jwks_uri: jwks.url }, status: 200, delay: 0, hits: 0 };
  routes.set(`/issuer-${n}/.well-known/openid-configuration`, config);
  const set = createRemoteJWKSet(issuer, { allowHttp: true, discovery: true });
  assert.equal((await jwtVerify(await token(0), set)).payload.sub, 'alice');
  assert.equal(config.hits, 1);
  assert.equal(jwks.r.hits, 1);
  assert.equal(set.info().discoveredUri, jwks.url);
  // An issuer mismatch is refused.
  const other = `${base}/issuer-${(n += 1)}`;
  routes.set(`/issuer-${n}/.well-known/openid-configuration`, { ...config, hits: 0 });
  const wrong = await settle(createRemoteJWKSet(other, { allowHttp: true, discovery: true })());
  assert.equal(wrong.err.code, 'JwksFetchFail');
  assert.equal(wrong.err.cause.code, 'DiscoveryIssuerMismatch');
});

test('Scheduler: register, poll, onFetched, keys, unknown-kid cooldown, failures (any time unit)', () => {
  const s = new Scheduler({ refreshInterval: 100, unknownKidCooldown: 10, retryInitial: 5 });
  const id = s.register('', 'https://issuer.example/jwks', 1000);
  assert.throws(() => s.keys(id), { code: 'JwksFetchFail' });
  const p = s.poll(1000);
  assert.deepEqual(p.fetches, [{ entry: id, kind: 'jwks', url: 'https://issuer.example/jwks', maxBytes: 1 << 20 }]);
  assert.deepEqual(s.poll(1001).fetches, [], 'single flight');
  assert.equal(s.onUnknownKid(id, 1001), false, 'a fetch is in flight');
  const doc = JSON.stringify({ keys: [JWK[0]] });
  assert.deepEqual(s.onFetched(id, doc, null, 1002), { outcome: 'changed' });
  assert.deepEqual(s.keys(id).kids, ['k0']);
  assert.equal(s.info(id).nextFetch, 1102);
  assert.equal(s.onUnknownKid(id, 1009), false, 'within the cooldown of the fetch start');
  assert.equal(s.onUnknownKid(id, 1010), true);
  assert.equal(s.poll(1010).fetches.length, 1);
  assert.deepEqual(s.onFetched(id, Buffer.from(doc), null, 1011), { outcome: 'unchanged' });
  s.poll(1111);
  const rejected = s.onFetched(id, '{}', null, 1112);
  assert.deepEqual(rejected, { outcome: 'rejected', code: 'JwksNoKeys', status: STATUS.get('JwksNoKeys').code });
  assert.deepEqual(s.keys(id).kids, ['k0'], 'stale keys kept');
  assert.equal(s.info(id).consecutiveFailures, 1);
  assert.equal(s.info(id).nextFetch, 1117);
  assert.throws(() => s.onFailed(id, 1113), { code: 'InvalidArgument' });
  assert.throws(() => s.register('', 'http://insecure.example/jwks', 0), { code: 'DiscoveryBadJwksUri' });
  assert.throws(() => s.register('', null, 0), { code: 'InvalidArgument' });
  assert.equal(s.remove(id), true);
  assert.equal(s.info(id), null);
});
