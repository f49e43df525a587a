// Type-checked (tsc --noEmit -p test/tsconfig.json), never run: exercises index.d.ts the way an
// application would. Each `@ts-expect-error` line must be an error, so a too-loose declaration
// fails the check too.
import meshauth = require('..');
import type { JWTVerifyResult, MeshAuthError, VerifiedToken } from '..';

const { Jwks, Verifier, verify, verifyComplete, jwtVerify, createLocalJWKSet, statuses, decodeProtectedHeader } = meshauth;

const set: meshauth.Jwks = Jwks.fromJson('{"keys":[]}', { allowLegacyRsa: false, maxKeys: 10 });
const fromBuffer = Jwks.fromJson(Buffer.from('{}'));
const pem = Jwks.fromPem('-----BEGIN PUBLIC KEY-----', { kid: 'k', alg: 'ES256' });
const size: number = set.size + fromBuffer.size + pem.size + Jwks.empty().size;
const kids: Array<string | null> = set.kids;
const bits: number = set.keys[0].bits;

const claims: Record<string, unknown> = verify('t', set, {
  issuer: 'https://issuer',
  audiences: ['api'],
  clockSkew: 60,
  algorithms: ['RS256'],
  now: 1_800_000_000,
  requireExp: true,
  maxLifetime: 3600,
  maxTokenBytes: 8192,
});
verify(new Uint8Array(3), set, { now: 10n });
const full: VerifiedToken = verifyComplete('t', set);
const principal: string | null = full.principal;
const scopes: string[] = full.scopes;
const alg: unknown = decodeProtectedHeader('t').alg;
const table: number = statuses()[0].httpStatus;

const verifier: meshauth.Verifier = new Verifier(set, {
  issuer: 'https://issuer',
  audiences: ['api'],
  clockSkew: 60,
  algorithms: ['HS256'],
  requireExp: true,
  maxLifetime: 3600,
  maxTokenBytes: 8192,
  maxAge: 600,
});
const vClaims: Record<string, unknown> = verifier.verify('t');
verifier.verify(new Uint8Array(3), 1_800_000_000);
verifier.verify('t', 10n);
const vFull: VerifiedToken = verifier.verifyComplete('t', 1);
const vSet: meshauth.Jwks = verifier.jwks;
const vIss: string | undefined = verifier.issuer;
const vAud: readonly string[] = verifier.audiences;
const vSkew: number = verifier.clockSkew;
const vAlgs: readonly string[] = verifier.algorithms;
// @ts-expect-error the settings are read-only
verifier.clockSkew = 1;
new Verifier(set);
// @ts-expect-error `now` is an argument of verify, not a Verifier option
new Verifier(set, { now: 1 });
// @ts-expect-error the key set must be a Jwks
new Verifier('{"keys":[]}');
// @ts-expect-error now is a number or a bigint
verifier.verify('t', '1');
void [vClaims, vFull, vSet, vIss, vAud, vSkew, vAlgs];

try {
  verify('t', set);
} catch (e) {
  const err = e as MeshAuthError;
  const code: string = err.code;
  const status: number | undefined = err.status;
  void [code, status];
}

async function joseStyle(): Promise<string | undefined> {
  const local = createLocalJWKSet({ keys: [] });
  const doc: { keys: object[] } = local.jwks();
  const r: JWTVerifyResult<{ role: string }> = await jwtVerify<{ role: string }>('t', local, {
    issuer: 'https://issuer',
    audience: ['a', 'b'],
    clockTolerance: '1m',
    algorithms: ['ES256'],
    currentDate: new Date(),
    requiredClaims: ['exp'],
  });
  const role: string = r.payload.role;
  const kid: string | undefined = r.protectedHeader.kid;
  await jwtVerify('t', set);
  await jwtVerify('t', async () => ({ keys: [] }));
  void [doc, role, kid];
  return r.payload.sub;
}

// @ts-expect-error the constructor is private: use Jwks.fromJson / fromPem
new Jwks();
// @ts-expect-error size is read-only
set.size = 3;
// @ts-expect-error the option is audiences (a list), not audience
verify('t', set, { audience: 'api' });
// @ts-expect-error now is seconds as a number or bigint, not a Date
verify('t', set, { now: new Date() });
// @ts-expect-error maxTokenAge is seconds or a span string, not a Date
void jwtVerify('t', set, { maxTokenAge: new Date() });
// @ts-expect-error verify is synchronous and returns claims, not a promise
const notAPromise: Promise<unknown> = verify('t', set);

// Key-set comparison, certificates, rotation, bundles.
const changed: boolean = meshauth.jwksChanged('{"keys":[]}', { keys: [] });
const diff: meshauth.JwksDiff = meshauth.jwksDiff(Buffer.from('{}'), '{}');
const kind: 'kid' | 'thumbprint' | 'digest' = diff.added[0].kind;
const thumb: string = meshauth.jwkThumbprint({ kty: 'oct', k: 'AA' }) + meshauth.canonicalJwks('{}');
const certs: meshauth.CertInfo[] = meshauth.certInfo('-----BEGIN CERTIFICATE-----');
const spiffe: string | undefined = certs[0].spiffeId;
const expiry: number = meshauth.certExpiry(Buffer.from('')) + meshauth.rotationDelay(0, 0, 10) + meshauth.rotationDelay(0, 0, 10, 0.25);
const bundle: string = meshauth.mergeTrustBundles('a', Buffer.from('b'));
// @ts-expect-error rotationDelay takes Unix seconds as numbers, not Dates
meshauth.rotationDelay(new Date(), 0, 10);

// Remote key sets and the scheduler.
const remote: meshauth.RemoteJWKSet = meshauth.createRemoteJWKSet(new URL('https://issuer.example/jwks'), {
  cacheMaxAge: 600_000,
  cooldownDuration: 30_000,
  timeoutDuration: 5_000,
  allowHttp: false,
  discovery: false,
});
void jwtVerify('t', remote, { maxTokenAge: '1h' });
void remote().then((k: meshauth.Jwks) => k.size);
void remote.reloadForUnknownKid().then((k: meshauth.Jwks | null) => k?.size);
const sched = new meshauth.Scheduler({ refreshInterval: 1200, unknownKidCooldown: 30, allowHttp: true });
const entry: number = sched.register('https://issuer.example', null, 0);
const due: meshauth.SchedulerFetch[] = sched.poll(0).fetches;
const outcome: meshauth.SchedulerOutcome = sched.onFetched(entry, '{"keys":[]}', null, 1);
const allowed: boolean = sched.onUnknownKid(entry, 2);
const hasKeys: boolean | undefined = sched.info(entry)?.hasKeys;
// @ts-expect-error createRemoteJWKSet options are milliseconds as numbers
meshauth.createRemoteJWKSet('https://x', { cacheMaxAge: '10m' });

// Request authentication and policy.
const authn = new meshauth.Authenticator({ jwtRules: [{ issuer: 'i', jwksUri: 'https://i/jwks' }] });
const updated: number = authn.setKeys('https://i/jwks', set) + authn.setKeys('https://i/jwks', null);
const result: meshauth.AuthenticationOutcome = authn.authenticate({
  method: 'GET',
  path: '/x?y=1',
  headers: { authorization: 'Bearer t', 'x-many': ['a', 'b'] },
  cookies: { session: 'c' },
  now: 1_700_000_000,
});
const uris: string[] = authn.jwksUris;
const pol = new meshauth.Policy('[]');
const decision: meshauth.PolicyDecision = pol.evaluate({ path: '/', headers: [['host', 'a']] }, result);
const matched: string | null = decision.matchedPolicy;
const warnings: meshauth.PolicyWarning[] = pol.lint(['i']);
if (result.kind === 'rejected') void result.wwwAuthenticate;
// @ts-expect-error kind is one of four strings
const badKind: meshauth.AuthenticationOutcome['kind'] = 'ok';
// @ts-expect-error headersToSet is [name, value] pairs
const badSet: Record<string, string> = result.headersToSet;

void [updated, uris, matched, warnings, badKind, badSet];
void [changed, kind, thumb, spiffe, expiry, bundle, due, outcome, allowed, hasKeys];
void [notAPromise, size, kids, bits, claims, principal, scopes, alg, table, joseStyle];
