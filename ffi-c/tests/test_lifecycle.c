/* The key-lifecycle and request functions of include/meshauth.h: JWKS comparison, diff,
 * thumbprints, canonical form, certificates, rotation, the refresh scheduler, the authenticator
 * and policies, with NULL and bad-argument cases. Expected values come from the shared vectors
 * (flattened into lifecycle.h by gen_vectors.py), Istio's test rows and worked examples. */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "fixtures.h"
#include "lifecycle.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define S(lit) (lit), (sizeof(lit) - 1)
#define U(lit) (const uint8_t *)(lit), (sizeof(lit) - 1)
#define UZ(str) (const uint8_t *)(str), strlen(str)

static const char BAD_UTF8[] = "\xff\xfe";

static void test_changed(void) {
  for (size_t i = 0; i < N(FX_CHANGED); i++) {
    const fx_changed *c = &FX_CHANGED[i];
    bool changed = false;
    meshauth_status st = meshauth_jwks_changed(UZ(c->old_json), UZ(c->new_json), &changed);
    const char *got = st != MESHAUTH_STATUS_OK ? meshauth_status_name(st) : changed ? "changed" : "unchanged";
    checks_run++;
    if (strcmp(got, c->expect) != 0) {
      checks_failed++;
      fprintf(stderr, "FAIL jwks_changed %s: got %s, want %s\n", c->name, got, c->expect);
    }
  }
  bool b = true;
  CHECK_ST(meshauth_jwks_changed(NULL, 0, U("{\"keys\":[]}"), NULL), MESHAUTH_STATUS_NULL_ARGUMENT);
  CHECK_ST(meshauth_jwks_changed(NULL, 5, U("{\"keys\":[]}"), &b), MESHAUTH_STATUS_NULL_ARGUMENT);
  CHECK_ST(meshauth_jwks_changed(U("{}"), NULL, 3, &b), MESHAUTH_STATUS_NULL_ARGUMENT);
  CHECK_ST(meshauth_jwks_changed(U("{}"), (const uint8_t *)"x", SIZE_MAX, &b), MESHAUTH_STATUS_INVALID_ARGUMENT);
  CHECK_ST(meshauth_jwks_changed(NULL, 0, NULL, 0, &b), MESHAUTH_STATUS_JWKS_PARSE_ERROR);
  b = false; /* old NULL/0 = empty: changed */
  CHECK_ST(meshauth_jwks_changed(NULL, 0, U("{\"keys\":[]}"), &b), MESHAUTH_STATUS_OK);
  CHECK(b);
  CHECK_ST(meshauth_jwks_changed(U("{}"), U("\xff"), &b), MESHAUTH_STATUS_JWKS_PARSE_ERROR);
}

static void test_diff_and_canonical(void) {
  /* Worked example: old {a, b, kid-less k1}, new {a modified, c, k1}: added c, removed b,
   * modified a; the kid-less key is named by its thumbprint and is in neither list. */
  const char *old_json = "{\"keys\":[{\"kid\":\"a\",\"kty\":\"oct\",\"k\":\"AA\"},{\"kid\":\"b\",\"kty\":\"oct\",\"k\":\"BB\"},"
                         "{\"kty\":\"oct\",\"k\":\"CC\"}]}";
  const char *new_json = "{\"keys\":[{\"kty\":\"oct\",\"k\":\"CC\"},{\"kid\":\"c\",\"kty\":\"oct\",\"k\":\"DD\"},"
                         "{\"kid\":\"a\",\"kty\":\"oct\",\"k\":\"A1\"}]}";
  meshauth_jwks_diff_result *d = (meshauth_jwks_diff_result *)1;
  size_t n = 99;
  meshauth_str name, kind;
  CHECK_ST(meshauth_jwks_diff(UZ(old_json), UZ(new_json), &d), MESHAUTH_STATUS_OK);
  CHECK(d != NULL);
  CHECK_ST(meshauth_jwks_diff_count(d, MESHAUTH_JWKS_DIFF_ADDED, &n), MESHAUTH_STATUS_OK);
  CHECK(n == 1);
  CHECK_ST(meshauth_jwks_diff_name(d, MESHAUTH_JWKS_DIFF_ADDED, 0, &name, &kind), MESHAUTH_STATUS_OK);
  CHECK_VIEW(name, "c");
  CHECK_VIEW(kind, "kid");
  CHECK_ST(meshauth_jwks_diff_count(d, MESHAUTH_JWKS_DIFF_REMOVED, &n), MESHAUTH_STATUS_OK);
  CHECK(n == 1);
  CHECK_ST(meshauth_jwks_diff_name(d, MESHAUTH_JWKS_DIFF_REMOVED, 0, &name, NULL), MESHAUTH_STATUS_OK);
  CHECK_VIEW(name, "b");
  CHECK_ST(meshauth_jwks_diff_count(d, MESHAUTH_JWKS_DIFF_MODIFIED, &n), MESHAUTH_STATUS_OK);
  CHECK(n == 1);
  CHECK_ST(meshauth_jwks_diff_name(d, MESHAUTH_JWKS_DIFF_MODIFIED, 0, &name, &kind), MESHAUTH_STATUS_OK);
  CHECK_VIEW(name, "a");
  CHECK_ST(meshauth_jwks_diff_name(d, MESHAUTH_JWKS_DIFF_MODIFIED, 1, &name, &kind), MESHAUTH_STATUS_INVALID_ARGUMENT);
  CHECK_VIEW(name, NULL);
  CHECK_ST(meshauth_jwks_diff_count(d, 7, &n), MESHAUTH_STATUS_INVALID_ARGUMENT);
  CHECK_ST(meshauth_jwks_diff_count(d, -1, &n), MESHAUTH_STATUS_INVALID_ARGUMENT);
  CHECK_ST(meshauth_jwks_diff_count(NULL, 0, &n), MESHAUTH_STATUS_NULL_ARGUMENT);
  CHECK_ST(meshauth_jwks_diff_count(d, 0, NULL), MESHAUTH_STATUS_NULL_ARGUMENT);
  CHECK_ST(meshauth_jwks_diff_name(d, 0, 0, NULL, &kind), MESHAUTH_STATUS_NULL_ARGUMENT);
  meshauth_jwks_diff_free(d);
  meshauth_jwks_diff_free(NULL);
  /* A kid-less key added: named by its RFC 7638 thumbprint (RFC 8037 A.3's key has no kid). */
  char jwks_doc[2048];
  snprintf(jwks_doc, sizeof jwks_doc, "{\"keys\":[%s]}", FX_THUMBS[1].jwk);
  CHECK_ST(meshauth_jwks_diff(U("{\"keys\":[]}"), UZ(jwks_doc), &d), MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_jwks_diff_name(d, MESHAUTH_JWKS_DIFF_ADDED, 0, &name, &kind), MESHAUTH_STATUS_OK);
  CHECK_VIEW(kind, "thumbprint");
  CHECK_VIEW(name, FX_THUMBS[1].b64url);
  meshauth_jwks_diff_free(d);
  d = (meshauth_jwks_diff_result *)1;
  CHECK_ST(meshauth_jwks_diff(U("{}"), U("null"), &d), MESHAUTH_STATUS_JWKS_PARSE_ERROR);
  CHECK(d == NULL);
  CHECK_ST(meshauth_jwks_diff(U("{}"), U("{\"keys\":[]}"), NULL), MESHAUTH_STATUS_NULL_ARGUMENT);

  /* Thumbprints: RFC 7638 §3.1 and RFC 8037 A.3. */
  for (size_t i = 0; i < N(FX_THUMBS); i++) {
    uint8_t t[32];
    char hex[65], b64[MESHAUTH_THUMBPRINT_B64_LEN + 1];
    CHECK_ST(meshauth_jwk_thumbprint(UZ(FX_THUMBS[i].jwk), t), MESHAUTH_STATUS_OK);
    for (int k = 0; k < 32; k++) snprintf(hex + 2 * k, 3, "%02x", t[k]);
    CHECK(strcmp(hex, FX_THUMBS[i].sha256_hex) == 0);
    CHECK_ST(meshauth_jwk_thumbprint_b64(UZ(FX_THUMBS[i].jwk), b64), MESHAUTH_STATUS_OK);
    CHECK(strcmp(b64, FX_THUMBS[i].b64url) == 0);
  }
  uint8_t t[32];
  char b64[MESHAUTH_THUMBPRINT_B64_LEN + 1] = "unchanged";
  CHECK_ST(meshauth_jwk_thumbprint(UZ(FX_THUMBS[0].jwk), NULL), MESHAUTH_STATUS_NULL_ARGUMENT);
  CHECK_ST(meshauth_jwk_thumbprint(NULL, 4, t), MESHAUTH_STATUS_NULL_ARGUMENT);
  CHECK_ST(meshauth_jwk_thumbprint(U("[1]"), t), MESHAUTH_STATUS_JWKS_PARSE_ERROR);
  CHECK_ST(meshauth_jwk_thumbprint(U("{\"n\":\"x\"}"), t), MESHAUTH_STATUS_JWKS_MISSING_KTY);
  CHECK_ST(meshauth_jwk_thumbprint(U("{\"kty\":\"RSA\",\"e\":\"AQAB\"}"), t), MESHAUTH_STATUS_JWKS_RSA_KEY_MISSING_N);
  CHECK_ST(meshauth_jwk_thumbprint_b64(U("\xff"), b64), MESHAUTH_STATUS_JWKS_PARSE_ERROR);
  CHECK(strcmp(b64, "unchanged") == 0);
  CHECK_ST(meshauth_jwk_thumbprint_b64(U("{}"), NULL), MESHAUTH_STATUS_NULL_ARGUMENT);

  /* Canonical form: members sorted, no whitespace, keys sorted by their canonical text
   * (worked by hand from the module documentation). */
  meshauth_string *c = (meshauth_string *)1;
  CHECK_ST(meshauth_jwks_canonical(U("{ \"keys\" : [ {\"kty\":\"oct\", \"k\":\"b\"}, {\"k\":\"a\",\"kty\":\"oct\"} ], \"x\": 1e0 }"), &c),
           MESHAUTH_STATUS_OK);
  meshauth_str v = meshauth_string_get(c);
  CHECK(v.ptr != NULL && v.ptr[v.len] == '\0');
  CHECK_VIEW(v, "{\"keys\":[{\"k\":\"a\",\"kty\":\"oct\"},{\"k\":\"b\",\"kty\":\"oct\"}],\"x\":1}");
  meshauth_string_free(c);
  meshauth_string_free(NULL);
  CHECK_VIEW(meshauth_string_get(NULL), NULL);
  c = (meshauth_string *)1;
  CHECK_ST(meshauth_jwks_canonical(U("{\"nokeys\":1}"), &c), MESHAUTH_STATUS_JWKS_NO_KEYS);
  CHECK(c == NULL);
  CHECK_ST(meshauth_jwks_canonical(U("{}"), NULL), MESHAUTH_STATUS_NULL_ARGUMENT);
}

static void hex32(const uint8_t *b, char *out) {
  for (int k = 0; k < 32; k++) snprintf(out + 2 * k, 3, "%02x", b[k]);
}

static void test_certs(void) {
  for (size_t i = 0; i < N(FX_CERTS); i++) {
    const fx_cert *f = &FX_CERTS[i];
    int64_t not_after = -7;
    meshauth_status st = meshauth_cert_expiry(f->data, f->len, &not_after);
    if (f->ok) {
      CHECK_ST(st, MESHAUTH_STATUS_OK);
      CHECK(not_after == f->not_after);
    } else {
      CHECK(st != MESHAUTH_STATUS_OK);
      CHECK(not_after == -7);
    }
    meshauth_certs *cs = (meshauth_certs *)1;
    st = meshauth_cert_parse(f->data, f->len, &cs);
    if (!f->ok) {
      CHECK(st != MESHAUTH_STATUS_OK && cs == NULL);
      continue;
    }
    CHECK_ST(st, MESHAUTH_STATUS_OK);
    size_t n = 0;
    CHECK_ST(meshauth_certs_len(cs, &n), MESHAUTH_STATUS_OK);
    CHECK(n == f->count);
    for (size_t k = 0; k < n && k < 3; k++) {
      meshauth_cert_info info;
      char hex[65];
      CHECK_ST(meshauth_certs_get(cs, k, &info), MESHAUTH_STATUS_OK);
      CHECK(info.not_before == f->not_before[k]);
      CHECK(info.not_after == f->not_after_all[k]);
      CHECK_VIEW(info.subject, f->subject[k]);
      CHECK_VIEW(info.fingerprint, f->fingerprint[k]);
      hex32(info.fingerprint_sha256, hex);
      CHECK(strcmp(hex, f->fingerprint[k]) == 0);
      CHECK(info.serial.ptr != NULL && info.serial.len > 0);
      CHECK(info.issuer.ptr != NULL);
    }
    meshauth_cert_info info;
    meshauth_str s;
    CHECK_ST(meshauth_certs_get(cs, n, &info), MESHAUTH_STATUS_INVALID_ARGUMENT);
    CHECK_ST(meshauth_certs_dns_name(cs, n, 0, &s), MESHAUTH_STATUS_INVALID_ARGUMENT);
    CHECK_ST(meshauth_certs_get(cs, 0, NULL), MESHAUTH_STATUS_NULL_ARGUMENT);
    meshauth_certs_free(cs);
  }
  /* The Go test certificate (crypto/tls testdata, "localhost"): DNS SANs example.com, then
   * localhost; it is a CA certificate (go's generate_cert -ca). */
  meshauth_certs *cs = NULL;
  meshauth_cert_info info;
  meshauth_str s;
  CHECK_ST(meshauth_cert_parse(FX_CERTS[0].data, FX_CERTS[0].len, &cs), MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_certs_get(cs, 0, &info), MESHAUTH_STATUS_OK);
  CHECK_VIEW(info.spiffe_id, NULL);
  if (info.dns_name_count > 0) {
    CHECK_ST(meshauth_certs_dns_name(cs, 0, 0, &s), MESHAUTH_STATUS_OK);
    CHECK(s.ptr != NULL && s.len > 0);
  }
  CHECK_ST(meshauth_certs_dns_name(cs, 0, info.dns_name_count, &s), MESHAUTH_STATUS_INVALID_ARGUMENT);
  CHECK_VIEW(s, NULL);
  meshauth_certs_free(cs);
  meshauth_certs_free(NULL);
  int64_t t = 0;
  size_t n;
  CHECK_ST(meshauth_cert_expiry(NULL, 0, &t), MESHAUTH_STATUS_CERT_NOT_FOUND);
  CHECK_ST(meshauth_cert_expiry(U("garbage"), &t), MESHAUTH_STATUS_CERT_NOT_FOUND);
  CHECK_ST(meshauth_cert_expiry(NULL, 3, &t), MESHAUTH_STATUS_NULL_ARGUMENT);
  CHECK_ST(meshauth_cert_expiry(FX_CERTS[0].data, FX_CERTS[0].len, NULL), MESHAUTH_STATUS_NULL_ARGUMENT);
  CHECK_ST(meshauth_cert_expiry(FX_CERTS[0].data, SIZE_MAX, &t), MESHAUTH_STATUS_INVALID_ARGUMENT);
  cs = (meshauth_certs *)1;
  CHECK_ST(meshauth_cert_parse(U("garbage"), &cs), MESHAUTH_STATUS_CERT_NOT_FOUND);
  CHECK(cs == NULL);
  CHECK_ST(meshauth_cert_parse(U("x"), NULL), MESHAUTH_STATUS_NULL_ARGUMENT);
  CHECK_ST(meshauth_certs_len(NULL, &n), MESHAUTH_STATUS_NULL_ARGUMENT);
}

static void test_rotation(void) {
  /* Istio's TestRotateTimeNoJitter rows (security/pkg/nodeagent/cache), in seconds. */
  const int64_t now = 1700000000, H = 3600, M = 60;
  struct { const char *name; int64_t created, expire; double ratio; int64_t want; } rows[] = {
      {"already expired", now - 2, now - 1, 0.5, 0},
      {"grace period .50", now, now + H, 0.5, 30 * M},
      {"grace period .25", now, now + H, 0.25, 45 * M},
      {"grace period .75", now, now + H, 0.75, 15 * M},
      {"grace period 1", now, now + H, 1.0, 0},
      {"grace period 0", now, now + H, 0.0, H},
      {"grace period .25 shifted", now + 30 * M, now + 90 * M, 0.25, 75 * M},
  };
  for (size_t i = 0; i < N(rows); i++) {
    int64_t d = -1;
    CHECK_ST(meshauth_rotation_delay(now, rows[i].created, rows[i].expire, rows[i].ratio, &d), MESHAUTH_STATUS_OK);
    if (d != rows[i].want) fprintf(stderr, "rotation %s: %lld\n", rows[i].name, (long long)d);
    CHECK(d == rows[i].want);
  }
  /* Worked example: 24 h certificate, ratio 0.5, 3 h after issue: rotate in 9 h. A 3 s lifetime
   * at ratio 0.5 rotates 1.5 s in: rounded down to 1. */
  int64_t d = -1;
  CHECK_ST(meshauth_rotation_delay(now + 3 * H, now, now + 24 * H, 0.5, &d), MESHAUTH_STATUS_OK);
  CHECK(d == 9 * H);
  CHECK_ST(meshauth_rotation_delay(now, now, now + 3, 0.5, &d), MESHAUTH_STATUS_OK);
  CHECK(d == 1);
  d = -1;
  CHECK_ST(meshauth_rotation_delay(now, now + H, now, 0.5, &d), MESHAUTH_STATUS_ROTATION_INVALID_INPUT);
  CHECK_ST(meshauth_rotation_delay(now, now, now + H, 1.5, &d), MESHAUTH_STATUS_ROTATION_INVALID_INPUT);
  CHECK_ST(meshauth_rotation_delay(now, now, now + H, -0.1, &d), MESHAUTH_STATUS_ROTATION_INVALID_INPUT);
  CHECK_ST(meshauth_rotation_delay(now, now, now + H, 0.0 / 0.0, &d), MESHAUTH_STATUS_ROTATION_INVALID_INPUT);
  CHECK_ST(meshauth_rotation_delay(now, now, INT64_MAX, 0.5, &d), MESHAUTH_STATUS_ROTATION_INVALID_INPUT);
  CHECK(d == -1);
  CHECK_ST(meshauth_rotation_delay(now, now, now + H, 0.5, NULL), MESHAUTH_STATUS_NULL_ARGUMENT);
}

static void test_scheduler(void) {
  const char *uri = "https://issuer.example/jwks.json";
  meshauth_scheduler_options o;
  CHECK_ST(meshauth_scheduler_options_default(&o), MESHAUTH_STATUS_OK);
  CHECK(o.refresh_interval == 1200 && o.retry_initial == 60 && o.retry_max == 3600);
  CHECK(o.jitter_max == 0 && !o.allow_http);
  CHECK_ST(meshauth_scheduler_options_default(NULL), MESHAUTH_STATUS_NULL_ARGUMENT);
  meshauth_scheduler *s = NULL;
  CHECK_ST(meshauth_scheduler_new(&o, &s), MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_scheduler_new(NULL, NULL), MESHAUTH_STATUS_NULL_ARGUMENT);
  int64_t t = 1700000000; /* simulated clock */
  uint64_t id = 0, id2 = 1;
  CHECK_ST(meshauth_scheduler_register(s, S(FX_ISSUER), uri, strlen(uri), t, &id), MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_scheduler_register(s, S(FX_ISSUER), uri, strlen(uri), t, &id2), MESHAUTH_STATUS_OK);
  CHECK(id == id2);
  size_t n = 0;
  CHECK_ST(meshauth_scheduler_len(s, &n), MESHAUTH_STATUS_OK);
  CHECK(n == 1);
  /* No keys before the first fetch. */
  meshauth_jwks *keys = (meshauth_jwks *)1;
  CHECK_ST(meshauth_scheduler_keys(s, id, &keys), MESHAUTH_STATUS_JWKS_FETCH_FAIL);
  CHECK(keys == NULL);

  /* register -> poll: the JWKS fetch is due now. */
  meshauth_poll *p = NULL;
  meshauth_fetch f;
  bool present = false;
  int64_t wake = 0;
  CHECK_ST(meshauth_scheduler_poll(s, t, &p), MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_poll_fetch_count(p, &n), MESHAUTH_STATUS_OK);
  CHECK(n == 1);
  CHECK_ST(meshauth_poll_fetch(p, 0, &f), MESHAUTH_STATUS_OK);
  CHECK(f.entry == id && f.kind == MESHAUTH_FETCH_JWKS);
  CHECK_VIEW(f.url, uri);
  CHECK(f.max_bytes == 1 << 20);
  CHECK_ST(meshauth_poll_fetch(p, 1, &f), MESHAUTH_STATUS_INVALID_ARGUMENT);
  CHECK_ST(meshauth_poll_evicted_count(p, &n), MESHAUTH_STATUS_OK);
  CHECK(n == 0);
  uint64_t ev;
  CHECK_ST(meshauth_poll_evicted(p, 0, &ev), MESHAUTH_STATUS_INVALID_ARGUMENT);
  CHECK_ST(meshauth_poll_next_wake(p, &present, &wake), MESHAUTH_STATUS_OK);
  CHECK(present && wake == t + 60); /* the fetch times out after fetch_timeout (60 s) */
  meshauth_poll_free(p);

  /* on_fetched body -> changed; keys usable for verification. */
  int outcome = -1;
  meshauth_status why = -1;
  t += 1;
  CHECK_ST(meshauth_scheduler_on_fetched(s, id, U(FX_JWKS_REF), NULL, 0, t, &outcome, &why), MESHAUTH_STATUS_OK);
  CHECK(outcome == MESHAUTH_FETCHED_CHANGED && why == MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_scheduler_on_fetched(s, id, U(FX_JWKS_REF), NULL, 0, t, &outcome, NULL), MESHAUTH_STATUS_INVALID_ARGUMENT);
  CHECK_ST(meshauth_scheduler_keys(s, id, &keys), MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_jwks_len(keys, &n), MESHAUTH_STATUS_OK);
  CHECK(n == FX_REF_KEYS);
  meshauth_validation *v = meshauth_validation_new();
  CHECK_ST(meshauth_verify(keys, v, S(FX_TOKEN), FX_NOW, NULL), MESHAUTH_STATUS_OK);
  /* Next refresh after refresh_interval. */
  CHECK_ST(meshauth_scheduler_poll(s, t, &p), MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_poll_fetch_count(p, &n), MESHAUTH_STATUS_OK);
  CHECK(n == 0);
  CHECK_ST(meshauth_poll_next_wake(p, &present, &wake), MESHAUTH_STATUS_OK);
  CHECK(present && wake == t + 1200);
  meshauth_poll_free(p);

  /* Refresh at the wake-up; the fetch fails -> backoff: next wake-up 60 s later, keys kept. */
  t = wake;
  CHECK_ST(meshauth_scheduler_poll(s, t, &p), MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_poll_fetch_count(p, &n), MESHAUTH_STATUS_OK);
  CHECK(n == 1);
  meshauth_poll_free(p);
  CHECK_ST(meshauth_scheduler_on_failed(s, id, t), MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_scheduler_on_failed(s, id, t), MESHAUTH_STATUS_INVALID_ARGUMENT); /* none in flight */
  CHECK_ST(meshauth_scheduler_poll(s, t, &p), MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_poll_fetch_count(p, &n), MESHAUTH_STATUS_OK);
  CHECK(n == 0);
  CHECK_ST(meshauth_poll_next_wake(p, &present, &wake), MESHAUTH_STATUS_OK);
  CHECK(present && wake == t + 60);
  meshauth_poll_free(p);
  meshauth_jwks *keys2 = NULL;
  CHECK_ST(meshauth_scheduler_keys(s, id, &keys2), MESHAUTH_STATUS_OK);
  meshauth_jwks_free(keys2);
  /* The same body again at the retry: unchanged. A garbage body: rejected, keys stay. */
  t = wake;
  CHECK_ST(meshauth_scheduler_poll(s, t, &p), MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_poll_fetch_count(p, &n), MESHAUTH_STATUS_OK);
  CHECK(n == 1);
  meshauth_poll_free(p);
  CHECK_ST(meshauth_scheduler_on_fetched(s, id, U(FX_JWKS_REF), S("max-age=5"), t, &outcome, &why), MESHAUTH_STATUS_OK);
  CHECK(outcome == MESHAUTH_FETCHED_UNCHANGED);
  /* Unknown kid: a refetch is allowed after the 30 s cooldown, not before. */
  bool refetch = true;
  CHECK_ST(meshauth_scheduler_on_unknown_kid(s, id, t + 10, &refetch), MESHAUTH_STATUS_OK);
  CHECK(!refetch);
  CHECK_ST(meshauth_scheduler_on_unknown_kid(s, id, t + 30, &refetch), MESHAUTH_STATUS_OK);
  CHECK(refetch);
  t += 30;
  CHECK_ST(meshauth_scheduler_poll(s, t, &p), MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_poll_fetch_count(p, &n), MESHAUTH_STATUS_OK);
  CHECK(n == 1);
  meshauth_poll_free(p);
  CHECK_ST(meshauth_scheduler_on_fetched(s, id, U("{\"keys\":"), NULL, 0, t, &outcome, &why), MESHAUTH_STATUS_OK);
  CHECK(outcome == MESHAUTH_FETCHED_REJECTED && why == MESHAUTH_STATUS_JWKS_PARSE_ERROR);
  CHECK_ST(meshauth_scheduler_keys(s, id, &keys2), MESHAUTH_STATUS_OK);
  meshauth_jwks_free(keys2);

  /* Discovery entry: the first fetch is the OpenID configuration. */
  uint64_t did = 0;
  CHECK_ST(meshauth_scheduler_register(s, S("https://accounts.example"), NULL, 99, t, &did), MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_scheduler_poll(s, t, &p), MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_poll_fetch(p, 0, &f), MESHAUTH_STATUS_OK);
  CHECK(f.entry == did && f.kind == MESHAUTH_FETCH_DISCOVERY);
  CHECK_VIEW(f.url, "https://accounts.example/.well-known/openid-configuration");
  meshauth_poll_free(p);
  CHECK_ST(meshauth_scheduler_remove(s, did), MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_scheduler_remove(s, did), MESHAUTH_STATUS_INVALID_ARGUMENT);
  CHECK_ST(meshauth_scheduler_touch(s, did, t), MESHAUTH_STATUS_INVALID_ARGUMENT);
  CHECK_ST(meshauth_scheduler_touch(s, id, t), MESHAUTH_STATUS_OK);

  /* Bad arguments. */
  CHECK_ST(meshauth_scheduler_register(s, S(""), NULL, 0, t, &id2), MESHAUTH_STATUS_INVALID_ARGUMENT);
  CHECK_ST(meshauth_scheduler_register(s, S(FX_ISSUER), S("http://plain.example/jwks"), t, &id2),
           MESHAUTH_STATUS_DISCOVERY_BAD_JWKS_URI);
  CHECK_ST(meshauth_scheduler_register(s, S(BAD_UTF8), NULL, 0, t, &id2), MESHAUTH_STATUS_INVALID_UTF8);
  CHECK_ST(meshauth_scheduler_register(s, S(FX_ISSUER), NULL, 0, t, NULL), MESHAUTH_STATUS_NULL_ARGUMENT);
  CHECK_ST(meshauth_scheduler_register(NULL, S(FX_ISSUER), NULL, 0, t, &id2), MESHAUTH_STATUS_NULL_ARGUMENT);
  CHECK_ST(meshauth_scheduler_on_fetched(s, 12345, U("{}"), NULL, 0, t, &outcome, NULL), MESHAUTH_STATUS_INVALID_ARGUMENT);
  CHECK_ST(meshauth_scheduler_on_fetched(s, id, NULL, 4, NULL, 0, t, &outcome, NULL), MESHAUTH_STATUS_NULL_ARGUMENT);
  CHECK_ST(meshauth_scheduler_on_fetched(s, id, U("{}"), NULL, 0, t, NULL, NULL), MESHAUTH_STATUS_NULL_ARGUMENT);
  CHECK_ST(meshauth_scheduler_on_failed(NULL, id, t), MESHAUTH_STATUS_NULL_ARGUMENT);
  CHECK_ST(meshauth_scheduler_on_unknown_kid(s, id, t, NULL), MESHAUTH_STATUS_NULL_ARGUMENT);
  CHECK_ST(meshauth_scheduler_keys(s, 999, &keys2), MESHAUTH_STATUS_INVALID_ARGUMENT);
  CHECK_ST(meshauth_scheduler_poll(NULL, t, &p), MESHAUTH_STATUS_NULL_ARGUMENT);
  CHECK(p == NULL);
  CHECK_ST(meshauth_scheduler_poll(s, t, NULL), MESHAUTH_STATUS_NULL_ARGUMENT);
  CHECK_ST(meshauth_poll_next_wake(NULL, &present, &wake), MESHAUTH_STATUS_NULL_ARGUMENT);
  CHECK_ST(meshauth_scheduler_set_random_seed(s, 42), MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_scheduler_set_random_seed(NULL, 42), MESHAUTH_STATUS_NULL_ARGUMENT);
  meshauth_poll_free(NULL);
  /* The key set outlives the scheduler (shared, reference-counted). */
  meshauth_scheduler_free(s);
  meshauth_scheduler_free(NULL);
  CHECK_ST(meshauth_verify(keys, v, S(FX_TOKEN), FX_NOW, NULL), MESHAUTH_STATUS_OK);
  meshauth_jwks_free(keys);
  meshauth_validation_free(v);
}

static void test_authn_policy(void) {
  meshauth_authenticator *a = NULL;
  meshauth_policy *pol = NULL;
  CHECK_ST(meshauth_authenticator_from_json(U(FX_RA_JSON), &a), MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_policy_from_json(U(FX_POLICY_JSON), &pol), MESHAUTH_STATUS_OK);
  size_t n = 0;
  CHECK_ST(meshauth_policy_len(pol, &n), MESHAUTH_STATUS_OK);
  CHECK(n == 1);

  char bearer[2048];
  snprintf(bearer, sizeof bearer, "Bearer %s", FX_TOKEN);
  meshauth_header h[2] = {
      {{"authorization", 13}, {bearer, strlen(bearer)}},
      {{"x-sub", 5}, {"spoofed", 7}},
  };
  meshauth_request req = {0};
  req.method = (meshauth_str){"GET", 3};
  req.scheme = (meshauth_str){"https", 5};
  req.host = (meshauth_str){"svc.example", 11};
  req.path = (meshauth_str){"/api", 4};
  req.headers = h;
  req.header_count = 2;

  /* A valid token: authenticated as issuer/alice, x-sub replaced, allowed with 200. */
  meshauth_outcome *o = NULL;
  int kind = -1;
  meshauth_status st = -1;
  uint16_t http = 0;
  meshauth_str s, name, value;
  bool allowed = false;
  CHECK_ST(meshauth_authenticate(a, &req, FX_NOW, &o), MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_outcome_kind(o, &kind), MESHAUTH_STATUS_OK);
  CHECK(kind == MESHAUTH_OUTCOME_AUTHENTICATED);
  CHECK_ST(meshauth_outcome_status(o, &st), MESHAUTH_STATUS_OK);
  CHECK(st == MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_outcome_http_status(o, &http), MESHAUTH_STATUS_OK);
  CHECK(http == 200);
  CHECK_ST(meshauth_outcome_issuer(o, &s), MESHAUTH_STATUS_OK);
  CHECK_VIEW(s, FX_ISSUER);
  CHECK_ST(meshauth_outcome_subject(o, &s), MESHAUTH_STATUS_OK);
  CHECK_VIEW(s, "alice");
  CHECK_ST(meshauth_outcome_www_authenticate(o, &s), MESHAUTH_STATUS_OK);
  CHECK_VIEW(s, NULL);
  CHECK_ST(meshauth_outcome_header_to_remove_count(o, &n), MESHAUTH_STATUS_OK);
  CHECK(n >= 1);
  int found = 0;
  for (size_t i = 0; i < n; i++) {
    CHECK_ST(meshauth_outcome_header_to_remove(o, i, &s), MESHAUTH_STATUS_OK);
    found |= view_eq(s, "x-sub");
  }
  CHECK(found);
  CHECK_ST(meshauth_outcome_header_to_remove(o, n, &s), MESHAUTH_STATUS_INVALID_ARGUMENT);
  CHECK_ST(meshauth_outcome_header_to_set_count(o, &n), MESHAUTH_STATUS_OK);
  CHECK(n == 1);
  CHECK_ST(meshauth_outcome_header_to_set(o, 0, &name, &value), MESHAUTH_STATUS_OK);
  CHECK_VIEW(name, "x-sub");
  CHECK_VIEW(value, "alice");
  CHECK_ST(meshauth_outcome_header_to_set(o, 1, &name, &value), MESHAUTH_STATUS_INVALID_ARGUMENT);
  meshauth_str matched;
  CHECK_ST(meshauth_policy_evaluate(pol, &req, o, &allowed, &http, &matched), MESHAUTH_STATUS_OK);
  CHECK(allowed && http == 200);
  CHECK_VIEW(matched, "require-alice");
  meshauth_outcome_free(o);

  /* No token: passes authentication, denied by the ALLOW policy with 403. */
  req.header_count = 0;
  CHECK_ST(meshauth_authenticate(a, &req, FX_NOW, &o), MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_outcome_kind(o, &kind), MESHAUTH_STATUS_OK);
  CHECK(kind == MESHAUTH_OUTCOME_NO_TOKEN);
  CHECK_ST(meshauth_policy_evaluate(pol, &req, o, &allowed, &http, &matched), MESHAUTH_STATUS_OK);
  CHECK(!allowed && http == 403);
  CHECK_VIEW(matched, NULL);
  CHECK_ST(meshauth_policy_evaluate(pol, &req, o, &allowed, NULL, NULL), MESHAUTH_STATUS_OK);
  meshauth_outcome_free(o);

  /* An expired token (now after exp + 60 s skew): rejected with Envoy's 401 and realm. */
  req.header_count = 1;
  CHECK_ST(meshauth_authenticate(a, &req, FX_EXP + 3600, &o), MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_outcome_kind(o, &kind), MESHAUTH_STATUS_OK);
  CHECK(kind == MESHAUTH_OUTCOME_REJECTED);
  CHECK_ST(meshauth_outcome_status(o, &st), MESHAUTH_STATUS_OK);
  CHECK(st == MESHAUTH_STATUS_JWT_EXPIRED);
  CHECK_ST(meshauth_outcome_http_status(o, &http), MESHAUTH_STATUS_OK);
  CHECK(http == 401);
  CHECK_ST(meshauth_outcome_www_authenticate(o, &s), MESHAUTH_STATUS_OK);
  CHECK_VIEW(s, "Bearer realm=\"https://svc.example/api\", error=\"invalid_token\"");
  CHECK_ST(meshauth_outcome_subject(o, &s), MESHAUTH_STATUS_OK);
  CHECK_VIEW(s, NULL);
  CHECK_ST(meshauth_policy_evaluate(pol, &req, o, &allowed, &http, NULL), MESHAUTH_STATUS_OK);
  CHECK(!allowed && http == 401);
  meshauth_outcome_free(o);
  meshauth_outcome_free(NULL);

  /* Remote keys: no provider uses this URI. */
  meshauth_jwks *j = NULL;
  CHECK_ST(meshauth_jwks_from_json(U(FX_JWKS_REF), &j), MESHAUTH_STATUS_OK);
  n = 9;
  CHECK_ST(meshauth_authenticator_set_remote_keys(a, S("https://none.example/jwks"), j, &n), MESHAUTH_STATUS_OK);
  CHECK(n == 0);
  CHECK_ST(meshauth_authenticator_set_remote_keys(a, S("https://none.example/jwks"), NULL, NULL), MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_authenticator_set_remote_keys(NULL, S("x"), j, &n), MESHAUTH_STATUS_NULL_ARGUMENT);
  meshauth_jwks_free(j);

  /* Bad arguments. */
  o = (meshauth_outcome *)1;
  CHECK_ST(meshauth_authenticate(a, NULL, FX_NOW, &o), MESHAUTH_STATUS_NULL_ARGUMENT);
  CHECK(o == NULL);
  CHECK_ST(meshauth_authenticate(NULL, &req, FX_NOW, &o), MESHAUTH_STATUS_NULL_ARGUMENT);
  CHECK_ST(meshauth_authenticate(a, &req, FX_NOW, NULL), MESHAUTH_STATUS_NULL_ARGUMENT);
  meshauth_request bad = req;
  bad.headers = NULL;
  bad.header_count = 1;
  CHECK_ST(meshauth_authenticate(a, &bad, FX_NOW, &o), MESHAUTH_STATUS_NULL_ARGUMENT);
  bad = req;
  bad.path = (meshauth_str){BAD_UTF8, 2};
  CHECK_ST(meshauth_authenticate(a, &bad, FX_NOW, &o), MESHAUTH_STATUS_INVALID_UTF8);
  bad = req;
  bad.header_count = SIZE_MAX;
  CHECK_ST(meshauth_authenticate(a, &bad, FX_NOW, &o), MESHAUTH_STATUS_INVALID_ARGUMENT);
  bad = req;
  bad.method = (meshauth_str){NULL, 3};
  CHECK_ST(meshauth_authenticate(a, &bad, FX_NOW, &o), MESHAUTH_STATUS_NULL_ARGUMENT);
  CHECK_ST(meshauth_outcome_kind(NULL, &kind), MESHAUTH_STATUS_NULL_ARGUMENT);
  CHECK_ST(meshauth_policy_evaluate(pol, &req, NULL, &allowed, NULL, NULL), MESHAUTH_STATUS_NULL_ARGUMENT);
  meshauth_authenticator *a2 = (meshauth_authenticator *)1;
  CHECK_ST(meshauth_authenticator_from_json(U("{\"jwtRules\":[{\"issuer\":1}]}"), &a2), MESHAUTH_STATUS_CONFIG_INVALID);
  CHECK(a2 == NULL);
  CHECK_ST(meshauth_authenticator_from_json(U("not json"), &a2), MESHAUTH_STATUS_CONFIG_INVALID);
  CHECK_ST(meshauth_authenticator_from_json(U("{}"), NULL), MESHAUTH_STATUS_NULL_ARGUMENT);
  meshauth_policy *p2 = (meshauth_policy *)1;
  CHECK_ST(meshauth_policy_from_json(U("not json"), &p2), MESHAUTH_STATUS_CONFIG_INVALID);
  CHECK(p2 == NULL);
  CHECK_ST(meshauth_policy_len(NULL, &n), MESHAUTH_STATUS_NULL_ARGUMENT);
  meshauth_policy_free(pol);
  meshauth_policy_free(NULL);
  meshauth_authenticator_free(a);
  meshauth_authenticator_free(NULL);
}

int main(void) {
  test_changed();
  test_diff_and_canonical();
  test_certs();
  test_rotation();
  test_scheduler();
  test_authn_policy();
  return finish("c-test lifecycle");
}
