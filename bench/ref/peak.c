/*
 * peak.c: this machine's FP32 FMA throughput, the ceiling for any SGEMM.
 *
 * Each thread runs a loop of independent fused multiply-adds on 12 vector
 * accumulators (enough to cover FMA latency × issue width on current x86
 * cores) and never touches memory, so the figure is the arithmetic peak at
 * the clock the core actually runs at now. Measured for 256-bit AVX2+FMA
 * (what gomlp's amd64 kernel uses) and, where the CPU has it, 512-bit
 * AVX-512F (what OpenBLAS may pick on such CPUs), on 1 and 2 threads.
 *
 * Usage: peak [-t seconds]   (x86-64 only)
 */
#define _GNU_SOURCE
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ITERS 100000L /* per timing check; 12 FMAs per iteration */

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct {
	int wide; /* 0: 256-bit, 1: 512-bit */
	double seconds;
	double flops;
	float sink;
} job;

#define FMA12(fma)                                                         \
	do {                                                                  \
		a0 = fma(a0, m, c); a1 = fma(a1, m, c); a2 = fma(a2, m, c);   \
		a3 = fma(a3, m, c); a4 = fma(a4, m, c); a5 = fma(a5, m, c);   \
		a6 = fma(a6, m, c); a7 = fma(a7, m, c); a8 = fma(a8, m, c);   \
		a9 = fma(a9, m, c); a10 = fma(a10, m, c); a11 = fma(a11, m, c); \
	} while (0)

__attribute__((target("avx2,fma"))) static void run256(job *j)
{
	__m256 m = _mm256_set1_ps(0.999999f), c = _mm256_set1_ps(1e-7f);
	/* Distinct starting values, or the compiler merges the chains into one. */
	__m256 a0 = _mm256_set1_ps(1.00f), a1 = _mm256_set1_ps(1.01f), a2 = _mm256_set1_ps(1.02f),
	       a3 = _mm256_set1_ps(1.03f), a4 = _mm256_set1_ps(1.04f), a5 = _mm256_set1_ps(1.05f),
	       a6 = _mm256_set1_ps(1.06f), a7 = _mm256_set1_ps(1.07f), a8 = _mm256_set1_ps(1.08f),
	       a9 = _mm256_set1_ps(1.09f), a10 = _mm256_set1_ps(1.10f), a11 = _mm256_set1_ps(1.11f);
	long n = 0;
	double start = now(), el;
	do {
		for (long i = 0; i < ITERS; i++)
			FMA12(_mm256_fmadd_ps);
		n += ITERS;
		el = now() - start;
	} while (el < j->seconds);
	__m256 s = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)),
				 _mm256_add_ps(_mm256_add_ps(a4, a5), _mm256_add_ps(a6, a7)));
	s = _mm256_add_ps(s, _mm256_add_ps(_mm256_add_ps(a8, a9), _mm256_add_ps(a10, a11)));
	j->sink = _mm256_cvtss_f32(s);
	j->flops = (double)n * 12 * 8 * 2 / el;
}

__attribute__((target("avx512f"))) static void run512(job *j)
{
	__m512 m = _mm512_set1_ps(0.999999f), c = _mm512_set1_ps(1e-7f);
	/* Distinct starting values, or the compiler merges the chains into one. */
	__m512 a0 = _mm512_set1_ps(1.00f), a1 = _mm512_set1_ps(1.01f), a2 = _mm512_set1_ps(1.02f),
	       a3 = _mm512_set1_ps(1.03f), a4 = _mm512_set1_ps(1.04f), a5 = _mm512_set1_ps(1.05f),
	       a6 = _mm512_set1_ps(1.06f), a7 = _mm512_set1_ps(1.07f), a8 = _mm512_set1_ps(1.08f),
	       a9 = _mm512_set1_ps(1.09f), a10 = _mm512_set1_ps(1.10f), a11 = _mm512_set1_ps(1.11f);
	long n = 0;
	double start = now(), el;
	do {
		for (long i = 0; i < ITERS; i++)
			FMA12(_mm512_fmadd_ps);
		n += ITERS;
		el = now() - start;
	} while (el < j->seconds);
	__m512 s = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)),
				 _mm512_add_ps(_mm512_add_ps(a4, a5), _mm512_add_ps(a6, a7)));
	s = _mm512_add_ps(s, _mm512_add_ps(_mm512_add_ps(a8, a9), _mm512_add_ps(a10, a11)));
	j->sink = _mm512_reduce_add_ps(s);
	j->flops = (double)n * 12 * 16 * 2 / el;
}

static void *worker(void *arg)
{
	job *j = arg;
	if (j->wide)
		run512(j);
	else
		run256(j);
	return NULL;
}

/* Total GFLOP/s of nthreads threads running the loop at once. */
static double measure(int wide, int nthreads, double seconds)
{
	pthread_t tid[16];
	job jobs[16];
	double total = 0;
	for (int i = 0; i < nthreads; i++) {
		jobs[i] = (job){.wide = wide, .seconds = seconds};
		pthread_create(&tid[i], NULL, worker, &jobs[i]);
	}
	for (int i = 0; i < nthreads; i++) {
		pthread_join(tid[i], NULL);
		total += jobs[i].flops;
	}
	return total * 1e-9;
}

static int cmp(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return (a > b) - (a < b);
}

int main(int argc, char **argv)
{
	double seconds = 0.3;
	if (argc == 3 && !strcmp(argv[1], "-t"))
		seconds = atof(argv[2]);
	__builtin_cpu_init();
	if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) {
		fprintf(stderr, "peak: CPU has no AVX2+FMA\n");
		return 1;
	}
	int has512 = __builtin_cpu_supports("avx512f") != 0;
	printf("%-10s %7s %10s %10s %10s\n", "isa", "threads", "GFLOP/s", "min", "max");
	char lines[4096];
	size_t used = 0;
	for (int wide = 0; wide <= has512; wide++) {
		const char *isa = wide ? "avx512f" : "avx2+fma";
		for (int t = 1; t <= 2; t++) {
			double v[5];
			measure(wide, t, seconds / 5); /* warm-up: clocks settle */
			for (int p = 0; p < 5; p++) {
				v[p] = measure(wide, t, seconds);
				used += (size_t)snprintf(lines + used, sizeof lines - used,
					"BenchmarkPeak/isa=%s/threads=%d \t1\t%.0f ns/op\t%.2f GFLOP/s\n",
					isa, t, seconds * 1e9, v[p]);
			}
			qsort(v, 5, sizeof v[0], cmp);
			printf("%-10s %7d %10.1f %10.1f %10.1f\n", isa, t, v[2], v[0], v[4]);
			fflush(stdout);
		}
	}
	printf("\n%s", lines);
	return 0;
}
