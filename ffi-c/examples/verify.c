/* meshauth C example: load a JWKS file, verify a token, print the principal and a claim.
 *
 *   verify JWKS_FILE TOKEN [NOW] [ISSUER] [AUDIENCE]
 *
 * Exit status: 0 accepted, 1 rejected (the status name and Envoy's message are printed), 2 usage
 * or I/O error. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "meshauth.h"

static uint8_t *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 4096, n = 0;
  uint8_t *buf = malloc(cap);
  size_t got;
  while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
    n += got;
    if (n == cap) {
      uint8_t *bigger = realloc(buf, cap *= 2);
      if (!bigger) free(buf);
      buf = bigger;
    }
  }
  fclose(f);
  *len = n;
  return buf;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s JWKS_FILE TOKEN [NOW] [ISSUER] [AUDIENCE]\n", argv[0]);
    return 2;
  }
  size_t len = 0;
  uint8_t *doc = read_file(argv[1], &len);
  if (!doc) {
    perror(argv[1]);
    return 2;
  }
  meshauth_jwks *jwks = NULL;
  meshauth_status st = meshauth_jwks_from_json(doc, len, &jwks);
  free(doc);
  if (st != MESHAUTH_STATUS_OK) {
    printf("jwks rejected: %s (%s)\n", meshauth_status_name(st), meshauth_status_message(st));
    return 1;
  }
  meshauth_validation *v = meshauth_validation_new();
  if (argc > 4) meshauth_validation_set_issuer(v, argv[4], strlen(argv[4]));
  if (argc > 5) meshauth_validation_add_audience(v, argv[5], strlen(argv[5]));
  int64_t now = argc > 3 ? strtoll(argv[3], NULL, 10) : (int64_t)time(NULL);

  meshauth_verified *token = NULL;
  st = meshauth_verify(jwks, v, argv[2], strlen(argv[2]), now, &token);
  int rc = 1;
  if (st == MESHAUTH_STATUS_OK) {
    meshauth_str principal, sub;
    meshauth_verified_principal(token, &principal);
    meshauth_verified_claim(token, "sub", 3, &sub);
    printf("accepted: principal=%.*s sub=%.*s\n", (int)principal.len, principal.ptr ? principal.ptr : "",
           (int)sub.len, sub.ptr ? sub.ptr : "");
    rc = 0;
  } else {
    printf("rejected: %s (HTTP %u: %s)\n", meshauth_status_name(st), (unsigned)meshauth_status_http_status(st),
           meshauth_status_message(st));
  }
  meshauth_verified_free(token);
  meshauth_validation_free(v);
  meshauth_jwks_free(jwks);
  return rc;
}
