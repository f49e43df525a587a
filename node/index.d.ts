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
 * jose's `JWTVerifyOptions`, as far as meshauth implements them. `subject`, `typ`, `crit` and
 * `maxTokenAge` throw `InvalidArg` rather than being ignored.
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
  /** Claims that must be present: `'exp'`, and `'iss'`/`'aud'` when issuer/audience are set. */
  requiredClaims?: string[];
  /** Not supported (throws). */
  subject?: never;
  /** Not supported (throws). */
  typ?: never;
  /** Not supported (throws). */
  crit?: never;
  /** Not supported (throws); see `VerifyOptions.maxLifetime`. */
  maxTokenAge?: never;
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
