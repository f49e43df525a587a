/* Every function of include/meshauth.h: results, NULL and bad-argument handling, the panic
 * barrier. Tokens and expected claim values come from fixtures.h (signed by Python's hmac in
 * gen_vectors.py); statuses are named by the C enum. */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "fixtures.h"

/* Test hook exported by the library but not declared in the header. */
meshauth_status meshauth_test_panic(void);

#define S(lit) (lit), (sizeof(lit) - 1)
#define U(lit) (const uint8_t *)(lit), (sizeof(lit) - 1)

static void test_status(void) {
  CHECK(MESHAUTH_STATUS_OK == 0);
  CHECK(strcmp(meshauth_status_name(MESHAUTH_STATUS_OK), "Ok") == 0);
  CHECK(strcmp(meshauth_status_name(MESHAUTH_STATUS_JWT_EXPIRED), "JwtExpired") == 0);
  CHECK(strcmp(meshauth_status_message(MESHAUTH_STATUS_JWT_EXPIRED), "Jwt is expired") == 0);
  CHECK(strcmp(meshauth_status_name(MESHAUTH_STATUS_JWKS_OKP_X_WRONG_LENGTH), "JwksOKPXWrongLength") == 0);
  CHECK(strcmp(meshauth_status_name(MESHAUTH_STATUS_PANIC), "Panic") == 0);
  CHECK(strcmp(meshauth_status_name((meshauth_status)9999), "Unknown") == 0);
  CHECK(strcmp(meshauth_status_name((meshauth_status)-1), "Unknown") == 0);
  CHECK(strcmp(meshauth_status_message((meshauth_status)9999), "Unknown status") == 0);
  CHECK(meshauth_status_http_status(MESHAUTH_STATUS_OK) == 200);
  CHECK(meshauth_status_http_status(MESHAUTH_STATUS_JWT_AUDIENCE_NOT_ALLOWED) == 403);
  CHECK(meshauth_status_http_status(MESHAUTH_STATUS_JWT_EXPIRED) == 401);
  CHECK(meshauth_status_http_status((meshauth_status)9999) == 500);
  /* Every enum value has a distinct, non-empty name and message. */
  for (int i = 0; i <= MESHAUTH_STATUS_PANIC; i++) {
    CHECK(strcmp(meshauth_status_name((meshauth_status)i), "Unknown") != 0);
    CHECK(strlen(meshauth_status_message((meshauth_status)i)) > 0);
    if (i > 0) CHECK(strcmp(meshauth_status_name((meshauth_status)i), meshauth_status_name((meshauth_status)(i - 1))) != 0);
  }
  CHECK(strcmp(meshauth_version(), MESHAUTH_VERSION) == 0);
  fprintf(stderr, "(a panic message from meshauth_test_panic is expected next)\n");
  CHECK_ST(meshauth_test_panic(), MESHAUTH_STATUS_PANIC);
}

static void test_jwks(void) {
  meshauth_jwks *j = (meshauth_jwks *)1;
  size_t n = 0;
  CHECK_ST(meshauth_jwks_from_json(U(FX_JWKS_REF), &j), MESHAUTH_STATUS_OK);
  CHECK(j != NULL);
  CHECK_ST(meshauth_jwks_len(j, &n), MESHAUTH_STATUS_OK);
  CHECK(n == FX_REF_KEYS);
  meshauth_key_info k;
  CHECK_ST(meshauth_jwks_key(j, 0, &k), MESHAUTH_STATUS_OK);
  CHECK_VIEW(k.kid, FX_HS_KID);
  CHECK_VIEW(k.alg, "HS256");
  CHECK_VIEW(k.kty, "oct");
  CHECK_VIEW(k.crv, NULL);
  CHECK(k.bits == 512);
  CHECK_ST(meshauth_jwks_key(j, 2, &k), MESHAUTH_STATUS_OK);
  CHECK_VIEW(k.kty, "EC");
  CHECK_VIEW(k.crv, "P-256");
  CHECK_ST(meshauth_jwks_key(j, 3, &k), MESHAUTH_STATUS_OK);
  CHECK_VIEW(k.crv, "Ed25519");
  CHECK_ST(meshauth_jwks_key(j, FX_REF_KEYS, &k), MESHAUTH_STATUS_INVALID_ARGUMENT);
  CHECK_ST(meshauth_jwks_key(j, 0, NULL), MESHAUTH_STATUS_NULL_ARGUMENT);
  CHECK_ST(meshauth_jwks_key(NULL, 0, &k), MESHAUTH_STATUS_NULL_ARGUMENT);
  CHECK_ST(meshauth_jwks_len(NULL, &n), MESHAUTH_STATUS_NULL_ARGUMENT);
  CHECK_ST(meshauth_jwks_len(j, NULL), MESHAUTH_STATUS_NULL_ARGUMENT);
  meshauth_jwks_free(j);

  /* Errors: the status of the document, *out set to NULL. */
  j = (meshauth_jwks *)1;
  CHECK_ST(meshauth_jwks_from_json(U("{\"keys\":[]}"), &j), MESHAUTH_STATUS_JWKS_NO_VALID_KEYS);
  CHECK(j == NULL);
  CHECK_ST(meshauth_jwks_from_json(U("{\"keys\":1}"), &j), MESHAUTH_STATUS_JWKS_BAD_KEYS);
  CHECK_ST(meshauth_jwks_from_json(U("{\"keys\":[],}"), &j), MESHAUTH_STATUS_JWKS_PARSE_ERROR);
  CHECK_ST(meshauth_jwks_from_json(NULL, 0, &j), MESHAUTH_STATUS_JWKS_PARSE_ERROR);
  CHECK_ST(meshauth_jwks_from_json(NULL, 5, &j), MESHAUTH_STATUS_NULL_ARGUMENT);
  CHECK_ST(meshauth_jwks_from_json(U(FX_JWKS_REF), NULL), MESHAUTH_STATUS_NULL_ARGUMENT);
  CHECK_ST(meshauth_jwks_from_json((const uint8_t *)"x", SIZE_MAX, &j), MESHAUTH_STATUS_INVALID_ARGUMENT);
  CHECK(j == NULL);

  /* Options: a size limit below the document, then legacy RSA off by default. */
  meshauth_jwks_options o;
  CHECK_ST(meshauth_jwks_options_default(&o), MESHAUTH_STATUS_OK);
  CHECK(!o.allow_legacy_rsa && o.max_bytes == 1u << 20 && o.max_keys == 512 && o.max_depth == 32);
  CHECK(o.ec_tables == 8);
  CHECK_ST(meshauth_jwks_options_default(NULL), MESHAUTH_STATUS_NULL_ARGUMENT);
  CHECK_ST(meshauth_jwks_from_json_with(U(FX_JWKS_REF), &o, &j), MESHAUTH_STATUS_OK);
  meshauth_jwks_free(j);
  CHECK_ST(meshauth_jwks_from_json_with(U(FX_JWKS_REF), NULL, &j), MESHAUTH_STATUS_OK);
  meshauth_jwks_free(j);
  o.max_bytes = 10;
  CHECK_ST(meshauth_jwks_from_json_with(U(FX_JWKS_REF), &o, &j), MESHAUTH_STATUS_JWKS_TOO_LARGE);
  o.max_bytes = 1u << 20;
  o.max_keys = 2;
  CHECK_ST(meshauth_jwks_from_json_with(U(FX_JWKS_REF), &o, &j), MESHAUTH_STATUS_JWKS_TOO_LARGE);
  CHECK(j == NULL);
  o.max_keys = 512;

  /* ec_tables: with the ECDSA tables (default) and without (0), the ES256 token verifies and
     its tampered twin fails with the same statuses. */
  char tampered[] = FX_TOKEN_ES256;
  tampered[sizeof(tampered) - 3] ^= 1; /* a different base64url character in the signature */
  meshauth_validation *ev = meshauth_validation_new();
  CHECK_ST(meshauth_validation_set_issuer(ev, S(FX_ISSUER)), MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_validation_add_audience(ev, S(FX_AUDIENCE)), MESHAUTH_STATUS_OK);
  for (size_t tables = 0; tables <= 8; tables += 8) {
    o.ec_tables = tables;
    CHECK_ST(meshauth_jwks_from_json_with(U(FX_JWKS_REF), &o, &j), MESHAUTH_STATUS_OK);
    CHECK_ST(meshauth_verify(j, ev, S(FX_TOKEN_ES256), FX_NOW, NULL), MESHAUTH_STATUS_OK);
    CHECK_ST(meshauth_verify(j, ev, tampered, strlen(tampered), FX_NOW, NULL),
             MESHAUTH_STATUS_JWT_VERIFICATION_FAIL);
    meshauth_jwks_free(j);
  }
  meshauth_validation_free(ev);

  /* PEM. */
  CHECK_ST(meshauth_jwks_from_pem(U(FX_PEM_RSA), &j), MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_jwks_len(j, &n), MESHAUTH_STATUS_OK);
  CHECK(n == FX_PEM_KEYS);
  CHECK_ST(meshauth_jwks_key(j, 0, &k), MESHAUTH_STATUS_OK);
  CHECK_VIEW(k.kty, "RSA");
  CHECK_VIEW(k.kid, NULL);
  CHECK_VIEW(k.alg, NULL);
  CHECK(k.bits == 2048);
  meshauth_jwks_free(j);
  CHECK_ST(meshauth_jwks_from_pem(U("not a pem"), &j), MESHAUTH_STATUS_JWKS_PEM_BAD_BASE64);
  CHECK_ST(meshauth_jwks_from_pem(U(FX_PEM_RSA), NULL), MESHAUTH_STATUS_NULL_ARGUMENT);
  CHECK_ST(meshauth_jwks_from_pem_with(U(FX_PEM_RSA), S("k1"), S("RS256"), &j), MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_jwks_key(j, 0, &k), MESHAUTH_STATUS_OK);
  CHECK_VIEW(k.kid, "k1");
  CHECK_VIEW(k.alg, "RS256");
  meshauth_jwks_free(j);
  CHECK_ST(meshauth_jwks_from_pem_with(U(FX_PEM_RSA), NULL, 0, NULL, 0, &j), MESHAUTH_STATUS_OK);
  meshauth_jwks_free(j);
  CHECK_ST(meshauth_jwks_from_pem_with(U(FX_PEM_RSA), "\xff", 1, NULL, 0, &j), MESHAUTH_STATUS_INVALID_UTF8);
  CHECK(j == NULL);

  CHECK_ST(meshauth_jwks_empty(&j), MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_jwks_len(j, &n), MESHAUTH_STATUS_OK);
  CHECK(n == 0);
  meshauth_validation *v = meshauth_validation_new();
  CHECK_ST(meshauth_verify(j, v, S(FX_TOKEN), FX_NOW, NULL), MESHAUTH_STATUS_JWKS_KID_ALG_MISMATCH);
  meshauth_validation_free(v);
  meshauth_jwks_free(j);
  CHECK_ST(meshauth_jwks_empty(NULL), MESHAUTH_STATUS_NULL_ARGUMENT);
  meshauth_jwks_free(NULL);
}

static void test_validation(const meshauth_jwks *j) {
  meshauth_validation *v = meshauth_validation_new();
  CHECK(v != NULL);
  /* Defaults: the fixture token verifies at FX_NOW with no checks configured. */
  CHECK_ST(meshauth_verify(j, v, S(FX_TOKEN), FX_NOW, NULL), MESHAUTH_STATUS_OK);

  CHECK_ST(meshauth_validation_set_issuer(v, S("https://other.example")), MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_verify(j, v, S(FX_TOKEN), FX_NOW, NULL), MESHAUTH_STATUS_JWT_UNKNOWN_ISSUER);
  CHECK_ST(meshauth_validation_set_issuer(v, S("https://issuer.example")), MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_verify(j, v, S(FX_TOKEN), FX_NOW, NULL), MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_validation_set_issuer(v, "\xc3\x28", 2), MESHAUTH_STATUS_INVALID_UTF8);
  CHECK_ST(meshauth_validation_set_issuer(v, NULL, 3), MESHAUTH_STATUS_NULL_ARGUMENT);
  CHECK_ST(meshauth_validation_set_issuer(NULL, S("x")), MESHAUTH_STATUS_NULL_ARGUMENT);
  CHECK_ST(meshauth_validation_set_issuer(v, "x", (size_t)PTRDIFF_MAX + 1), MESHAUTH_STATUS_INVALID_ARGUMENT);
  /* Failed setters left the issuer unchanged. */
  CHECK_ST(meshauth_verify(j, v, S(FX_TOKEN), FX_NOW, NULL), MESHAUTH_STATUS_OK);

  CHECK_ST(meshauth_validation_add_audience(v, S("https://nobody/")), MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_verify(j, v, S(FX_TOKEN), FX_NOW, NULL), MESHAUTH_STATUS_JWT_AUDIENCE_NOT_ALLOWED);
  CHECK_ST(meshauth_validation_add_audience(v, S("http://other/")), MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_verify(j, v, S(FX_TOKEN), FX_NOW, NULL), MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_verify(j, v, S(FX_TOKEN_BARE), FX_NOW, NULL), MESHAUTH_STATUS_JWT_AUDIENCE_NOT_ALLOWED);
  CHECK_ST(meshauth_validation_add_audience(NULL, S("a")), MESHAUTH_STATUS_NULL_ARGUMENT);
  CHECK_ST(meshauth_validation_add_audience(v, "\xff", 1), MESHAUTH_STATUS_INVALID_UTF8);

  /* Clock skew: exp is FX_EXP; 30 s after it fails with skew 0, passes with the default 60. */
  CHECK_ST(meshauth_verify(j, v, S(FX_TOKEN), FX_EXP + 30, NULL), MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_validation_set_clock_skew(v, 0), MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_verify(j, v, S(FX_TOKEN), FX_EXP + 30, NULL), MESHAUTH_STATUS_JWT_EXPIRED);
  CHECK_ST(meshauth_verify(j, v, S(FX_TOKEN), FX_IAT - 1, NULL), MESHAUTH_STATUS_JWT_NOT_YET_VALID);
  CHECK_ST(meshauth_validation_set_clock_skew(NULL, 0), MESHAUTH_STATUS_NULL_ARGUMENT);

  /* Algorithms by name. */
  CHECK_ST(meshauth_validation_set_algorithms(v, S("RS256, ES256")), MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_verify(j, v, S(FX_TOKEN), FX_NOW, NULL), MESHAUTH_STATUS_JWT_ALG_NOT_ALLOWED);
  CHECK_ST(meshauth_validation_set_algorithms(v, S("RS256,HS256")), MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_verify(j, v, S(FX_TOKEN), FX_NOW, NULL), MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_validation_set_algorithms(v, S("RS256 hs256")), MESHAUTH_STATUS_INVALID_ARGUMENT);
  CHECK_ST(meshauth_validation_set_algorithms(v, S("none")), MESHAUTH_STATUS_INVALID_ARGUMENT);
  CHECK_ST(meshauth_verify(j, v, S(FX_TOKEN), FX_NOW, NULL), MESHAUTH_STATUS_OK); /* unchanged */
  CHECK_ST(meshauth_validation_set_algorithms(v, S("")), MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_verify(j, v, S(FX_TOKEN), FX_NOW, NULL), MESHAUTH_STATUS_JWT_ALG_NOT_ALLOWED);
  CHECK_ST(meshauth_validation_set_algorithms(v, S("HS256")), MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_validation_set_algorithms(NULL, S("HS256")), MESHAUTH_STATUS_NULL_ARGUMENT);

  /* require_exp, max_token_bytes, max_lifetime, max_age. */
  meshauth_validation *bare = meshauth_validation_new();
  CHECK_ST(meshauth_verify(j, bare, S(FX_TOKEN_BARE), FX_NOW, NULL), MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_validation_set_require_exp(bare, true), MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_verify(j, bare, S(FX_TOKEN_BARE), FX_NOW, NULL), MESHAUTH_STATUS_JWT_MISSING_EXP);
  CHECK_ST(meshauth_validation_set_require_exp(bare, false), MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_validation_set_require_exp(NULL, true), MESHAUTH_STATUS_NULL_ARGUMENT);
  CHECK_ST(meshauth_validation_set_max_token_bytes(bare, sizeof(FX_TOKEN_BARE) - 2), MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_verify(j, bare, S(FX_TOKEN_BARE), FX_NOW, NULL), MESHAUTH_STATUS_JWT_TOO_LARGE);
  meshauth_verified *out = (meshauth_verified *)1;
  CHECK_ST(meshauth_verify(j, bare, S(FX_TOKEN_BARE), FX_NOW, &out), MESHAUTH_STATUS_JWT_TOO_LARGE);
  CHECK(out == NULL);
  CHECK_ST(meshauth_validation_set_max_token_bytes(bare, sizeof(FX_TOKEN_BARE) - 1), MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_verify(j, bare, S(FX_TOKEN_BARE), FX_NOW, NULL), MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_validation_set_max_token_bytes(NULL, 1), MESHAUTH_STATUS_NULL_ARGUMENT);
  CHECK_ST(meshauth_validation_set_max_token_bytes(bare, 16384), MESHAUTH_STATUS_OK);
  /* Lifetime exp - iat = FX_EXP - FX_IAT. */
  CHECK_ST(meshauth_validation_set_max_lifetime(bare, true, (uint64_t)(FX_EXP - FX_IAT - 1)), MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_verify(j, bare, S(FX_TOKEN), FX_NOW, NULL), MESHAUTH_STATUS_JWT_LIFETIME_TOO_LONG);
  CHECK_ST(meshauth_verify(j, bare, S(FX_TOKEN_BARE), FX_NOW, NULL), MESHAUTH_STATUS_JWT_MISSING_EXP);
  CHECK_ST(meshauth_validation_set_max_lifetime(bare, true, (uint64_t)(FX_EXP - FX_IAT)), MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_verify(j, bare, S(FX_TOKEN), FX_NOW, NULL), MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_validation_set_max_lifetime(bare, false, 0), MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_verify(j, bare, S(FX_TOKEN_BARE), FX_NOW, NULL), MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_validation_set_max_lifetime(NULL, false, 0), MESHAUTH_STATUS_NULL_ARGUMENT);
  /* max_age: at FX_NOW the token is FX_NOW - FX_IAT old, which may reach max_age + 60 s skew. */
  CHECK_ST(meshauth_validation_set_max_age(bare, true, (uint64_t)(FX_NOW - FX_IAT - 60)), MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_verify(j, bare, S(FX_TOKEN), FX_NOW, NULL), MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_validation_set_max_age(bare, true, (uint64_t)(FX_NOW - FX_IAT - 61)), MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_verify(j, bare, S(FX_TOKEN), FX_NOW, NULL), MESHAUTH_STATUS_JWT_EXPIRED);
  CHECK_ST(meshauth_verify(j, bare, S(FX_TOKEN_BARE), FX_NOW, NULL), MESHAUTH_STATUS_JWT_MISSING_IAT);
  CHECK_ST(meshauth_validation_set_max_age(bare, false, 0), MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_verify(j, bare, S(FX_TOKEN_BARE), FX_NOW, NULL), MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_validation_set_max_age(NULL, false, 0), MESHAUTH_STATUS_NULL_ARGUMENT);
  meshauth_validation_free(bare);
  meshauth_validation_free(v);
  meshauth_validation_free(NULL);
}

static int hexval(char c) { return c <= '9' ? c - '0' : c - 'a' + 10; }

static void test_verify_and_verified(const meshauth_jwks *j) {
  meshauth_validation *v = meshauth_validation_new();
  meshauth_verified *t = (meshauth_verified *)1;
  /* NULL and bad arguments. */
  CHECK_ST(meshauth_verify(NULL, v, S(FX_TOKEN), FX_NOW, &t), MESHAUTH_STATUS_NULL_ARGUMENT);
  CHECK(t == NULL);
  CHECK_ST(meshauth_verify(j, NULL, S(FX_TOKEN), FX_NOW, &t), MESHAUTH_STATUS_NULL_ARGUMENT);
  CHECK_ST(meshauth_verify(j, v, NULL, 10, FX_NOW, &t), MESHAUTH_STATUS_NULL_ARGUMENT);
  CHECK_ST(meshauth_verify(j, v, NULL, 0, FX_NOW, &t), MESHAUTH_STATUS_JWT_BAD_FORMAT);
  CHECK_ST(meshauth_verify(j, v, "x", SIZE_MAX, FX_NOW, &t), MESHAUTH_STATUS_INVALID_ARGUMENT);
  CHECK_ST(meshauth_verify(j, v, S("a.b\xff.c"), FX_NOW, &t), MESHAUTH_STATUS_JWT_BAD_FORMAT);
  CHECK(t == NULL);
  /* A wrong signature: flip the last signature character. */
  char bad[] = FX_TOKEN;
  bad[sizeof(bad) - 2] = bad[sizeof(bad) - 2] == 'A' ? 'Q' : 'A';
  CHECK_ST(meshauth_verify(j, v, bad, sizeof(bad) - 1, FX_NOW, &t), MESHAUTH_STATUS_JWT_VERIFICATION_FAIL);

  /* Success: the handle owns a copy of the token. */
  char buf[] = FX_TOKEN;
  CHECK_ST(meshauth_verify(j, v, buf, sizeof(buf) - 1, FX_NOW, &t), MESHAUTH_STATUS_OK);
  CHECK(t != NULL);
  memset(buf, 'x', sizeof(buf) - 1);
  meshauth_str s;
  CHECK_ST(meshauth_verified_alg(t, &s), MESHAUTH_STATUS_OK);
  CHECK_VIEW(s, "HS256");
  CHECK_ST(meshauth_verified_kid(t, &s), MESHAUTH_STATUS_OK);
  CHECK_VIEW(s, FX_HS_KID);
  CHECK_ST(meshauth_verified_typ(t, &s), MESHAUTH_STATUS_OK);
  CHECK_VIEW(s, "JWT");
  CHECK_ST(meshauth_verified_issuer(t, &s), MESHAUTH_STATUS_OK);
  CHECK_VIEW(s, "https://issuer.example");
  CHECK_ST(meshauth_verified_subject(t, &s), MESHAUTH_STATUS_OK);
  CHECK_VIEW(s, "alice");
  CHECK_ST(meshauth_verified_jti(t, &s), MESHAUTH_STATUS_OK);
  CHECK_VIEW(s, "id-1");
  CHECK_ST(meshauth_verified_principal(t, &s), MESHAUTH_STATUS_OK);
  CHECK_VIEW(s, "https://issuer.example/alice");
  size_t n = 0;
  CHECK_ST(meshauth_verified_audience_count(t, &n), MESHAUTH_STATUS_OK);
  CHECK(n == 2);
  CHECK_ST(meshauth_verified_audience(t, 0, &s), MESHAUTH_STATUS_OK);
  CHECK_VIEW(s, "meshauth-test");
  CHECK_ST(meshauth_verified_audience(t, 1, &s), MESHAUTH_STATUS_OK);
  CHECK_VIEW(s, "other");
  CHECK_ST(meshauth_verified_audience(t, 2, &s), MESHAUTH_STATUS_INVALID_ARGUMENT);
  CHECK_ST(meshauth_verified_scope_count(t, &n), MESHAUTH_STATUS_OK);
  CHECK(n == 3);
  CHECK_ST(meshauth_verified_scope(t, 2, &s), MESHAUTH_STATUS_OK);
  CHECK_VIEW(s, "admin");
  CHECK_ST(meshauth_verified_scope(t, 3, &s), MESHAUTH_STATUS_INVALID_ARGUMENT);
  bool present = false;
  uint64_t when = 0;
  CHECK_ST(meshauth_verified_exp(t, &present, &when), MESHAUTH_STATUS_OK);
  CHECK(present && when == (uint64_t)FX_EXP);
  CHECK_ST(meshauth_verified_iat(t, &present, &when), MESHAUTH_STATUS_OK);
  CHECK(present && when == (uint64_t)FX_IAT);
  CHECK_ST(meshauth_verified_nbf(t, &present, &when), MESHAUTH_STATUS_OK);
  CHECK(present && when == (uint64_t)FX_IAT);
  CHECK_ST(meshauth_verified_payload_b64(t, &s), MESHAUTH_STATUS_OK);
  CHECK_VIEW(s, FX_TOKEN_PAYLOAD_B64);
  CHECK_ST(meshauth_verified_header_json(t, &s), MESHAUTH_STATUS_OK);
  CHECK_VIEW(s, "{\"alg\":\"HS256\",\"kid\":\"hs-1\",\"typ\":\"JWT\"}");
  CHECK_ST(meshauth_verified_payload_json(t, &s), MESHAUTH_STATUS_OK);
  CHECK(s.len > 0 && s.ptr[0] == '{' && s.ptr[s.len - 1] == '}');
  CHECK_ST(meshauth_verified_claim(t, S("tenant"), &s), MESHAUTH_STATUS_OK);
  CHECK_VIEW(s, FX_TENANT_JSON);
  CHECK_ST(meshauth_verified_claim(t, S("tenant.tier"), &s), MESHAUTH_STATUS_OK);
  CHECK_VIEW(s, "3");
  CHECK_ST(meshauth_verified_claim(t, S("tenant.nope"), &s), MESHAUTH_STATUS_OK);
  CHECK_VIEW(s, NULL);
  CHECK_ST(meshauth_verified_claim(t, S("esc"), &s), MESHAUTH_STATUS_OK);
  {
    const char *hex = FX_ESC_JSON_UTF8_HEX;
    int same = s.len * 2 == strlen(hex);
    for (size_t i = 0; same && i < s.len; i++)
      same = (unsigned char)s.ptr[i] == (hexval(hex[2 * i]) << 4 | hexval(hex[2 * i + 1]));
    CHECK(same);
    if (!same) fprintf(stderr, "esc claim: %.*s\n", (int)s.len, s.ptr);
  }
  CHECK_ST(meshauth_verified_claim_text(t, S("esc"), &s), MESHAUTH_STATUS_OK);
  CHECK(s.len == 6 && memcmp(s.ptr, "caf\xc3\xa9\n", 6) == 0);
  meshauth_str again;
  CHECK_ST(meshauth_verified_claim_text(t, S("esc"), &again), MESHAUTH_STATUS_OK);
  CHECK(again.len == 6 && memcmp(again.ptr, "caf\xc3\xa9\n", 6) == 0);
  CHECK(s.len == 6 && memcmp(s.ptr, "caf\xc3\xa9\n", 6) == 0); /* the first view is still valid */
  CHECK_ST(meshauth_verified_claim_text(t, S("sub"), &s), MESHAUTH_STATUS_OK);
  CHECK_VIEW(s, "alice");
  CHECK_ST(meshauth_verified_claim_text(t, S("tenant.id"), &s), MESHAUTH_STATUS_OK);
  CHECK_VIEW(s, "t\"1");
  CHECK_ST(meshauth_verified_claim_text(t, S("tenant.tier"), &s), MESHAUTH_STATUS_OK);
  CHECK_VIEW(s, "3");
  CHECK_ST(meshauth_verified_claim_text(t, S("missing"), &s), MESHAUTH_STATUS_OK);
  CHECK_VIEW(s, NULL);
  CHECK_ST(meshauth_verified_claim_text(NULL, S("sub"), &s), MESHAUTH_STATUS_NULL_ARGUMENT);
  CHECK_ST(meshauth_verified_claim_text(t, S("sub"), NULL), MESHAUTH_STATUS_NULL_ARGUMENT);
  CHECK_ST(meshauth_verified_claim_text(t, "\xff", 1, &s), MESHAUTH_STATUS_INVALID_UTF8);
  CHECK_ST(meshauth_verified_claim(t, "\xff", 1, &s), MESHAUTH_STATUS_INVALID_UTF8);
  CHECK_ST(meshauth_verified_claim(t, NULL, 1, &s), MESHAUTH_STATUS_NULL_ARGUMENT);
  CHECK_ST(meshauth_verified_key_index(t, &n), MESHAUTH_STATUS_OK);
  CHECK(n == 0);

  /* NULL handle or out pointer on every accessor. */
  typedef meshauth_status (*view_fn)(const meshauth_verified *, meshauth_str *);
  view_fn views[] = {meshauth_verified_alg,        meshauth_verified_kid,          meshauth_verified_typ,
                     meshauth_verified_issuer,     meshauth_verified_subject,      meshauth_verified_jti,
                     meshauth_verified_principal,  meshauth_verified_header_json,  meshauth_verified_payload_json,
                     meshauth_verified_payload_b64};
  for (size_t i = 0; i < sizeof(views) / sizeof(views[0]); i++) {
    s.ptr = "junk";
    CHECK_ST(views[i](NULL, &s), MESHAUTH_STATUS_NULL_ARGUMENT);
    CHECK(s.ptr == NULL && s.len == 0);
    CHECK_ST(views[i](t, NULL), MESHAUTH_STATUS_NULL_ARGUMENT);
  }
  typedef meshauth_status (*time_fn)(const meshauth_verified *, bool *, uint64_t *);
  time_fn times[] = {meshauth_verified_exp, meshauth_verified_nbf, meshauth_verified_iat};
  for (size_t i = 0; i < 3; i++) {
    CHECK_ST(times[i](NULL, &present, &when), MESHAUTH_STATUS_NULL_ARGUMENT);
    CHECK_ST(times[i](t, NULL, &when), MESHAUTH_STATUS_NULL_ARGUMENT);
    CHECK_ST(times[i](t, &present, NULL), MESHAUTH_STATUS_NULL_ARGUMENT);
  }
  CHECK_ST(meshauth_verified_audience_count(NULL, &n), MESHAUTH_STATUS_NULL_ARGUMENT);
  CHECK_ST(meshauth_verified_audience_count(t, NULL), MESHAUTH_STATUS_NULL_ARGUMENT);
  CHECK_ST(meshauth_verified_audience(NULL, 0, &s), MESHAUTH_STATUS_NULL_ARGUMENT);
  CHECK_ST(meshauth_verified_scope_count(NULL, &n), MESHAUTH_STATUS_NULL_ARGUMENT);
  CHECK_ST(meshauth_verified_scope(t, 0, NULL), MESHAUTH_STATUS_NULL_ARGUMENT);
  CHECK_ST(meshauth_verified_claim(NULL, S("a"), &s), MESHAUTH_STATUS_NULL_ARGUMENT);
  CHECK_ST(meshauth_verified_key_index(NULL, &n), MESHAUTH_STATUS_NULL_ARGUMENT);
  CHECK_ST(meshauth_verified_key_index(t, NULL), MESHAUTH_STATUS_NULL_ARGUMENT);
  meshauth_verified_free(t);

  /* A token without optional claims: absent views and times. */
  CHECK_ST(meshauth_verify(j, v, S(FX_TOKEN_BARE), FX_NOW, &t), MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_verified_kid(t, &s), MESHAUTH_STATUS_OK);
  CHECK_VIEW(s, NULL);
  CHECK_ST(meshauth_verified_subject(t, &s), MESHAUTH_STATUS_OK);
  CHECK_VIEW(s, NULL);
  CHECK_ST(meshauth_verified_principal(t, &s), MESHAUTH_STATUS_OK);
  CHECK_VIEW(s, NULL);
  CHECK_ST(meshauth_verified_audience_count(t, &n), MESHAUTH_STATUS_OK);
  CHECK(n == 0);
  CHECK_ST(meshauth_verified_exp(t, &present, &when), MESHAUTH_STATUS_OK);
  CHECK(!present && when == 0);
  meshauth_verified_free(t);
  meshauth_verified_free(NULL);
  meshauth_validation_free(v);
}

int main(void) {
  test_status();
  test_jwks();
  meshauth_jwks *j = NULL;
  CHECK_ST(meshauth_jwks_from_json(U(FX_JWKS_REF), &j), MESHAUTH_STATUS_OK);
  test_validation(j);
  test_verify_and_verified(j);
  meshauth_jwks_free(j);
  return finish("c-test api");
}
