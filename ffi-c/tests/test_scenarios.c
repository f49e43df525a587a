/* Istio's TestRequestAuthentication and TestAuthz_JWT scenarios through the C API, as
 * core/tests/authn.rs, core/tests/policy.rs, the Python and the Node suites run them: each request
 * is authenticated, then evaluated against the configuration's AuthorizationPolicy; the HTTP status
 * and the headers the upstream would see are compared with the vector files' (scenarios.h, from
 * gen_vectors.py). */
#include <stdbool.h>
#include <stdint.h>
#include <strings.h>

#include "check.h"
#include "scenarios.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define NOW 1700000000LL /* 2023-11-14: after TokenExpired (2019), before the others' exp (2119+) */

static meshauth_str view(const char *s) {
  meshauth_str v = {s, s ? strlen(s) : 0};
  return v;
}

static bool view_is(meshauth_str v, const char *s) {
  return v.len == strlen(s) && strncasecmp(v.ptr, s, v.len) == 0;
}

/* The value the upstream sees for header `name` (case-insensitive) after the outcome's edits:
 * the last header set under that name, else absent when it was removed, else the request's
 * values joined with ','. Written to `buf`; returns false when the header is absent. */
static bool upstream(const fx_scenario *c, const meshauth_outcome *o, const char *name, char *buf,
                     size_t cap) {
  size_t n = 0;
  bool found = false;
  CHECK_ST(meshauth_outcome_header_to_set_count(o, &n), MESHAUTH_STATUS_OK);
  for (size_t i = n; i-- > 0;) {
    meshauth_str k, v;
    CHECK_ST(meshauth_outcome_header_to_set(o, i, &k, &v), MESHAUTH_STATUS_OK);
    if (view_is(k, name)) {
      snprintf(buf, cap, "%.*s", (int)v.len, v.ptr);
      return true;
    }
  }
  CHECK_ST(meshauth_outcome_header_to_remove_count(o, &n), MESHAUTH_STATUS_OK);
  for (size_t i = 0; i < n; i++) {
    meshauth_str k;
    CHECK_ST(meshauth_outcome_header_to_remove(o, i, &k), MESHAUTH_STATUS_OK);
    if (view_is(k, name)) return false;
  }
  buf[0] = '\0';
  for (size_t i = 0; i < c->header_count; i++) {
    if (strcasecmp(c->headers[i][0], name) != 0) continue;
    size_t used = strlen(buf);
    snprintf(buf + used, cap - used, "%s%s", found ? "," : "", c->headers[i][1]);
    found = true;
  }
  return found;
}

int main(void) {
  meshauth_jwks *keys = NULL;
  CHECK_ST(meshauth_jwks_from_json((const uint8_t *)FX_SCENARIO_JWKS, strlen(FX_SCENARIO_JWKS), &keys),
           MESHAUTH_STATUS_OK);
  meshauth_authenticator *auths[COUNT(FX_SCENARIO_CONFIGS)] = {0};
  meshauth_policy *policies[COUNT(FX_SCENARIO_CONFIGS)] = {0};
  for (size_t i = 0; i < COUNT(FX_SCENARIO_CONFIGS); i++) {
    const fx_scenario_config *cfg = &FX_SCENARIO_CONFIGS[i];
    CHECK_ST(meshauth_authenticator_from_json((const uint8_t *)cfg->authn_json, strlen(cfg->authn_json),
                                              &auths[i]),
             MESHAUTH_STATUS_OK);
    /* The host fetched the plain URI; the timeout and non-existent URIs never gave keys. */
    CHECK_ST(meshauth_authenticator_set_remote_keys(auths[i], FX_SCENARIO_JWKS_URI,
                                                    strlen(FX_SCENARIO_JWKS_URI), keys, NULL),
             MESHAUTH_STATUS_OK);
    CHECK_ST(meshauth_policy_from_json((const uint8_t *)cfg->policy_json, strlen(cfg->policy_json),
                                       &policies[i]),
             MESHAUTH_STATUS_OK);
  }
  meshauth_jwks_free(keys);

  for (size_t i = 0; i < COUNT(FX_SCENARIOS); i++) {
    const fx_scenario *c = &FX_SCENARIOS[i];
    meshauth_header headers[COUNT(c->headers)];
    for (size_t h = 0; h < c->header_count; h++) {
      headers[h].name = view(c->headers[h][0]);
      headers[h].value = view(c->headers[h][1]);
    }
    meshauth_request req = {0};
    req.method = view(c->method);
    req.path = view(c->path);
    req.query = view(c->query);
    req.host = view("b");
    req.headers = headers;
    req.header_count = c->header_count;
    meshauth_outcome *o = NULL;
    CHECK_ST(meshauth_authenticate(auths[c->config], &req, NOW, &o), MESHAUTH_STATUS_OK);
    bool allowed = false;
    uint16_t http = 0;
    CHECK_ST(meshauth_policy_evaluate(policies[c->config], &req, o, &allowed, &http, NULL),
             MESHAUTH_STATUS_OK);
    checks_run++;
    if (http != c->status || allowed != (c->status == 200)) {
      checks_failed++;
      fprintf(stderr, "FAIL %s: HTTP %u (allowed %d), want %d\n", c->name, http, allowed, c->status);
    }
    for (size_t u = 0; u < c->upstream_count; u++) {
      char got[8192];
      const char *want = c->upstream[u][1];
      bool present = upstream(c, o, c->upstream[u][0], got, sizeof got);
      checks_run++;
      if (present != (want != NULL) || (want != NULL && strcmp(got, want) != 0)) {
        checks_failed++;
        fprintf(stderr, "FAIL %s: upstream %s = %s, want %s\n", c->name, c->upstream[u][0],
                present ? got : "(absent)", want ? want : "(absent)");
      }
    }
    meshauth_outcome_free(o);
  }
  /* 26 RequestAuthentication requests, 32 AuthorizationPolicy ones: none lost in generation. */
  CHECK(COUNT(FX_SCENARIOS) == 26 + 32);
  for (size_t i = 0; i < COUNT(FX_SCENARIO_CONFIGS); i++) {
    meshauth_authenticator_free(auths[i]);
    meshauth_policy_free(policies[i]);
  }
  return finish("test_scenarios");
}
