/* Issue #11, C side: meshauth_verify() in a loop through libmeshauth.so, per algorithm, to
 * compare with the Rust core's own time (the FFI overhead).
 *
 *   bench_verify FIXTURES.tsv [repeats]      (lines: alg, issuer, audience, token, jwks)
 *   bench_verify FIXTURES.tsv --count N ALG  (N verifications of ALG in counted(), untimed: for
 *                                             callgrind --toggle-collect, bench/instructions.py)
 *
 * Prints one JSON object: {"ALG": {"median_ns": .., "min_ns": .., "runs": ..}, ...}. Each round
 * times one batch of ~80 ms of process CPU time (the machine is shared: time spent descheduled
 * does not count); the figure is the median over rounds. */
#include <meshauth.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NOW 1800000000LL

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static long batch(const meshauth_jwks *ks, const meshauth_validation *v, const char *tok, size_t len,
                  long n) {
    long ok = 0;
    for (long i = 0; i < n; i++)
        ok += meshauth_verify(ks, v, tok, len, NOW, NULL) == MESHAUTH_STATUS_OK;
    return ok;
}

/* The loop whose instructions bench/instructions.py counts (kept out of line for that). */
__attribute__((noinline)) long counted(const meshauth_jwks *ks, const meshauth_validation *v,
                                       const char *tok, size_t len, long n) {
    return batch(ks, v, tok, len, n);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s FIXTURES.tsv [repeats]\n", argv[0]);
        return 2;
    }
    long count = -1; /* --count N ALG: untimed */
    const char *only = NULL;
    if (argc > 4 && strcmp(argv[2], "--count") == 0) {
        count = atol(argv[3]);
        only = argv[4];
    }
    int repeats = argc > 2 && count < 0 ? atoi(argv[2]) : 9;
    FILE *f = fopen(argv[1], "r");
    if (!f) {
        perror(argv[1]);
        return 2;
    }
    static char line[1 << 20];
    double *samples = calloc((size_t)repeats, sizeof(double));
    int first = 1;
    printf("{");
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        char *fields[5];
        char *p = line;
        for (int i = 0; i < 5; i++) {
            fields[i] = p;
            p = strchr(p, '\t');
            if (p) *p++ = 0;
            else if (i < 4) return 2;
        }
        const char *alg = fields[0], *tok = fields[3], *jwks = fields[4];
        size_t len = strlen(tok);
        if (only && strcmp(alg, only) != 0) continue;
        meshauth_jwks *ks = NULL;
        if (meshauth_jwks_from_json((const uint8_t *)jwks, strlen(jwks), &ks) != MESHAUTH_STATUS_OK)
            return 3;
        meshauth_validation *v = meshauth_validation_new();
        meshauth_validation_set_issuer(v, fields[1], strlen(fields[1]));
        meshauth_validation_add_audience(v, fields[2], strlen(fields[2]));
        if (batch(ks, v, tok, len, 1) != 1) {
            fprintf(stderr, "%s: does not verify\n", alg);
            return 4;
        }
        if (count >= 0) {
            if (counted(ks, v, tok, len, count) != count) return 5;
            printf("\n \"%s\": {\"count\": %ld}", alg, count);
            meshauth_validation_free(v);
            meshauth_jwks_free(ks);
            continue;
        }
        long n = 1;
        double t;
        do {
            n *= 2;
            double t0 = now_ns();
            batch(ks, v, tok, len, n);
            t = now_ns() - t0;
        } while (t < 20e6);
        n = (long)(n * 80e6 / t) + 1;
        for (int r = 0; r < repeats; r++) {
            double t0 = now_ns();
            if (batch(ks, v, tok, len, n) != n) return 5;
            samples[r] = (now_ns() - t0) / (double)n;
        }
        qsort(samples, (size_t)repeats, sizeof(double), cmp);
        printf("%s\n \"%s\": {\"median_ns\": %.1f, \"min_ns\": %.1f, \"runs\": %d, \"batch\": %ld}",
               first ? "" : ",", alg, samples[repeats / 2], samples[0], repeats, n);
        fflush(stdout);
        first = 0;
        meshauth_validation_free(v);
        meshauth_jwks_free(ks);
    }
    printf("\n}\n");
    free(samples);
    fclose(f);
    return 0;
}
