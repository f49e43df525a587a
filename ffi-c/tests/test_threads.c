/* One JWKS handle and one validation shared by several pthreads verifying at once: every result
 * must be the same as single-threaded (baseline tokens of jwt_attacks.json are Ok; a tampered
 * one is JwtVerificationFail; the verified handle's accessors are read from the thread).
 *
 * Then the key-set swap (tests/vectors/keyset_swap.json, via swap.h): 8 threads verify mixed
 * valid and invalid tokens against the current key set while another thread builds a fresh set
 * from JSON for every generation, swaps it in under a rwlock and frees the old one. Each answer
 * must be the one the case gives for the generation the thread read (set A even, B odd). The
 * rwlock prefers writers (a GNU extension) so that swaps interleave with the readers. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "fixtures.h"
#include "swap.h"

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

/* ---- key-set swap ---------------------------------------------------------------------- */

#define SWAP_ROUNDS 3000
/* A verifier that has not yet seen the key set change goes on past SWAP_ROUNDS until it has (so
 * every thread verifies across a swap however the threads are scheduled), up to this cap. */
#define SWAP_MAX_ROUNDS 50000000L
#define SWAP_CASES (sizeof FX_SWAP / sizeof FX_SWAP[0])

static pthread_rwlock_t swap_lock;
static meshauth_jwks *swap_current; /* guarded by swap_lock */
static long swap_generation;        /* guarded by swap_lock */
static int swap_done;               /* guarded by swap_lock */

struct swap_result {
  int id;
  long checked, wrong, switches; /* switches: how often the generation moved under this thread */
};

static void *swap_worker(void *arg) {
  struct swap_result *r = (struct swap_result *)arg;
  meshauth_validation *v = meshauth_validation_new();
  if (meshauth_validation_set_issuer(v, FX_SWAP_ISSUER, strlen(FX_SWAP_ISSUER)) != MESHAUTH_STATUS_OK)
    r->wrong++;
  long last = -1;
  for (long i = 0; i < SWAP_ROUNDS || (r->switches == 0 && i < SWAP_MAX_ROUNDS); i++) {
    const fx_swap *c = &FX_SWAP[(size_t)(i * 7 + r->id) % SWAP_CASES];
    pthread_rwlock_rdlock(&swap_lock); /* the swapper frees a set only under the write lock */
    long g = swap_generation;
    meshauth_status st = meshauth_verify(swap_current, v, c->token, strlen(c->token), FX_SWAP_NOW, NULL);
    pthread_rwlock_unlock(&swap_lock);
    if (last >= 0 && g != last) r->switches++;
    last = g;
    const char *want = g % 2 == 0 ? c->under_a : c->under_b;
    if (strcmp(meshauth_status_name(st), want) != 0) {
      r->wrong++;
      fprintf(stderr, "  swap: thread %d generation %ld case %s: %s, want %s\n", r->id, g, c->id,
              meshauth_status_name(st), want);
    }
    r->checked++;
  }
  meshauth_validation_free(v);
  return NULL;
}

static void *swapper(void *arg) {
  long *failures = (long *)arg;
  for (long g = 1;; g++) {
    const char *json = g % 2 == 0 ? FX_SWAP_JWKS_A : FX_SWAP_JWKS_B;
    meshauth_jwks *fresh = NULL;
    if (meshauth_jwks_from_json((const uint8_t *)json, strlen(json), &fresh) != MESHAUTH_STATUS_OK) {
      (*failures)++;
      return NULL;
    }
    pthread_rwlock_wrlock(&swap_lock);
    meshauth_jwks *old = swap_current;
    swap_current = fresh;
    swap_generation = g;
    int done = swap_done && g >= 50;
    pthread_rwlock_unlock(&swap_lock);
    meshauth_jwks_free(old);
    if (done) return NULL;
  }
}

static void swap_test(void) {
  pthread_rwlockattr_t attr;
  pthread_rwlockattr_init(&attr);
  pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
  CHECK(pthread_rwlock_init(&swap_lock, &attr) == 0);
  pthread_rwlockattr_destroy(&attr);
  CHECK_ST(meshauth_jwks_from_json((const uint8_t *)FX_SWAP_JWKS_A, strlen(FX_SWAP_JWKS_A), &swap_current),
           MESHAUTH_STATUS_OK);
  long swapper_failures = 0;
  pthread_t sw, th[THREADS];
  struct swap_result res[THREADS];
  CHECK(pthread_create(&sw, NULL, swapper, &swapper_failures) == 0);
  for (int i = 0; i < THREADS; i++) {
    res[i] = (struct swap_result){i, 0, 0, 0};
    CHECK(pthread_create(&th[i], NULL, swap_worker, &res[i]) == 0);
  }
  long checked = 0, wrong = 0, switches = 0;
  for (int i = 0; i < THREADS; i++) {
    CHECK(pthread_join(th[i], NULL) == 0);
    CHECK(res[i].switches > 0); /* the key set did change under every verifier */
    checked += res[i].checked;
    wrong += res[i].wrong;
    switches += res[i].switches;
  }
  pthread_rwlock_wrlock(&swap_lock);
  swap_done = 1;
  pthread_rwlock_unlock(&swap_lock);
  CHECK(pthread_join(sw, NULL) == 0);
  CHECK(swapper_failures == 0);
  CHECK(checked >= (long)THREADS * SWAP_ROUNDS);
  CHECK(wrong == 0);
  CHECK(swap_generation >= 50);
  printf("c-test threads: key-set swap: %ld verifications, %ld generations, %ld seen to change, %ld wrong\n",
         checked, swap_generation, switches, wrong);
  meshauth_jwks_free(swap_current);
  pthread_rwlock_destroy(&swap_lock);
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
  swap_test();
  return finish("c-test threads");
}
