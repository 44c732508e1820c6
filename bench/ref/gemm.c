/*
 * gemm.c: reference SGEMM timings for gomlp's benchmark shapes.
 *
 * Times cblas_sgemm (row-major, alpha = 1, beta = 0) from one BLAS library
 * on the shapes that gomlp's bench/ suite measures, and prints a text table
 * plus lines in Go benchmark format so they can sit beside `go test -bench`
 * output (benchstat, or any script).
 *
 * Build one executable per library (both export cblas_sgemm):
 *   cc -O2 -DREF_OPENBLAS ... -lopenblas   -> gemm_openblas
 *   cc -O2 -DREF_BLIS     ... -lblis       -> gemm_blis
 * See build.sh.
 *
 * Shapes are written MxNxK plus the transposes as gomlp names them:
 *   NN: C[M,N] = A[M,K]   · B[K,N]
 *   TN: C[M,N] = A[K,M]^T · B[K,N]
 *   NT: C[M,N] = A[M,K]   · B[N,K]^T
 *
 * Usage: gemm_<lib> [-t seconds-per-pass] [-p passes] [-T threads,list]
 *                   [-s shape-substring] [-n impl-label] [-q] [-V]
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(REF_OPENBLAS)
#include <cblas.h>
#define IMPL_NAME "openblas"
#elif defined(REF_BLIS)
#include <blis.h>
#define IMPL_NAME "blis"
#else
#error "define REF_OPENBLAS or REF_BLIS"
#endif

typedef struct {
	int m, n, k;
	int transA, transB;
} shape;

static const shape shapes[] = {
	/* squares */
	{64, 64, 64, 0, 0},
	{128, 128, 128, 0, 0},
	{256, 256, 256, 0, 0},
	{512, 512, 512, 0, 0},
	{1024, 1024, 1024, 0, 0},
	{2048, 2048, 2048, 0, 0},
	/* 784-256-10 MLP, batch 128: forward, weight gradient, input gradient */
	{128, 256, 784, 0, 0}, /* layer 1 forward  X·W1          */
	{784, 256, 128, 1, 0}, /* layer 1 dW1 = X^T·dH           */
	{128, 784, 256, 0, 1}, /* layer 1 dX  = dH·W1^T          */
	{128, 10, 256, 0, 0},  /* layer 2 forward  H·W2          */
	{256, 10, 128, 1, 0},  /* layer 2 dW2 = H^T·dY           */
	{128, 256, 10, 0, 1},  /* layer 2 dH  = dY·W2^T          */
	/* batch-1 inference through the first layer */
	{1, 256, 784, 0, 0},
};
#define NSHAPES ((int)(sizeof shapes / sizeof shapes[0]))

#define MAXPASSES 64

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void set_threads(int n)
{
#if defined(REF_OPENBLAS)
	openblas_set_num_threads(n);
#else
	bli_thread_set_num_threads(n);
#endif
}

static void shape_name(const shape *s, char *buf, size_t len)
{
	snprintf(buf, len, "%dx%dx%d%c%c", s->m, s->n, s->k,
		 s->transA ? 'T' : 'N', s->transB ? 'T' : 'N');
}

static float *alloc_random(size_t n, unsigned *seed)
{
	float *p = NULL;
	if (posix_memalign((void **)&p, 64, (n ? n : 1) * sizeof *p) != 0) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	for (size_t i = 0; i < n; i++) {
		*seed = *seed * 1664525u + 1013904223u;
		p[i] = (float)((*seed >> 8) & 0xffff) / 32768.0f - 1.0f;
	}
	return p;
}

/* Operands of one shape, laid out row-major and densely (ld = cols). */
typedef struct {
	float *a, *b, *c;
	int lda, ldb, ldc;
} operands;

static operands make_operands(const shape *s, unsigned *seed)
{
	operands o;
	/* A is stored M×K (NN, NT) or K×M (TN); B is K×N (NN, TN) or N×K (NT). */
	o.a = alloc_random((size_t)s->m * s->k, seed);
	o.b = alloc_random((size_t)s->k * s->n, seed);
	o.c = alloc_random((size_t)s->m * s->n, seed);
	o.lda = s->transA ? s->m : s->k;
	o.ldb = s->transB ? s->k : s->n;
	o.ldc = s->n;
	return o;
}

static void run_gemm(const shape *s, const operands *o)
{
	cblas_sgemm(CblasRowMajor, s->transA ? CblasTrans : CblasNoTrans,
		    s->transB ? CblasTrans : CblasNoTrans, s->m, s->n, s->k,
		    1.0f, o->a, o->lda, o->b, o->ldb, 0.0f, o->c, o->ldc);
}

/*
 * Checks a few entries of C against a double-precision dot product, so a
 * wrong transpose or leading dimension cannot produce a plausible timing.
 */
static int check(const shape *s, const operands *o)
{
	int rows[3] = {0, s->m / 2, s->m - 1};
	int cols[3] = {0, s->n / 2, s->n - 1};
	for (int ri = 0; ri < 3; ri++) {
		for (int ci = 0; ci < 3; ci++) {
			int i = rows[ri], j = cols[ci];
			double want = 0, mag = 0;
			for (int p = 0; p < s->k; p++) {
				double av = s->transA ? o->a[(size_t)p * o->lda + i]
						      : o->a[(size_t)i * o->lda + p];
				double bv = s->transB ? o->b[(size_t)j * o->ldb + p]
						      : o->b[(size_t)p * o->ldb + j];
				want += av * bv;
				mag += fabs(av * bv);
			}
			double got = o->c[(size_t)i * o->ldc + j];
			if (fabs(got - want) > 1e-5 * mag + 1e-6) {
				fprintf(stderr, "check failed: C[%d,%d] = %g, want %g\n",
					i, j, got, want);
				return 0;
			}
		}
	}
	return 1;
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return (a > b) - (a < b);
}

static double median(const double *v, int n)
{
	double tmp[MAXPASSES];
	memcpy(tmp, v, (size_t)n * sizeof *v);
	qsort(tmp, (size_t)n, sizeof *tmp, cmp_double);
	return n % 2 ? tmp[n / 2] : 0.5 * (tmp[n / 2 - 1] + tmp[n / 2]);
}

static void print_versions(void)
{
#if defined(REF_OPENBLAS)
	printf("# impl: openblas\n# openblas_config: %s\n# openblas_corename: %s\n",
	       openblas_get_config(), openblas_get_corename());
#else
	printf("# impl: blis\n# blis_version: %s\n# blis_arch: %s\n",
	       bli_info_get_version_str(), bli_arch_string(bli_arch_query_id()));
#endif
}

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [-t seconds-per-pass] [-p passes] [-T 1,2] [-s substring] [-n label] [-q] [-V]\n"
		"  -t  minimum time of one pass (default 0.3)\n"
		"  -p  passes per shape; the median pass is reported (default 5)\n"
		"  -T  comma-separated thread counts (default 1,2)\n"
		"  -s  only shapes whose name contains this string (e.g. 784)\n"
		"  -n  impl label in the output (default " IMPL_NAME "), e.g. openblas-zen\n"
		"  -q  no text table, only Go benchmark lines\n"
		"  -V  print the library version and exit\n",
		prog);
	exit(2);
}

int main(int argc, char **argv)
{
	double pass_seconds = 0.3;
	int passes = 5, quiet = 0;
	const char *filter = NULL, *impl = IMPL_NAME;
	int threads[8] = {1, 2}, nthreads = 2;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-t") && i + 1 < argc) {
			pass_seconds = atof(argv[++i]);
		} else if (!strcmp(argv[i], "-p") && i + 1 < argc) {
			passes = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "-s") && i + 1 < argc) {
			filter = argv[++i];
		} else if (!strcmp(argv[i], "-T") && i + 1 < argc) {
			char *list = argv[++i], *tok;
			nthreads = 0;
			for (tok = strtok(list, ","); tok && nthreads < 8; tok = strtok(NULL, ","))
				threads[nthreads++] = atoi(tok);
		} else if (!strcmp(argv[i], "-n") && i + 1 < argc) {
			impl = argv[++i];
		} else if (!strcmp(argv[i], "-q")) {
			quiet = 1;
		} else if (!strcmp(argv[i], "-V")) {
			print_versions();
			return 0;
		} else {
			usage(argv[0]);
		}
	}
	if (passes < 1 || passes > MAXPASSES || pass_seconds <= 0 || nthreads == 0)
		usage(argv[0]);
	for (int t = 0; t < nthreads; t++)
		if (threads[t] < 1)
			usage(argv[0]);

	print_versions();
	printf("# passes: %d of >= %.2f s each; GFLOP/s = 2*M*N*K/time; "
	       "median, min, max over passes\n", passes, pass_seconds);

	char line[65536];
	size_t used = 0;
	line[0] = 0;
	if (!quiet)
		printf("%-16s %-14s %7s %10s %10s %10s %12s\n", "shape", "impl",
		       "threads", "GFLOP/s", "min", "max", "us/call");

	unsigned seed = 12345;
	/* Thread count is the outer loop: a library's idle worker threads from a
	 * 2-thread run could otherwise still be spinning during a 1-thread run. */
	for (int t = 0; t < nthreads; t++) {
		set_threads(threads[t]);
		for (int si = 0; si < NSHAPES; si++) {
			const shape *s = &shapes[si];
			char name[64];
			shape_name(s, name, sizeof name);
			if (filter && !strstr(name, filter))
				continue;

			operands o = make_operands(s, &seed);
			double flops = 2.0 * s->m * s->n * s->k;

			/* Warm-up: page in the operands, let the library size its
			 * buffers and start its threads; about a fifth of a pass. */
			run_gemm(s, &o);
			if (!check(s, &o)) {
				fprintf(stderr, "%s %s: wrong result\n", impl, name);
				return 1;
			}
			double t0 = now();
			while (now() - t0 < pass_seconds / 5)
				run_gemm(s, &o);

			double gflops[MAXPASSES], nsop[MAXPASSES];
			long iters[MAXPASSES];
			for (int p = 0; p < passes; p++) {
				long n = 0;
				double start = now(), el;
				do {
					run_gemm(s, &o);
					n++;
					el = now() - start;
				} while (el < pass_seconds);
				iters[p] = n;
				nsop[p] = el / n * 1e9;
				gflops[p] = flops * n / el * 1e-9;
			}

			double med = median(gflops, passes), lo = gflops[0], hi = gflops[0];
			for (int p = 1; p < passes; p++) {
				if (gflops[p] < lo)
					lo = gflops[p];
				if (gflops[p] > hi)
					hi = gflops[p];
			}
			if (!quiet)
				printf("%-16s %-14s %7d %10.1f %10.1f %10.1f %12.2f\n", name,
				       impl, threads[t], med, lo, hi, flops / med * 1e-3);
			fflush(stdout);
			/* One benchmark line per pass: benchstat takes the median and
			 * the spread itself. */
			for (int p = 0; p < passes && used < sizeof line - 256; p++)
				used += (size_t)snprintf(line + used, sizeof line - used,
					"BenchmarkGemm/shape=%s/impl=%s/threads=%d \t%8ld\t%12.0f ns/op\t%10.2f GFLOP/s\n",
					name, impl, threads[t], iters[p], nsop[p], gflops[p]);
			free(o.a);
			free(o.b);
			free(o.c);
		}
	}
	printf("\n%s", line);
	return 0;
}
