'use strict';
/**
 * meshauth for Node: a native, synchronous JWT/JWKS verifier with Envoy's semantics, plus a
 * jose-style async layer. Every check runs in the Rust core (`meshauth.node`); this file only
 * converts arguments and does I/O.
 * @module meshauth
 */

const native = require('./meshauth.node');

const { Jwks, verify, verifyComplete, decodeProtectedHeader, statuses } = native;

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
  maxTokenAge: 'use the meshauth option maxLifetime (bounds exp - iat), which is a different check',
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
  if (options.currentDate !== undefined) {
    if (!(options.currentDate instanceof Date)) throw invalidArg('currentDate must be a Date');
    out.now = Math.floor(options.currentDate.getTime() / 1000);
  }
  // Presence checks the core makes: exp always; iss and aud when they are also compared.
  const implied = { exp: true, iss: out.issuer !== undefined, aud: out.audiences !== undefined };
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
  const r = verifyComplete(jwt, toJwks(jwks), opts);
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

module.exports = {
  Jwks,
  verify,
  verifyComplete,
  decodeProtectedHeader,
  statuses,
  jwtVerify,
  createLocalJWKSet,
};
