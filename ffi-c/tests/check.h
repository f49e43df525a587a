/* Minimal check macros shared by the C tests: count every check, report each failure, and make
 * the process fail if any check failed or none ran. */
#ifndef MESHAUTH_TEST_CHECK_H
#define MESHAUTH_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

#include "meshauth.h"

static int checks_run, checks_failed;

#define CHECK(cond)                                                                  \
  do {                                                                               \
    checks_run++;                                                                    \
    if (!(cond)) {                                                                   \
      checks_failed++;                                                               \
      fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                \
    }                                                                                \
  } while (0)

/* A call's status must be `want`; prints both names when not. */
#define CHECK_ST(call, want)                                                         \
  do {                                                                               \
    meshauth_status got_ = (call);                                                   \
    checks_run++;                                                                    \
    if (got_ != (want)) {                                                            \
      checks_failed++;                                                               \
      fprintf(stderr, "FAIL %s:%d: %s = %s, want %s\n", __FILE__, __LINE__, #call,   \
              meshauth_status_name(got_), meshauth_status_name(want));               \
    }                                                                                \
  } while (0)

/* A string view must equal the C string `want` (NULL: the view must be absent). */
#define CHECK_VIEW(view, want) CHECK(view_eq((view), (want)))

static inline int view_eq(meshauth_str v, const char *want) {
  if (want == NULL) return v.ptr == NULL && v.len == 0;
  return v.ptr != NULL && v.len == strlen(want) && memcmp(v.ptr, want, v.len) == 0;
}

static inline int finish(const char *label) {
  printf("%s: %d checks, %d failed\n", label, checks_run, checks_failed);
  return checks_failed != 0 || checks_run == 0;
}

#endif
