'use strict';
/**
 * meshauth for Node: a native, synchronous JWT/JWKS verifier with Envoy's semantics, plus a
 * jose-style async layer. Every check runs in the Rust core (`meshauth.node`); this file only
 * converts arguments and does I/O.
 * @module meshauth
 */

const native = require('./meshauth.node');

const { Jwks, Scheduler, verifyComplete, decodeProtectedHeader, statuses } = native;

/**
 * Verifies a compact JWS against `jwks` and returns its claims; throws a `MeshAuthError`
 * (`.code` = status name, `.status` = number) when the token is rejected. The native side
 * returns the verified payload's JSON text; V8's own `JSON.parse` builds the object faster than
 * N-API calls can.
 * @param {string | Uint8Array} token
 * @param {Jwks} jwks
 * @param {import('./index').VerifyOptions} [options]
 * @returns {Record<string, unknown>}
 */
function verify(token, jwks, options) {
  return JSON.parse(native.verifyPayload(token, jwks, options));
}

/**
 * JSON text from a JSON argument: strings and bytes are passed through, anything else is
 * serialised with `JSON.stringify` (so a JWK or JWKS may be given as an object).
 * @param {unknown} value
 * @returns {string | Uint8Array}
 */
function jsonText(value) {
  if (typeof value === 'string' || value instanceof Uint8Array) return value;
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  throw invalidArg('expected JSON text, bytes or an object');
}

/**
 * Whether JWKS `newer` differs from `old` (strings, bytes or objects). Throws the status of an
 * unusable `newer`; an unusable `old` counts as changed.
 * @param {unknown} old
 * @param {unknown} newer
 * @returns {boolean}
 */
function jwksChanged(old, newer) {
  return native.jwksChanged(jsonText(old), jsonText(newer));
}

/**
 * Key-by-key difference of two JWKS documents: `{ changed, added, removed, modified }`, each key
 * named `{ kind: 'kid' | 'thumbprint' | 'digest', name }`.
 * @param {unknown} old
 * @param {unknown} newer
 * @returns {import('./index').JwksDiff}
 */
function jwksDiff(old, newer) {
  return native.jwksDiff(jsonText(old), jsonText(newer));
}

/**
 * RFC 7638 thumbprint (SHA-256, base64url) of a JWK given as an object or JSON text.
 * @param {object | string | Uint8Array} jwk
 * @returns {string}
 */
function jwkThumbprint(jwk) {
  return native.jwkThumbprint(jsonText(jwk));
}

/**
 * The canonical text of a JWKS document (equal for documents `jwksChanged` finds unchanged).
 * @param {unknown} data
 * @returns {string}
 */
function canonicalJwks(data) {
  return native.canonicalJwks(jsonText(data));
}

/**
 * An argument error, shaped like the native ones (`code === 'InvalidArg'`, no `.status`).
 * @param {string} message
 * @returns {Error}
 */
function invalidArg(message) {
  const err = new Error(message);
  err.code = 'InvalidArg';
  return err;
}

/** jose's time-span units, in seconds. */
const UNITS = { s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31557600 };
const SPAN = /^(\d+|\d+\.\d+) ?(seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|w|years?|yrs?|y)$/i;

/**
 * jose's `clockTolerance`: a number of seconds, or a span such as `'30s'`, `'1m'`, `'2 hours'`.
 * @param {number | string} value
 * @returns {number} whole seconds
 */
function seconds(value) {
  if (typeof value === 'number') return Math.round(value);
  const m = typeof value === 'string' ? SPAN.exec(value) : null;
  if (!m) throw invalidArg(`invalid time span ${JSON.stringify(value)}`);
  return Math.round(parseFloat(m[1]) * UNITS[m[2][0].toLowerCase()]);
}

/**
 * jose option names meshauth does not implement; passing one throws instead of silently
 * ignoring a check the caller asked for.
 */
const UNSUPPORTED = {
  subject: 'the "sub" claim check is not implemented',
  typ: 'the "typ" header check is not implemented',
  crit: 'meshauth rejects every "crit" extension',
};

/**
 * Maps jose's `JWTVerifyOptions` onto meshauth's verify options.
 * @param {import('./index').JWTVerifyOptions} options
 * @returns {import('./index').VerifyOptions}
 */
function fromJoseOptions(options) {
  for (const name of Object.keys(UNSUPPORTED)) {
    if (options[name] !== undefined) {
      throw invalidArg(`jwtVerify option ${name} is not supported: ${UNSUPPORTED[name]}`);
    }
  }
  const out = { clockSkew: 0, requireExp: false };
  if (options.issuer !== undefined) {
    const list = Array.isArray(options.issuer) ? options.issuer : [options.issuer];
    if (list.length !== 1) throw invalidArg('jwtVerify accepts exactly one issuer');
    out.issuer = list[0];
  }
  if (options.audience !== undefined) {
    out.audiences = Array.isArray(options.audience) ? options.audience : [options.audience];
  }
  if (options.clockTolerance !== undefined) out.clockSkew = seconds(options.clockTolerance);
  if (options.algorithms !== undefined) out.algorithms = options.algorithms;
  if (options.maxTokenAge !== undefined) out.maxAge = seconds(options.maxTokenAge);
  if (options.currentDate !== undefined) {
    if (!(options.currentDate instanceof Date)) throw invalidArg('currentDate must be a Date');
    out.now = Math.floor(options.currentDate.getTime() / 1000);
  }
  // Presence checks the core makes: exp always; iss and aud when they are also compared.
  const implied = {
    exp: true,
    iss: out.issuer !== undefined,
    aud: out.audiences !== undefined,
    iat: out.maxAge !== undefined,
  };
  for (const claim of options.requiredClaims ?? []) {
    if (!implied[claim]) throw invalidArg(`requiredClaims: "${claim}" is not supported`);
    if (claim === 'exp') out.requireExp = true;
  }
  return out;
}

/**
 * A key set from what a jose-style caller hands over: a `Jwks`, a JWKS object, or JWKS text.
 * @param {unknown} value
 * @returns {Jwks}
 */
function toJwks(value) {
  if (value instanceof Jwks) return value;
  if (typeof value === 'string' || value instanceof Uint8Array) return Jwks.fromJson(value);
  if (value !== null && typeof value === 'object') return Jwks.fromJson(JSON.stringify(value));
  throw invalidArg('expected a Jwks, a JWKS object or JWKS text');
}

/**
 * jose's `jwtVerify`: verifies `jwt` with the key set given (a `Jwks`, or a function such as
 * `createLocalJWKSet(...)` that returns one) and resolves to `{ payload, protectedHeader }`.
 * Rejections are meshauth errors (`.code` = status name, `.status` = number).
 * @param {string | Uint8Array} jwt
 * @param {Jwks | import('./index').JWTVerifyGetKey} keySet
 * @param {import('./index').JWTVerifyOptions} [options]
 * @returns {Promise<import('./index').JWTVerifyResult>}
 */
async function jwtVerify(jwt, keySet, options = {}) {
  const opts = fromJoseOptions(options);
  let jwks = keySet;
  if (typeof keySet === 'function') {
    jwks = await keySet(decodeProtectedHeader(jwt), jwt);
  }
  let r;
  try {
    r = verifyComplete(jwt, toJwks(jwks), opts);
  } catch (err) {
    // A remote set may refetch once for a kid it lacks, when its scheduler allows it.
    if (err.code !== 'JwksKidAlgMismatch' || typeof keySet?.reloadForUnknownKid !== 'function') {
      throw err;
    }
    const fresh = await keySet.reloadForUnknownKid();
    if (fresh === null) throw err;
    r = verifyComplete(jwt, fresh, opts);
  }
  return { payload: r.payload, protectedHeader: r.header };
}

/**
 * jose's `createLocalJWKSet`: parses the set once and returns a key-set function for
 * `jwtVerify`. `.jwks()` returns a copy of the document, `.keySet` the parsed `Jwks`.
 * @param {{ keys: object[] } | string | Uint8Array} jwks
 * @returns {import('./index').LocalJWKSet}
 */
function createLocalJWKSet(jwks) {
  const keySet = toJwks(jwks);
  const text = typeof jwks === 'string' || jwks instanceof Uint8Array
    ? Buffer.from(jwks).toString('utf8')
    : JSON.stringify(jwks);
  const local = () => keySet;
  Object.defineProperties(local, {
    jwks: { value: () => JSON.parse(text), enumerable: true },
    keySet: { value: keySet, enumerable: true },
  });
  return local;
}

/** Milliseconds standing for "never" in the scheduler (its times are integers). */
const NEVER = 2 ** 50;

/**
 * A duration option in milliseconds (`Infinity` = never).
 * @param {string} name
 * @param {unknown} value
 * @returns {number}
 */
function millis(name, value) {
  if (value === Infinity) return NEVER;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw invalidArg(`${name} must be a non-negative number of milliseconds`);
  }
  return Math.round(value);
}

/**
 * Reads a response body of at most `maxBytes`.
 * @param {Response} res
 * @param {number} maxBytes
 * @returns {Promise<Uint8Array>}
 */
async function readBody(res, maxBytes) {
  const declared = Number(res.headers.get('content-length'));
  if (declared > maxBytes) throw new Error(`body larger than ${maxBytes} bytes`);
  const body = new Uint8Array(await res.arrayBuffer());
  if (body.length > maxBytes) throw new Error(`body larger than ${maxBytes} bytes`);
  return body;
}

/**
 * jose's `createRemoteJWKSet`, driven by the core's refresh `Scheduler` (times in
 * milliseconds). The JavaScript only fetches (global `fetch`, `AbortSignal.timeout`); when to
 * fetch, single flight, backoff after failures, stale-if-error and the unknown-kid cooldown are
 * the scheduler's. Fetches happen when the function is called (no background timers): the first
 * call fetches; later calls refetch once `cacheMaxAge` has passed (waiting for that fetch, and
 * keeping the last good keys if it fails).
 *
 * With `discovery: true`, `url` is an issuer: its `/.well-known/openid-configuration` is
 * fetched first and must name that exact issuer; its `jwks_uri` is then fetched.
 * @param {string | URL} url
 * @param {import('./index').RemoteJWKSetOptions} [options]
 * @returns {import('./index').RemoteJWKSet}
 */
function createRemoteJWKSet(url, options = {}) {
  const target = url instanceof URL ? url.href : url;
  if (typeof target !== 'string') throw invalidArg('url must be a string or a URL');
  const {
    cacheMaxAge = 600000,
    cooldownDuration = 30000,
    timeoutDuration = 5000,
    allowHttp = false,
    discovery = false,
    headers = {},
  } = options;
  const timeout = millis('timeoutDuration', timeoutDuration);
  const scheduler = new Scheduler({
    refreshInterval: millis('cacheMaxAge', cacheMaxAge),
    unknownKidCooldown: millis('cooldownDuration', cooldownDuration),
    fetchTimeout: timeout,
    retryInitial: 60000,
    retryMax: 3600000,
    evictUnusedAfter: NEVER,
    evictUnrefreshedAfter: NEVER,
    allowHttp: Boolean(allowHttp),
  });
  const issuer = discovery ? target : '';
  const jwksUri = discovery ? null : target;
  let entry = scheduler.register(issuer, jwksUri, Date.now());
  /** @type {Map<number, Promise<void>>} the one fetch in flight per entry */
  const inFlight = new Map();
  let lastError;

  /** Performs one scheduler fetch and reports it; follows a discovery result at once. */
  async function run(f) {
    let outcome;
    try {
      const res = await fetch(f.url, {
        headers: { accept: 'application/json', ...headers },
        signal: AbortSignal.timeout(timeout),
      });
      if (!res.ok) throw new Error(`GET ${f.url}: HTTP ${res.status}`);
      const body = await readBody(res, f.maxBytes);
      outcome = scheduler.onFetched(f.entry, body, res.headers.get('cache-control'), Date.now());
    } catch (err) {
      lastError = err;
      try {
        scheduler.onFailed(f.entry, Date.now());
      } catch {
        // Already counted as failed at its deadline by the scheduler.
      }
      return;
    }
    if (outcome.outcome === 'rejected') {
      lastError = Object.assign(new Error(`GET ${f.url}: ${outcome.code}`), outcome);
    } else if (outcome.outcome === 'resolved') {
      const next = scheduler.poll(Date.now()).fetches.find((x) => x.entry === f.entry);
      if (next) await run(next);
    }
  }

  /** Starts the fetches the scheduler says are due; returns this set's one in flight. */
  function pump() {
    for (const f of scheduler.poll(Date.now()).fetches) {
      if (!inFlight.has(f.entry)) {
        inFlight.set(f.entry, run(f).finally(() => inFlight.delete(f.entry)));
      }
    }
    return inFlight.get(entry);
  }

  /** The last good keys, or `JwksFetchFail` (with the last fetch error as `cause`). */
  function current() {
    try {
      return scheduler.keys(entry);
    } catch (err) {
      if (lastError !== undefined) err.cause = lastError;
      throw err;
    }
  }

  const remote = async () => {
    try {
      scheduler.touch(entry, Date.now());
    } catch {
      entry = scheduler.register(issuer, jwksUri, Date.now());
    }
    await pump();
    return current();
  };
  Object.defineProperties(remote, {
    reloadForUnknownKid: {
      enumerable: true,
      value: async () => {
        const allowed = scheduler.onUnknownKid(entry, Date.now());
        const pending = allowed ? pump() : inFlight.get(entry);
        if (pending === undefined) return null;
        await pending;
        return current();
      },
    },
    info: { enumerable: true, value: () => scheduler.info(entry) },
  });
  return remote;
}

/**
 * The key set and the options of `verify` (without `now`), parsed once: `verifier.verify(token,
 * now?)` gives exactly what `verify(token, jwks, { ...options, now })` gives, with less work per
 * call. Immutable; keeps the `Jwks` it was given (`.jwks`): when the keys rotate, build a new
 * `Verifier` around the new `Jwks`.
 */
class Verifier {
  #native;
  #jwks;
  #settings;

  /**
   * @param {Jwks} jwks
   * @param {import('./index').VerifierOptions} [options] as `verify`'s, without `now`
   */
  constructor(jwks, options) {
    this.#native = native.verifierNew(jwks, options);
    this.#jwks = jwks;
    const settings = native.verifierSettings(this.#native);
    Object.freeze(settings.audiences);
    Object.freeze(settings.algorithms);
    this.#settings = Object.freeze(settings);
  }

  /**
   * Verifies `token` and returns its claims; throws a `MeshAuthError` as `verify` does.
   * @param {string | Uint8Array} token
   * @param {number | bigint} [now] Unix seconds; default the system clock
   * @returns {Record<string, unknown>}
   */
  verify(token, now) {
    // As `verify`: the payload's JSON text, parsed by V8.
    return JSON.parse(native.verifierVerifyPayload(this.#native, token, now));
  }

  /**
   * As `verifyComplete`: `{ header, payload, principal, scopes, keyIndex }`.
   * @param {string | Uint8Array} token
   * @param {number | bigint} [now]
   * @returns {import('./index').VerifiedToken}
   */
  verifyComplete(token, now) {
    return native.verifierVerifyComplete(this.#native, token, now);
  }

  /** The key set given to the constructor. */
  get jwks() {
    return this.#jwks;
  }

  /** The required issuer, or undefined. */
  get issuer() {
    return this.#settings.issuer ?? undefined;
  }

  /** The accepted audiences as compared (one leading http(s):// and one trailing / removed); frozen. */
  get audiences() {
    return this.#settings.audiences;
  }

  /** The clock skew in seconds. */
  get clockSkew() {
    return this.#settings.clockSkew;
  }

  /** The accepted algorithms; frozen. */
  get algorithms() {
    return this.#settings.algorithms;
  }
}

/** Where `Authenticator.authenticate` results keep the core outcome for `Policy.evaluate`. */
const OUTCOME = Symbol('meshauth.outcome');

/**
 * `[name, value]` pairs from an object (`{ name: value | value[] }`), a `Headers`/`Map`, or pairs.
 * @param {unknown} value
 * @param {string} what
 * @returns {string[][]}
 */
function toPairs(value, what) {
  if (value === undefined || value === null) return [];
  const entries = Array.isArray(value)
    ? value
    : typeof value.entries === 'function' && !(value.constructor === Object)
      ? [...value.entries()]
      : Object.entries(value);
  const out = [];
  for (const entry of entries) {
    if (!Array.isArray(entry) || entry.length !== 2) throw invalidArg(`${what} must be [name, value] pairs`);
    const [name, v] = entry;
    for (const one of Array.isArray(v) ? v : [v]) {
      if (one !== undefined) out.push([String(name), String(one)]);
    }
  }
  return out;
}

/**
 * The native request object from `{ method, path, headers, query?, cookies?, now?, host?,
 * scheme?, port? }`.
 * @param {import('./index').AuthRequest} request
 */
function toRequest(request) {
  if (request === null || typeof request !== 'object') throw invalidArg('request must be an object');
  return {
    ...request,
    headers: toPairs(request.headers, 'headers'),
    cookies: toPairs(request.cookies, 'cookies'),
  };
}

/**
 * Istio `RequestAuthentication` (Envoy's jwt_authn): `new Authenticator(config)` with config as
 * an object or JSON text in Istio's field names (resources, specs or arrays of them).
 */
class Authenticator {
  #native;

  /** @param {unknown} config */
  constructor(config) {
    this.#native = new native.Authenticator(jsonText(config));
  }

  /**
   * Authenticates a request; returns a plain outcome object (also accepted by
   * `Policy.evaluate`).
   * @param {import('./index').AuthRequest} request
   * @returns {import('./index').AuthenticationOutcome}
   */
  authenticate(request) {
    const outcome = this.#native.authenticate(toRequest(request));
    const view = outcome.view();
    Object.defineProperty(view, OUTCOME, { value: outcome });
    return view;
  }

  /**
   * Sets the keys of the providers with this `jwksUri` (`null`: unavailable, fail closed).
   * @param {string} jwksUri
   * @param {Jwks | object | string | Uint8Array | null} jwks
   * @returns {number} providers updated
   */
  setKeys(jwksUri, jwks) {
    return this.#native.setKeys(jwksUri, jwks === null ? null : toJwks(jwks));
  }

  /** The distinct `jwksUri`s the providers name. */
  get jwksUris() {
    return this.#native.jwksUris;
  }

  /** The providers' issuers. */
  get issuers() {
    return this.#native.issuers;
  }
}

/** Istio `AuthorizationPolicy` resources (the JWT subset): `new Policy(config)`. */
class Policy {
  #native;

  /** @param {unknown} config */
  constructor(config) {
    this.#native = new native.Policy(jsonText(config));
  }

  /**
   * Istio's evaluation: `{ allowed, matchedPolicy, matchedRule, httpStatus }`.
   * @param {import('./index').AuthRequest} request
   * @param {import('./index').AuthenticationOutcome | null} [outcome] from `authenticate`;
   *   absent or null: no identity
   */
  evaluate(request, outcome = null) {
    let core = null;
    if (outcome !== null && outcome !== undefined) {
      core = outcome[OUTCOME];
      if (core === undefined) throw invalidArg('outcome must come from Authenticator.authenticate');
    }
    const d = this.#native.evaluate(toRequest(request), core);
    return {
      allowed: d.allowed,
      matchedPolicy: d.matchedPolicy ?? null,
      matchedRule: d.matchedRule ?? null,
      httpStatus: d.httpStatus,
    };
  }

  /**
   * Istio traps in the policies; `issuers` (the `jwtRules` issuers) sharpen the checks.
   * @param {string[]} [issuers]
   */
  lint(issuers) {
    return this.#native.lint(issuers);
  }

  /** The number of policies. */
  get size() {
    return this.#native.size;
  }
}

module.exports = {
  Authenticator,
  Policy,
  Scheduler,
  jwksChanged,
  jwksDiff,
  jwkThumbprint,
  canonicalJwks,
  certInfo: native.certInfo,
  certExpiry: native.certExpiry,
  rotationDelay: native.rotationDelay,
  mergeTrustBundles: native.mergeTrustBundles,
  createRemoteJWKSet,
  Jwks,
  Verifier,
  verify,
  verifyComplete,
  decodeProtectedHeader,
  statuses,
  jwtVerify,
  createLocalJWKSet,
};
