// Type declarations for meshauth (hand-written; checked by `tsc --noEmit` on test/types.ts).

/**
 * A rejection from the core: `code` is the status name (e.g. `'JwtExpired'`), `status` its
 * number, `message` Envoy's message. Invalid arguments have `code === 'InvalidArg'` and no
 * `status`.
 */
export interface MeshAuthError extends Error {
  /** The status name, e.g. `'JwtExpired'`, or `'InvalidArg'` for a bad argument. */
  code: string;
  /** The status number (absent for `InvalidArg`). */
  status?: number;
}

/** Options of `Jwks.fromJson` and `Jwks.fromPem`. */
export interface JwksLoadOptions {
  /** Accept RSA moduli of 1024-2047 bits (default false: `JwksRsaKeyTooSmall`). */
  allowLegacyRsa?: boolean;
  /** The largest document in bytes (default 1 MiB). */
  maxBytes?: number;
  /** The most keys (default 512). */
  maxKeys?: number;
  /**
   * How many EC keys (in document order) get a precomputed verification table: ~2-8× faster
   * ES256/384/512 for ~1-2 ms and 100-160 KiB per key at load (default 8; 0 for none).
   */
  ecTables?: number;
  /** `fromPem` only: the key's kid. */
  kid?: string;
  /** `fromPem` only: the key's alg (ES256/ES384/ES512 also fix the curve). */
  alg?: string;
}

/** One usable key of a `Jwks`. Absent members are omitted. */
export interface KeyInfo {
  kid?: string;
  alg?: string;
  /** `'RSA' | 'EC' | 'oct' | 'OKP'` */
  kty: string;
  /** `'P-256' | 'P-384' | 'P-521' | 'Ed25519'` for EC and OKP keys. */
  crv?: string;
  /** Key size in bits. */
  bits: number;
}

/** A parsed, prepared, immutable key set. */
export declare class Jwks {
  private constructor();
  /**
   * Parses a JWKS document (or one JWK, or Google's kid→certificate map). Unusable keys are
   * skipped as Envoy does; throws the first key's status when none is usable.
   */
  static fromJson(data: string | Uint8Array, options?: JwksLoadOptions): Jwks;
  /** Parses one PEM `PUBLIC KEY` (RSA, EC or Ed25519), optionally with a kid and an alg. */
  static fromPem(data: string | Uint8Array, options?: JwksLoadOptions): Jwks;
  /** A key set with no keys. */
  static empty(): Jwks;
  /** The number of usable keys. */
  readonly size: number;
  /** The keys' kids, index-aligned with the keys (`null` where a key has none). */
  readonly kids: Array<string | null>;
  /** A description of each usable key, in document order. */
  readonly keys: KeyInfo[];
}

/** Options of `verify` and `verifyComplete`. */
export interface VerifyOptions {
  /** Required `iss` (exact match). */
  issuer?: string;
  /** Accepted audiences (one leading `http(s)://` and trailing `/` ignored); empty = no check. */
  audiences?: string[];
  /** Seconds of tolerance for `nbf` and `exp`; default 60. */
  clockSkew?: number;
  /** Allowed `alg` values; default all 13 meshauth implements. */
  algorithms?: string[];
  /** Unix seconds to verify at (number or BigInt); default the system clock. */
  now?: number | bigint;
  /** Require an `exp` claim (`JwtMissingExp`). */
  requireExp?: boolean;
  /** Bound `exp - iat` (or `exp - now`) in seconds (`JwtLifetimeTooLong`); implies requireExp. */
  maxLifetime?: number;
  /** Largest token in bytes (default 16384; larger is `JwtTooLarge`). */
  maxTokenBytes?: number;
  /**
   * jose's `maxTokenAge` in seconds: an `iat` is required (`JwtMissingIat`) and
   * `now - iat > maxAge + clockSkew` is `JwtExpired`.
   */
  maxAge?: number;
}

/** Claims or header members, as `JSON.parse` gives them. */
export type JsonObject = Record<string, unknown>;

/** The result of `verifyComplete`. */
export interface VerifiedToken {
  /** The protected header. */
  header: JsonObject;
  /** The claims. */
  payload: JsonObject;
  /** `iss/sub` (Istio's request principal), or null without both claims. */
  principal: string | null;
  /** The `scope` claim split on spaces (or a list-valued `scope`'s strings). */
  scopes: string[];
  /** The position in the key set of the key that verified the signature. */
  keyIndex: number;
}

/** Verifies a compact JWS against `jwks`; returns the claims or throws a `MeshAuthError`. */
export declare function verify(
  token: string | Uint8Array,
  jwks: Jwks,
  options?: VerifyOptions,
): JsonObject;

/** As `verify`, returning `{ header, payload, principal, scopes, keyIndex }`. */
export declare function verifyComplete(
  token: string | Uint8Array,
  jwks: Jwks,
  options?: VerifyOptions,
): VerifiedToken;

/** The options of `Verifier`: those of `verify` except `now` (an argument of each call). */
export type VerifierOptions = Omit<VerifyOptions, 'now'>;

/**
 * The key set and the options of `verify`, parsed once: `verifier.verify(token, now)` gives
 * exactly what `verify(token, jwks, { ...options, now })` gives, with less work per call.
 * Immutable; keeps the `Jwks` it was given.
 */
export declare class Verifier {
  /** Throws `InvalidArg` for a bad option (as `verify` would), including `now`. */
  constructor(jwks: Jwks, options?: VerifierOptions);
  /** Verifies `token` at `now` (Unix seconds; default the system clock); returns the claims. */
  verify(token: string | Uint8Array, now?: number | bigint): JsonObject;
  /** As `verifyComplete`. */
  verifyComplete(token: string | Uint8Array, now?: number | bigint): VerifiedToken;
  /** The key set given to the constructor. */
  readonly jwks: Jwks;
  /** The required issuer, if any. */
  readonly issuer: string | undefined;
  /** The accepted audiences as compared (one leading `http(s)://` and one trailing `/` removed). */
  readonly audiences: readonly string[];
  /** The clock skew in seconds. */
  readonly clockSkew: number;
  /** The accepted algorithms. */
  readonly algorithms: readonly string[];
}

/** Decodes the protected header without verifying anything; throws the parse status. */
export declare function decodeProtectedHeader(token: string | Uint8Array): JsonObject;

/** One row of the core's status table. */
export interface StatusInfo {
  code: number;
  name: string;
  message: string;
  httpStatus: number;
}

/** The core's status table, in code order. */
export declare function statuses(): StatusInfo[];

// ---------------------------------------------------------------------------------------------
// jose-style layer

/** jose's `JWTPayload`: registered claims plus any others. */
export interface JWTPayload {
  iss?: string;
  sub?: string;
  aud?: string | string[];
  jti?: string;
  nbf?: number;
  exp?: number;
  iat?: number;
  [claim: string]: unknown;
}

/** jose's `JWTHeaderParameters`. */
export interface JWTHeaderParameters {
  alg: string;
  kid?: string;
  typ?: string;
  [member: string]: unknown;
}

/**
 * jose's `JWTVerifyOptions`, as far as meshauth implements them. `subject`, `typ` and `crit`
 * throw `InvalidArg` rather than being ignored.
 */
export interface JWTVerifyOptions {
  /** Required `iss`; an array must have exactly one element. */
  issuer?: string | string[];
  /** Accepted audience(s). */
  audience?: string | string[];
  /** Seconds, or a span such as `'30s'`, `'1m'`, `'2 hours'`; default 0 (as jose). */
  clockTolerance?: number | string;
  /** Allowed algorithms. */
  algorithms?: string[];
  /** Verify as of this date; default now. */
  currentDate?: Date;
  /**
   * Claims that must be present: `'exp'`, and `'iss'`/`'aud'`/`'iat'` when
   * issuer/audience/maxTokenAge are set.
   */
  requiredClaims?: string[];
  /**
   * The largest `now - iat` (seconds, or a span such as `'1h'`), with `clockTolerance` added;
   * beyond it `JwtExpired` (jose's `ERR_JWT_EXPIRED`), without `iat` `JwtMissingIat`.
   */
  maxTokenAge?: number | string;
  /** Not supported (throws). */
  subject?: never;
  /** Not supported (throws). */
  typ?: never;
  /** Not supported (throws). */
  crit?: never;
}

/** What `jwtVerify` resolves to. */
export interface JWTVerifyResult<P = JWTPayload> {
  payload: P & JWTPayload;
  protectedHeader: JWTHeaderParameters;
}

/** A key-set resolver: given the header and token, returns (or resolves to) the key set. */
export type JWTVerifyGetKey = (
  protectedHeader: JWTHeaderParameters,
  token: string | Uint8Array,
) => Jwks | { keys: object[] } | Promise<Jwks | { keys: object[] }>;

/** What `createLocalJWKSet` returns: a resolver with the document and the parsed set. */
export interface LocalJWKSet {
  (protectedHeader?: JWTHeaderParameters, token?: string | Uint8Array): Jwks;
  /** A copy of the JWKS document. */
  jwks(): { keys: object[] };
  /** The parsed key set. */
  readonly keySet: Jwks;
}

/** jose-style verification; rejects with a `MeshAuthError`. */
export declare function jwtVerify<P = JWTPayload>(
  jwt: string | Uint8Array,
  keySet: Jwks | JWTVerifyGetKey,
  options?: JWTVerifyOptions,
): Promise<JWTVerifyResult<P>>;

/** Parses a JWKS once, for `jwtVerify`. */
export declare function createLocalJWKSet(jwks: { keys: object[] } | string | Uint8Array): LocalJWKSet;

// ---------------------------------------------------------------------------------------------
// Key-set comparison

/** JSON given as text, bytes or a parsed value (serialised with `JSON.stringify`). */
export type JsonInput = string | Uint8Array | object;

/**
 * Whether JWKS `newer` differs from `old`: members, whitespace, escapes, number spelling and the
 * order of `keys` do not matter. Throws the status of an unusable `newer` (`JwksParseError`,
 * `JwksNoKeys`, ...); an unusable `old` counts as changed.
 */
export declare function jwksChanged(old: JsonInput, newer: JsonInput): boolean;

/** How a key is named in a `JwksDiff`. */
export interface KeyName {
  /** `'kid'`; `'thumbprint'` (RFC 7638) without a kid; `'digest'` of the key's canonical JSON. */
  kind: 'kid' | 'thumbprint' | 'digest';
  /** The kid, or the base64url SHA-256. */
  name: string;
}

/** Key-by-key difference of two key sets (each list sorted, without repeats). */
export interface JwksDiff {
  /** Whether anything was added, removed or modified. */
  changed: boolean;
  added: KeyName[];
  removed: KeyName[];
  modified: KeyName[];
}

/** Key-by-key difference (members outside `keys` are ignored); errors as `jwksChanged`. */
export declare function jwksDiff(old: JsonInput, newer: JsonInput): JwksDiff;

/** RFC 7638 thumbprint (SHA-256, base64url) of one JWK. */
export declare function jwkThumbprint(jwk: JsonInput): string;

/** The canonical text of a JWKS document (equal exactly when `jwksChanged` is false). */
export declare function canonicalJwks(data: JsonInput): string;

// ---------------------------------------------------------------------------------------------
// Certificates, rotation and trust bundles

/** What `certInfo` reads from one certificate. */
export interface CertInfo {
  /** notBefore, Unix seconds. */
  notBefore: number;
  /** notAfter, Unix seconds. */
  notAfter: number;
  /** RFC 4514 subject, e.g. `'CN=x,O=y'`. */
  subject: string;
  /** RFC 4514 issuer. */
  issuer: string;
  /** Upper-case hex of the serial's bytes (`-` and the magnitude when negative). */
  serial: string;
  /** SHA-256 of the DER, lower-case hex. */
  fingerprint: string;
  /** The first `spiffe://` URI SAN, if any. */
  spiffeId?: string;
  /** DNS SANs in certificate order. */
  dnsNames: string[];
  /** basicConstraints cA. */
  isCa: boolean;
}

/**
 * Every certificate of a PEM bundle (or one DER certificate), in order. Throws `CertNotFound`,
 * `CertBadPem`, `CertTruncated`, `CertMalformed` (first bad block) or `CertTooLarge`.
 */
export declare function certInfo(data: string | Uint8Array): CertInfo[];

/** Istio's expiry: notAfter (Unix seconds) of the first well-formed block. */
export declare function certExpiry(data: string | Uint8Array): number;

/**
 * Seconds from `now` until a certificate valid from `created` to `expire` (all Unix seconds)
 * should rotate, keeping `graceRatio` (default 0.5) of its lifetime; never negative; no jitter.
 * `RotationInvalidInput` unless `expire > created` and `0 <= graceRatio <= 1`.
 */
export declare function rotationDelay(
  now: number,
  created: number,
  expire: number,
  graceRatio?: number,
): number;

/**
 * Merges two trust bundles by certificate into canonical PEM (distinct, sorted, 64 columns, LF,
 * a newline after each block). A bad certificate block throws its status rather than being
 * dropped; non-certificate blocks are ignored.
 */
export declare function mergeTrustBundles(a: string | Uint8Array, b: string | Uint8Array): string;

// ---------------------------------------------------------------------------------------------
// Remote key sets

/**
 * Settings of a `Scheduler`. Durations are integers in the caller's time unit, the unit of
 * every `now` passed (`createRemoteJWKSet` uses milliseconds); the core's defaults are seconds.
 */
export interface SchedulerConfig {
  /** Delay after a successful refresh (default 1200). */
  refreshInterval?: number;
  /** Delay after the first failure in a row, doubled per failure (default 60). */
  retryInitial?: number;
  /** Cap of the failure delay (default 3600). */
  retryMax?: number;
  /** Minimum time from the start of the last fetch to an unknown-kid refetch (default 30). */
  unknownKidCooldown?: number;
  /** A fetch not reported within this time has failed (default 60). */
  fetchTimeout?: number;
  /** Evict an entry this long after its last use (default 604800). */
  evictUnusedAfter?: number;
  /** Evict an entry this long after its last success or registration (default 604800). */
  evictUnrefreshedAfter?: number;
  /** Admit `http://` JWKS URLs (default false: https only). */
  allowHttp?: boolean;
  /** Largest JWKS body in bytes (default 1 MiB). */
  maxBytes?: number;
}

/** A fetch the host must perform. */
export interface SchedulerFetch {
  entry: number;
  kind: 'jwks' | 'discovery';
  url: string;
  /** Read at most this many bytes; more is a failure. */
  maxBytes: number;
}

/** The result of `Scheduler.poll`. */
export interface SchedulerPoll {
  fetches: SchedulerFetch[];
  evicted: number[];
  /** When to poll next (absent without entries). */
  nextWake?: number;
}

/** The result of `Scheduler.onFetched`. */
export interface SchedulerOutcome {
  outcome: 'unchanged' | 'changed' | 'resolved' | 'rejected';
  /** For `'resolved'`: the JWKS URL a discovery document gave (poll again). */
  url?: string;
  /** For `'rejected'`: the status name. */
  code?: string;
  /** For `'rejected'`: the status number. */
  status?: number;
}

/** A snapshot of a scheduler entry. */
export interface SchedulerEntryInfo {
  issuer: string;
  jwksUri?: string;
  discoveredUri?: string;
  inFlight?: 'jwks' | 'discovery';
  consecutiveFailures: number;
  nextFetch: number;
  lastSuccess?: number;
  hasKeys: boolean;
}

/**
 * The core's sans-IO JWKS refresh scheduler: per-entry schedule and backoff, single flight,
 * unknown-kid cooldown, stale-if-error. It reads no clock and does no I/O: the host polls it,
 * performs the fetches it returns and reports their results.
 */
export declare class Scheduler {
  constructor(config?: SchedulerConfig);
  /** Registers (issuer, jwksUri) — `jwksUri` null means OpenID discovery of `issuer`. */
  register(issuer: string, jwksUri: string | null | undefined, now: number): number;
  /** Marks an entry used (`InvalidArgument` if unknown or expired). */
  touch(entry: number, now: number): void;
  /** Removes an entry; whether it existed. */
  remove(entry: number): boolean;
  /** The fetches due at `now` and when to poll next. */
  poll(now: number): SchedulerPoll;
  /** Reports a fetched body (and its `Cache-Control`); `InvalidArgument` without a fetch in flight. */
  onFetched(entry: number, body: string | Uint8Array, cacheControl: string | null | undefined, now: number): SchedulerOutcome;
  /** Reports a failed fetch. */
  onFailed(entry: number, now: number): void;
  /** A token named an unknown kid: whether a refetch is allowed now (then poll again). */
  onUnknownKid(entry: number, now: number): boolean;
  /** The last good keys (`JwksFetchFail` before any success). */
  keys(entry: number): Jwks;
  /** A snapshot of the entry, or null. */
  info(entry: number): SchedulerEntryInfo | null;
}

/** Options of `createRemoteJWKSet` (milliseconds, as jose). */
export interface RemoteJWKSetOptions {
  /** Refetch when a call comes this long after the last success (default 600000). */
  cacheMaxAge?: number;
  /** No unknown-kid refetch within this time of the last fetch start (default 30000). */
  cooldownDuration?: number;
  /** Abort a fetch after this long (default 5000). */
  timeoutDuration?: number;
  /** Accept `http://` URLs (default false). */
  allowHttp?: boolean;
  /** Treat `url` as an issuer: fetch its OpenID configuration, then its `jwks_uri`. */
  discovery?: boolean;
  /** Extra request headers. */
  headers?: Record<string, string>;
}

/** What `createRemoteJWKSet` returns: a key-set resolver for `jwtVerify`. */
export interface RemoteJWKSet {
  (protectedHeader?: JWTHeaderParameters, token?: string | Uint8Array): Promise<Jwks>;
  /**
   * Called by `jwtVerify` on `JwksKidAlgMismatch`: refetches if the scheduler allows it (or
   * waits for the fetch in flight) and resolves to the keys then, or null when not allowed.
   */
  reloadForUnknownKid(): Promise<Jwks | null>;
  /** The scheduler's snapshot of this set (times in Unix milliseconds). */
  info(): SchedulerEntryInfo | null;
}

/**
 * jose's `createRemoteJWKSet`, driven by the core's refresh scheduler; fetches with the global
 * `fetch` when called (no background timers). Keeps the last good keys when a refresh fails.
 */
export declare function createRemoteJWKSet(url: string | URL, options?: RemoteJWKSetOptions): RemoteJWKSet;

// ---------------------------------------------------------------------------------------------
// Request authentication and authorization policy

/** A request as the authenticator and policies see it. */
export interface AuthRequest {
  /** `:method` (default `'GET'`). */
  method?: string;
  /** The path, optionally with `?query` (default `'/'`). */
  path?: string;
  /** The query without `?` (overrides one in `path`). */
  query?: string;
  /** Headers: an object (repeated names as arrays), a `Headers`/`Map`, or `[name, value]` pairs. */
  headers?: Record<string, string | string[] | undefined> | Iterable<[string, string]> | Array<[string, string]>;
  /** Cookies, in the same forms (`Cookie` headers are read too). */
  cookies?: Record<string, string> | Array<[string, string]>;
  /** `:authority` (else the `host`/`:authority` header). */
  host?: string;
  /** `:scheme`, for the `WWW-Authenticate` realm. */
  scheme?: string;
  /** Destination port for `ports`/`notPorts` rules. */
  port?: number;
  /** Unix seconds (number or BigInt); default the system clock. */
  now?: number | bigint;
}

/** What `Authenticator.authenticate` returns. */
export interface AuthenticationOutcome {
  /**
   * `'noToken'` (passes, no identity), `'corsPreflight'` (bypassed), `'authenticated'` or
   * `'rejected'`.
   */
  kind: 'noToken' | 'corsPreflight' | 'authenticated' | 'rejected';
  /** For `'rejected'`: the status number. */
  status?: number;
  /** For `'rejected'`: the status name, e.g. `'JwtExpired'`. */
  code?: string;
  /** For `'rejected'`: Envoy's message (the response body). */
  message?: string;
  /** For `'rejected'`: 401, or 403 for `JwtAudienceNotAllowed`. */
  httpStatus?: number;
  /** For `'rejected'`: the `WWW-Authenticate` header Envoy sends. */
  wwwAuthenticate?: string;
  /** For `'authenticated'`: `iss`. */
  issuer?: string;
  /** For `'authenticated'`: `sub`. */
  subject?: string;
  /** For `'authenticated'`: the payload, `scope`/`permission`/space-delimited claims split. */
  claims?: JsonObject;
  /** Headers to set upstream (after removing `headersToRemove`), lower-case `[name, value]`. */
  headersToSet: Array<[string, string]>;
  /** Headers to remove from the upstream request. */
  headersToRemove: string[];
}

/** A configuration error: `code`/`status` as usual, the field path in `field` and the message. */
export interface ConfigError extends MeshAuthError {
  /** e.g. `'jwtRules[0].fromHeaders[1].name'`. */
  field: string;
}

/**
 * Istio `RequestAuthentication` (Envoy's jwt_authn filter). The config, an object or JSON text
 * in Istio's field names, is resources, bare specs, arrays of them or a Kubernetes `List`
 * (`kubectl get -o json`; other kinds are skipped); errors throw a
 * `ConfigError` (`ConfigInvalid`, `ConfigUnsupported`, or the JWKS status of an inline `jwks`).
 */
export declare class Authenticator {
  constructor(config: object | string | Uint8Array);
  /** Authenticates a request (no I/O: keys come from inline `jwks` or `setKeys`). */
  authenticate(request: AuthRequest): AuthenticationOutcome;
  /** Sets the keys of the providers with this `jwksUri` (`null`: fail closed); count updated. */
  setKeys(jwksUri: string, jwks: Jwks | { keys: object[] } | string | Uint8Array | null): number;
  /** The distinct `jwksUri`s of the providers. */
  readonly jwksUris: string[];
  /** The providers' issuers. */
  readonly issuers: string[];
}

/** What `Policy.evaluate` returns. */
export interface PolicyDecision {
  allowed: boolean;
  /** The policy whose rule decided, or null (no ALLOW policy, or nothing matched). */
  matchedPolicy: string | null;
  /** That rule's index, or null. */
  matchedRule: number | null;
  /** 200, 403 when denied, or the authentication rejection's 401/403. */
  httpStatus: number;
}

/** One `Policy.lint` warning. */
export interface PolicyWarning {
  /** e.g. `'SubjectContainsSlash'`. */
  kind: string;
  policy: string;
  rule: number;
  /** e.g. `'rules[0].from[0].source.requestPrincipals[1]'`. */
  field: string;
  message: string;
  fix: string;
}

/** Istio `AuthorizationPolicy` resources (the JWT-related subset); errors as `Authenticator`. */
export declare class Policy {
  constructor(config: object | string | Uint8Array);
  /**
   * Istio's evaluation (DENY first, then ALLOW) given the authentication outcome from
   * `Authenticator.authenticate` (absent/null: no identity). A rejected outcome is denied.
   */
  evaluate(request: AuthRequest, outcome?: AuthenticationOutcome | null): PolicyDecision;
  /** Istio traps in the policies; `issuers` (the `jwtRules` issuers) sharpen the checks. */
  lint(issuers?: string[]): PolicyWarning[];
  /** The number of policies. */
  readonly size: number;
}
