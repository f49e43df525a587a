// Authenticator and Policy: Istio's TestRequestAuthentication and TestAuthz_JWT scenarios
// (shared vectors, run the way core/tests/authn.rs and policy.rs run them), config errors with
// field paths, outcomes, lint.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as jose from 'jose';
import { parseAllDocuments } from 'yaml';
import { meshauth, vectors, SHARED, STATUS } from './helpers.mjs';

const { Authenticator, Policy, Jwks } = meshauth;

/** 2023-11-14: after TokenExpired (2019), before the other test tokens' exp (2119+). */
const NOW = 1_700_000_000;
const JWKS_URI = 'http://jwks.test/jwks.json';
const jwksText = readFileSync(join(SHARED, 'vectors', 'istio-samples', 'tests-common-jwt', 'jwks.json'), 'utf8');
const TOKENS = Object.fromEntries(
  vectors('istio-samples/tests-common-jwt/tokens.json').tokens.map((t) => [t.name, t.token]),
);

/** Replaces `<Name>` placeholders with tokens and `<payloadN>` with payload segments. */
function fill(s) {
  const payloads = { payload1: 'TokenIssuer1', payload2: 'TokenIssuer2', payload3: 'TokenIssuer1WithNestedClaims2' };
  let out = s;
  for (const [name, tok] of Object.entries(payloads)) out = out.replaceAll(`<${name}>`, TOKENS[tok].split('.')[1]);
  for (const [name, tok] of Object.entries(TOKENS)) out = out.replaceAll(`<${name}>`, tok);
  return out;
}

/** The headers the upstream sees after the outcome's edits (names lower-cased). */
function upstream(headers, outcome) {
  const map = new Map();
  for (const [n, v] of headers) {
    const k = n.toLowerCase();
    map.set(k, map.has(k) ? `${map.get(k)},${v}` : v);
  }
  for (const r of outcome.headersToRemove) map.delete(r.toLowerCase());
  for (const [n, v] of outcome.headersToSet) map.set(n.toLowerCase(), v);
  return map;
}

test('Istio RequestAuthentication scenarios: status and upstream headers', () => {
  const v = vectors('istio-samples/requestauthn_scenarios.json');
  let cases = 0;
  for (const suite of v.suites) {
    const specs = suite.policy.requestAuthentications ?? [{ jwtRules: suite.policy.jwtRules }];
    const auth = new Authenticator(JSON.stringify(specs).replaceAll('<jwks>', JWKS_URI));
    // The host fetched the plain URI; the others (timeout, invalid-jwks suites) never gave keys.
    auth.setKeys(JWKS_URI, Jwks.fromJson(jwksText));
    const policy = new Policy(suite.policy.authorization ?? []);
    for (const c of suite.cases) {
      cases += 1;
      const name = `${suite.suite}/${c.name}`;
      const headers = Object.entries(c.request.headers ?? {}).map(([k, val]) => [k, fill(val)]);
      const request = { method: c.request.method ?? 'GET', path: fill(c.request.path ?? '/'), headers, host: 'b', now: NOW };
      const outcome = auth.authenticate(request);
      const decision = policy.evaluate(request, outcome);
      assert.equal(decision.httpStatus, c.status, `${name}: ${JSON.stringify(outcome)}`);
      for (const [k, want] of Object.entries(c.upstream_headers ?? {})) {
        const got = upstream(headers, outcome).get(k.toLowerCase());
        assert.equal(got, want === '' ? undefined : fill(want), `${name}: upstream ${k}`);
      }
    }
  }
  assert.equal(cases, 26);
});

test("Istio TestAuthz_JWT scenarios: the template's two resources, 32 requests", () => {
  const v = vectors('istio-samples/authz_jwt_scenarios.json');
  const text = v.policy_yaml.replaceAll('{{ .JWTServer.JwksURI }}', JWKS_URI).replaceAll('{{ .To.ServiceName }}', 'b');
  // The YAML (read by the `yaml` package) holds both resources; each class takes its own kind.
  const resources = parseAllDocuments(text).map((d) => d.toJS()).filter((r) => r !== null);
  const auth = new Authenticator(resources);
  assert.deepEqual(auth.issuers, ['test-issuer-1@istio.io', 'test-issuer-2@istio.io']);
  assert.equal(auth.setKeys(JWKS_URI, Jwks.fromJson(jwksText)), 2);
  const policy = new Policy(resources);
  assert.equal(policy.size, 1);
  assert.equal(v.cases.length, 32);
  for (const c of v.cases) {
    const headers = c.token ? [['Authorization', `Bearer ${TOKENS[c.token]}`]] : [];
    const request = { method: c.method, path: c.path, headers, host: 'b', now: NOW };
    const outcome = auth.authenticate(request);
    const decision = policy.evaluate(request, outcome);
    const name = `${c.prefix} ${c.method} ${c.path}`;
    assert.equal(decision.allowed, c.allow, `${name}: ${JSON.stringify(outcome)}`);
    assert.equal(decision.httpStatus, c.allow ? 200 : 403, name);
  }
});

const rule = (extra = {}) => ({ jwtRules: [{ issuer: 'https://issuer.example', jwks: jwksText, ...extra }] });

test('authenticate: outcomes as plain objects', () => {
  const auth = new Authenticator({
    apiVersion: 'security.istio.io/v1',
    kind: 'RequestAuthentication',
    metadata: { name: 'r' },
    spec: { jwtRules: [{ issuer: 'test-issuer-1@istio.io', jwksUri: JWKS_URI, outputClaimToHeaders: [{ header: 'x-sub', claim: 'sub' }] }] },
  });
  assert.deepEqual(auth.jwksUris, [JWKS_URI]);
  assert.deepEqual(auth.issuers, ['test-issuer-1@istio.io']);
  assert.equal(auth.setKeys(JWKS_URI, JSON.parse(jwksText)), 1);
  assert.equal(auth.setKeys('https://other/jwks', null), 0);

  const none = auth.authenticate({ method: 'GET', path: '/', headers: { 'x-sub': 'spoofed' }, now: NOW });
  assert.deepEqual(none, { kind: 'noToken', headersToSet: [], headersToRemove: ['x-sub'] });

  const ok = auth.authenticate({ path: '/', headers: { authorization: `Bearer ${TOKENS.TokenIssuer1}` }, now: NOW });
  const payload = jose.decodeJwt(TOKENS.TokenIssuer1);
  assert.equal(ok.kind, 'authenticated');
  assert.equal(ok.issuer, payload.iss);
  assert.equal(ok.subject, payload.sub);
  assert.equal(ok.claims.sub, payload.sub);
  assert.equal(ok.claims.iat, payload.iat);
  assert.deepEqual(ok.headersToSet, [['x-sub', payload.sub]]);

  const expired = auth.authenticate({ path: '/', headers: [['Authorization', `Bearer ${TOKENS.TokenExpired}`]], now: NOW });
  assert.equal(expired.kind, 'rejected');
  assert.equal(expired.code, 'JwtExpired');
  assert.equal(expired.status, STATUS.get('JwtExpired').code);
  assert.equal(expired.message, STATUS.get('JwtExpired').message);
  assert.equal(expired.httpStatus, 401);
  assert.match(expired.wwwAuthenticate, /^Bearer realm=".*", error="invalid_token"$/);

  // Keys unavailable: fail closed.
  auth.setKeys(JWKS_URI, null);
  const closed = auth.authenticate({ path: '/', headers: { authorization: `Bearer ${TOKENS.TokenIssuer1}` }, now: NOW });
  assert.equal(closed.kind, 'rejected');
  assert.equal(closed.httpStatus, 401);

  const preflight = auth.authenticate({
    method: 'OPTIONS', path: '/', now: NOW,
    headers: { origin: 'https://a', 'access-control-request-method': 'POST', authorization: 'Bearer x' },
  });
  assert.equal(preflight.kind, 'corsPreflight');
  // Query and cookie locations.
  const q = new Authenticator(rule({ fromParams: ['tok'], fromCookies: ['c'] }));
  assert.equal(q.authenticate({ path: `/x?tok=${TOKENS.TokenIssuer1}`, now: NOW }).kind, 'rejected'); // other issuer
  const mine = new Authenticator({ jwtRules: [{ issuer: 'test-issuer-1@istio.io', jwks: jwksText, fromParams: ['tok'], fromCookies: ['c'] }] });
  assert.equal(mine.authenticate({ path: '/x', query: `tok=${TOKENS.TokenIssuer1}`, now: NOW }).kind, 'authenticated');
  assert.equal(mine.authenticate({ path: '/x', cookies: { c: TOKENS.TokenIssuer1 }, now: NOW }).kind, 'authenticated');
  assert.equal(mine.authenticate({ path: '/x', now: NOW }).kind, 'noToken');
});

test('config errors carry the status and the field path', () => {
  // [config, field, status] (from core/tests/authn.rs)
  const cases = [
    ['{"jwtRules":[{"audiences":["a"]}]}', 'jwtRules[0]', 'ConfigInvalid'],
    ['{"jwtRules":[{"issuer":"i","jwksUri":"ftp://x/j"}]}', 'jwtRules[0].jwksUri', 'ConfigInvalid'],
    ['{"jwtRules":[{"issuer":"i","jwks":"{\\"keys\\":[]}"}]}', 'jwtRules[0].jwks', 'JwksNoValidKeys'],
    ['{"jwtRules":[{"issuer":"i","fromHeaders":[{"name":""}]}]}', 'jwtRules[0].fromHeaders[0].name', 'ConfigInvalid'],
  ];
  for (const [config, field, code] of cases) {
    assert.throws(() => new Authenticator(config), (err) => {
      assert.equal(err.code, code, config);
      assert.equal(err.field, field, config);
      assert.equal(typeof err.status, 'number');
      assert.ok(err.message.startsWith(`${field}: `), err.message);
      return true;
    });
  }
  assert.throws(() => new Policy('{"action":"AUDIT"}'), (err) => err.code === 'ConfigUnsupported' && err.field === 'action' && err.message.startsWith('action: '));
  assert.throws(() => new Authenticator('{'), { code: 'ConfigInvalid' });
  assert.throws(() => new Authenticator(7), { code: 'InvalidArg' });
});

test('Policy.evaluate: DENY first, then ALLOW; outcomes from authenticate; lint', () => {
  const auth = new Authenticator({ jwtRules: [{ issuer: 'test-issuer-1@istio.io', jwks: jwksText }] });
  const sub = jose.decodeJwt(TOKENS.TokenIssuer1).sub;
  const policy = new Policy([
    { kind: 'AuthorizationPolicy', metadata: { name: 'deny-admin' }, spec: { action: 'DENY', rules: [{ to: [{ operation: { paths: ['/admin*'] } }] }] } },
    { kind: 'AuthorizationPolicy', metadata: { name: 'allow-sub' }, spec: { action: 'ALLOW', rules: [
      { to: [{ operation: { paths: ['/public'] } }] },
      { from: [{ source: { requestPrincipals: [`test-issuer-1@istio.io/${sub}`] } }] },
    ] } },
  ]);
  assert.equal(policy.size, 2);
  const req = (path, token) => ({ path, headers: token ? { authorization: `Bearer ${token}` } : {}, now: NOW });
  const run = (r) => policy.evaluate(r, auth.authenticate(r));
  assert.deepEqual(run(req('/data', TOKENS.TokenIssuer1)), { allowed: true, matchedPolicy: 'allow-sub', matchedRule: 1, httpStatus: 200 });
  assert.deepEqual(run(req('/data')), { allowed: false, matchedPolicy: null, matchedRule: null, httpStatus: 403 });
  assert.deepEqual(run(req('/public')), { allowed: true, matchedPolicy: 'allow-sub', matchedRule: 0, httpStatus: 200 });
  assert.deepEqual(run(req('/admin/x', TOKENS.TokenIssuer1)), { allowed: false, matchedPolicy: 'deny-admin', matchedRule: 0, httpStatus: 403 });
  assert.equal(run(req('/data', TOKENS.TokenExpired)).httpStatus, 401);
  // No outcome: no identity.
  assert.equal(policy.evaluate(req('/public')).allowed, true);
  assert.equal(policy.evaluate(req('/data'), null).allowed, false);
  assert.throws(() => policy.evaluate(req('/data'), { kind: 'authenticated', headersToSet: [], headersToRemove: [] }), { code: 'InvalidArg' });
  assert.deepEqual(new Policy([]).evaluate(req('/x')), { allowed: true, matchedPolicy: null, matchedRule: null, httpStatus: 200 });

  const lint = new Policy({ rules: [
    { from: [{ source: { requestPrincipals: ['*/*'] } }], to: [{ operation: { ports: ['8080'] } }] },
    { from: [{ source: { requestPrincipals: ['https://issuer.test/spiffe-ish/a/b'] } }], to: [{ operation: { ports: ['80'] } }] },
  ] }).lint(['https://issuer.test']);
  assert.deepEqual(lint.map((w) => [w.kind, w.rule]), [['StarSlashStar', 0], ['SubjectContainsSlash', 1]]);
  assert.equal(lint[0].field, 'rules[0].from[0].source.requestPrincipals[0]');
  assert.ok(lint.every((w) => w.fix.length > 0 && w.message.length > 0));
});
