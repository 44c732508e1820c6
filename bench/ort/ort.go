package main

/*
#cgo LDFLAGS: -l:libonnxruntime.so.1
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "onnxruntime_c_api.h"

static const OrtApi *api;
static OrtEnv *env;
static OrtSession *session;
static OrtMemoryInfo *meminfo;
static OrtValue *input, *output;
static const char *in_name = "input", *out_name = "probabilities";

// check turns an OrtStatus into a malloc'ed message (NULL for success).
static char *check(OrtStatus *s) {
	if (s == NULL) return NULL;
	const char *msg = api->GetErrorMessage(s);
	size_t n = strlen(msg);
	char *out = malloc(n + 1);
	memcpy(out, msg, n + 1);
	api->ReleaseStatus(s);
	return out;
}

// ort_open loads a model into a session that runs on the calling thread
// alone (one intra-op thread, sequential execution, all graph optimisations).
static char *ort_open(const char *path) {
	const OrtApiBase *base = OrtGetApiBase();
	api = base->GetApi(ORT_API_VERSION);
	if (api == NULL) return strdup("this ONNX Runtime does not offer the header's API version");
	char *err;
	if ((err = check(api->CreateEnv(ORT_LOGGING_LEVEL_WARNING, "gomlp-bench", &env)))) return err;
	OrtSessionOptions *opt;
	if ((err = check(api->CreateSessionOptions(&opt)))) return err;
	if ((err = check(api->SetIntraOpNumThreads(opt, 1)))) return err;
	if ((err = check(api->SetInterOpNumThreads(opt, 1)))) return err;
	if ((err = check(api->SetSessionExecutionMode(opt, ORT_SEQUENTIAL)))) return err;
	if ((err = check(api->SetSessionGraphOptimizationLevel(opt, ORT_ENABLE_ALL)))) return err;
	if ((err = check(api->CreateSession(env, path, opt, &session)))) return err;
	api->ReleaseSessionOptions(opt);
	return check(api->CreateCpuMemoryInfo(OrtArenaAllocator, OrtMemTypeDefault, &meminfo));
}

// ort_bind makes the input and output tensors for a batch over caller memory,
// so that a run allocates nothing for them.
static char *ort_bind(float *x, float *y, int64_t batch, int64_t in, int64_t out) {
	if (input) api->ReleaseValue(input);
	if (output) api->ReleaseValue(output);
	input = output = NULL;
	int64_t xs[2] = {batch, in}, ys[2] = {batch, out};
	char *err = check(api->CreateTensorWithDataAsOrtValue(meminfo, x, batch * in * sizeof(float), xs, 2,
		ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT, &input));
	if (err) return err;
	return check(api->CreateTensorWithDataAsOrtValue(meminfo, y, batch * out * sizeof(float), ys, 2,
		ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT, &output));
}

// ort_run runs the session n times and returns the elapsed nanoseconds, or
// -1 with *err set.
static int64_t ort_cpu_ns; // process CPU time of the last ort_run

static int64_t ort_cpu(void) { return ort_cpu_ns; }

static int64_t ns(struct timespec t) { return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec; }

static int64_t ort_run(int n, char **err) {
	struct timespec t0, t1, c0, c1;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < n; i++) {
		*err = check(api->Run(session, NULL, &in_name, (const OrtValue *const *)&input, 1, &out_name, 1, &output));
		if (*err) return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
	ort_cpu_ns = ns(c1) - ns(c0);
	return ns(t1) - ns(t0);
}
*/
import "C"

import (
	"errors"
	"time"
	"unsafe"
)

// ortSession is ONNX Runtime in this process, through its C API.
type ortSession struct{}

func ortOpen(path string) (*ortSession, error) {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	if err := C.ort_open(cpath); err != nil {
		defer C.free(unsafe.Pointer(err))
		return nil, errors.New(C.GoString(err))
	}
	return &ortSession{}, nil
}

// bind points the session's input and output at C memory of the sizes given.
func (s *ortSession) bind(x, y unsafe.Pointer, batch, in, out int) error {
	if err := C.ort_bind((*C.float)(x), (*C.float)(y), C.int64_t(batch), C.int64_t(in), C.int64_t(out)); err != nil {
		defer C.free(unsafe.Pointer(err))
		return errors.New(C.GoString(err))
	}
	return nil
}

// run times n calls, the loop itself in C.
func (s *ortSession) run(n int) (time.Duration, error) {
	var err *C.char
	ns := C.ort_run(C.int(n), &err)
	if ns < 0 {
		defer C.free(unsafe.Pointer(err))
		return 0, errors.New(C.GoString(err))
	}
	return time.Duration(ns), nil
}

// cpu returns the process CPU time of the last run: about its wall time
// when one thread did the work.
func (s *ortSession) cpu() time.Duration { return time.Duration(C.ort_cpu()) }

func cAlloc(floats int) unsafe.Pointer { return C.calloc(C.size_t(floats), 4) }

func cFree(p unsafe.Pointer) { C.free(p) }
