/* The shared verification vectors (jwt_verify_lib/verify.json with its signature mutants, and
 * security/jwt_attacks.json) and the project's catalogue (tests/vectors/extra_attacks.json,
 * attacks_extra_keys.json) through the C API, flattened by gen_vectors.py into vectors.tsv.
 * Expected statuses come from the vectors; the key-set status is checked first, then verify.
 *
 * usage: test_vectors VECTORS_TSV [MUTANT_STRIDE]
 * MUTANT_STRIDE n > 1 runs every n-th generated signature mutant only (for valgrind). */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"

#define MAX_FIELDS 12

static int hexval(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

/* Decodes hex in place; returns the length, or (size_t)-1 on bad input. */
static size_t unhex(char *s) {
  size_t n = strlen(s);
  if (n % 2) return (size_t)-1;
  for (size_t i = 0; i < n / 2; i++) {
    int hi = hexval((unsigned char)s[2 * i]), lo = hexval((unsigned char)s[2 * i + 1]);
    if (hi < 0 || lo < 0) return (size_t)-1;
    s[i] = (char)(hi << 4 | lo);
  }
  s[n / 2] = 0;
  return n / 2;
}

/* Whether `got` satisfies `want`: a name, names joined by '|', "!Ok" or "*". */
static int matches(meshauth_status got, const char *want) {
  const char *name = meshauth_status_name(got);
  if (strcmp(want, "*") == 0) return 1;
  if (strcmp(want, "!Ok") == 0) return got != MESHAUTH_STATUS_OK;
  size_t n = strlen(name);
  for (const char *p = want; *p;) {
    const char *bar = strchr(p, '|');
    size_t len = bar ? (size_t)(bar - p) : strlen(p);
    if (len == n && strncmp(p, name, n) == 0) return 1;
    p += len + (bar ? 1 : 0);
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s VECTORS_TSV [MUTANT_STRIDE]\n", argv[0]);
    return 2;
  }
  long stride = argc > 2 ? atol(argv[2]) : 1;
  FILE *f = fopen(argv[1], "r");
  if (!f) {
    perror(argv[1]);
    return 2;
  }
  size_t cap = 0;
  char *line = NULL;
  long lines = 0, mutants_seen = 0, verified = 0, jwks_only = 0;
  while (getline(&line, &cap, f) > 0) {
    line[strcspn(line, "\n")] = 0;
    char *field[MAX_FIELDS];
    int nf = 0;
    for (char *p = line; nf < MAX_FIELDS;) {
      field[nf++] = p;
      char *tab = strchr(p, '\t');
      if (!tab) break;
      *tab = 0;
      p = tab + 1;
    }
    CHECK(nf == MAX_FIELDS);
    if (nf != MAX_FIELDS) continue;
    const char *label = field[0], *source = field[1], *kind = field[2];
    const char *expect_jwks = field[10], *expect = field[11];
    if (strcmp(source, "mutant") == 0 && mutants_seen++ % stride != 0) continue;
    lines++;
    size_t jwks_len = unhex(field[3]), alg_len = unhex(field[4]), token_len = unhex(field[5]);
    size_t iss_len = unhex(field[8]);
    int64_t now = strtoll(field[6], NULL, 10);
    uint64_t skew = strtoull(field[7], NULL, 10);

    meshauth_jwks *jwks = NULL;
    meshauth_status st;
    if (strcmp(kind, "empty") == 0) {
      st = meshauth_jwks_empty(&jwks);
    } else if (strcmp(kind, "pem") == 0) {
      st = meshauth_jwks_from_pem_with((const uint8_t *)field[3], jwks_len, NULL, 0,
                                       alg_len ? field[4] : NULL, alg_len, &jwks);
    } else {
      st = meshauth_jwks_from_json((const uint8_t *)field[3], jwks_len, &jwks);
    }
    CHECK(matches(st, expect_jwks));
    if (!matches(st, expect_jwks))
      fprintf(stderr, "  %s: jwks %s, want %s\n", label, meshauth_status_name(st), expect_jwks);
    if (st != MESHAUTH_STATUS_OK) {
      CHECK(jwks == NULL);
      jwks_only++;
      continue; /* as the Rust harness: no key set, nothing to verify against */
    }

    meshauth_validation *v = meshauth_validation_new();
    CHECK_ST(meshauth_validation_set_clock_skew(v, skew), MESHAUTH_STATUS_OK);
    if (iss_len != 0) CHECK_ST(meshauth_validation_set_issuer(v, field[8], iss_len), MESHAUTH_STATUS_OK);
    if (strcmp(field[9], "-") != 0) {
      for (char *a = field[9]; a && *a;) {
        char *comma = strchr(a, ',');
        if (comma) *comma = 0;
        size_t n = unhex(a);
        CHECK_ST(meshauth_validation_add_audience(v, a, n), MESHAUTH_STATUS_OK);
        a = comma ? comma + 1 : NULL;
      }
    }
    meshauth_verified *out = NULL;
    st = meshauth_verify(jwks, v, field[5], token_len, now, &out);
    CHECK(matches(st, expect));
    if (!matches(st, expect))
      fprintf(stderr, "  %s: verify %s, want %s\n", label, meshauth_status_name(st), expect);
    CHECK((st == MESHAUTH_STATUS_OK) == (out != NULL));
    /* The status-only call gives the same answer. */
    CHECK(meshauth_verify(jwks, v, field[5], token_len, now, NULL) == st);
    verified++;
    meshauth_verified_free(out);
    meshauth_validation_free(v);
    meshauth_jwks_free(jwks);
  }
  free(line);
  fclose(f);
  CHECK(lines > 100);
  printf("c-test vectors: %ld cases (%ld verified, %ld stopped at the key set, mutant stride %ld)\n",
         lines, verified, jwks_only, stride);
  return finish("c-test vectors");
}
