/* One JWKS handle and one validation shared by several pthreads verifying at once: every result
 * must be the same as single-threaded (baseline tokens of jwt_attacks.json are Ok; a tampered
 * one is JwtVerificationFail; the verified handle's accessors are read from the thread). */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "fixtures.h"

#define THREADS 8
#define ROUNDS 200

static const meshauth_jwks *shared_jwks;
static const meshauth_validation *shared_validation;
static const char *tokens[] = {FX_TOKEN_RS256, FX_TOKEN_ES256, FX_TOKEN_EDDSA, FX_TOKEN};

struct result {
  long ok, rejected, wrong;
};

static void *worker(void *arg) {
  struct result *r = (struct result *)arg;
  char tampered[] = FX_TOKEN_ES256;
  tampered[sizeof(tampered) - 3] ^= 1; /* a different base64url character in the signature */
  for (int i = 0; i < ROUNDS; i++) {
    const char *t = tokens[i % 4];
    meshauth_verified *v = NULL;
    meshauth_status st = meshauth_verify(shared_jwks, shared_validation, t, strlen(t), FX_NOW, &v);
    meshauth_str sub = {0};
    size_t key = 99;
    if (st == MESHAUTH_STATUS_OK && meshauth_verified_subject(v, &sub) == MESHAUTH_STATUS_OK &&
        meshauth_verified_key_index(v, &key) == MESHAUTH_STATUS_OK && sub.len == 5 &&
        memcmp(sub.ptr, "alice", 5) == 0 && key < FX_REF_KEYS)
      r->ok++;
    else
      r->wrong++;
    meshauth_verified_free(v);
    st = meshauth_verify(shared_jwks, shared_validation, tampered, sizeof(tampered) - 1, FX_NOW, NULL);
    if (st == MESHAUTH_STATUS_JWT_VERIFICATION_FAIL || st == MESHAUTH_STATUS_JWT_SIGNATURE_PARSE_ERROR_BAD_BASE64)
      r->rejected++;
    else
      r->wrong++;
  }
  return NULL;
}

int main(void) {
  meshauth_jwks *jwks = NULL;
  CHECK_ST(meshauth_jwks_from_json((const uint8_t *)FX_JWKS_REF, strlen(FX_JWKS_REF), &jwks), MESHAUTH_STATUS_OK);
  meshauth_validation *v = meshauth_validation_new();
  CHECK_ST(meshauth_validation_set_issuer(v, FX_ISSUER, strlen(FX_ISSUER)), MESHAUTH_STATUS_OK);
  CHECK_ST(meshauth_validation_add_audience(v, FX_AUDIENCE, strlen(FX_AUDIENCE)), MESHAUTH_STATUS_OK);
  shared_jwks = jwks;
  shared_validation = v;
  /* Single-threaded first: the same expectations. */
  struct result single = {0, 0, 0};
  worker(&single);
  CHECK(single.ok == ROUNDS && single.rejected == ROUNDS && single.wrong == 0);

  pthread_t th[THREADS];
  struct result res[THREADS];
  memset(res, 0, sizeof(res));
  for (int i = 0; i < THREADS; i++) CHECK(pthread_create(&th[i], NULL, worker, &res[i]) == 0);
  long ok = 0, rejected = 0, wrong = 0;
  for (int i = 0; i < THREADS; i++) {
    CHECK(pthread_join(th[i], NULL) == 0);
    ok += res[i].ok;
    rejected += res[i].rejected;
    wrong += res[i].wrong;
  }
  CHECK(ok == (long)THREADS * ROUNDS);
  CHECK(rejected == (long)THREADS * ROUNDS);
  CHECK(wrong == 0);
  printf("c-test threads: %d threads x %d rounds: %ld ok, %ld rejected, %ld wrong\n", THREADS, ROUNDS, ok,
         rejected, wrong);
  meshauth_validation_free(v);
  meshauth_jwks_free(jwks);
  return finish("c-test threads");
}
