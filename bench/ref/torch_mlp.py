#!/usr/bin/python3
"""PyTorch reference timings for gomlp's training and inference benchmarks.

Measures, on this machine's CPU, for each thread setting (see --configs):

  * training a 784-256-10 ReLU MLP (Linear-ReLU-Linear, CrossEntropyLoss,
    SGD with momentum 0.9) for one epoch of 60,000 samples at batch 32, 128
    and 512: a reshuffled permutation per epoch, batches gathered by index
    (the last partial batch included), zero_grad, forward, loss, backward,
    step;
  * the same for 784-512-512-10 with dropout p=0.5 (keep 0.5) after each
    hidden ReLU, at batch 128;
  * inference through the 784-256-10 module (model.eval(), torch.no_grad())
    at batch 1 (time per sample) and batch 1000 (samples/s).

The data are SYNTHETIC: uniform random pixels in [0, 1) of MNIST's shape
(60,000 x 784, float32) and random labels 0..9. Timing does not depend on
the values, and this keeps the script free of downloads.

Each configuration is warmed up, then timed for several passes; the median
pass is reported with the min and max.

Threads. Debian's torch does its matrix products in OpenBLAS (pthreads),
whose thread pool is sized when the library loads from OPENBLAS_NUM_THREADS
(default: all cores) and which torch.set_num_threads does not resize; torch's
own element-wise ops use OpenMP threads (torch.set_num_threads). So each
setting T:B runs in its own child process with torch.set_num_threads(T),
OMP_NUM_THREADS=T and OPENBLAS_NUM_THREADS=B. The default settings are
  1:1  labelled impl=torch       threads=1  (one core, everything)
  2:2  labelled impl=torch       threads=2  (both cores, everything)
  1:2  labelled impl=torch-omp1  threads=2  (both cores for the matrix
       products only; on a 2-core machine this avoids OpenMP and OpenBLAS
       threads competing for the cores, and is often the fastest)
PyTorch's "best thread setting" is the best of these.

Output: a text table and lines in Go benchmark format, e.g.
  BenchmarkTrainStep/784-256-10/batch=128/impl=torch-2  469  1.8e6 ns/op  ...
where one op is one training step (one batch) or one predict call, and the
thread count is the -N suffix, as `go test -cpu 1,2` writes it for gomlp's
BenchmarkTrainStep and BenchmarkPredict (no suffix for one thread).

Run with Debian's interpreter: /usr/bin/python3 bench/ref/torch_mlp.py
"""

import argparse
import ctypes
import json
import os
import statistics
import subprocess
import sys
import time

SAMPLES = 60000
FEATURES = 784
CLASSES = 10


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--configs", default="1:1,2:2,1:2",
                   help="comma-separated TORCH:OPENBLAS thread settings")
    p.add_argument("--passes", type=int, default=5, help="timed passes per configuration")
    p.add_argument("--dropout-passes", type=int, default=3,
                   help="timed passes for the slower 784-512-512-10 dropout network")
    p.add_argument("--predict-seconds", type=float, default=0.5,
                   help="minimum length of one predict pass")
    p.add_argument("--quick", action="store_true",
                   help="smoke test: 1 pass on a tenth of an epoch (numbers not comparable)")
    p.add_argument("--child", type=int, default=0, help=argparse.SUPPRESS)
    p.add_argument("--blas", type=int, default=0, help=argparse.SUPPRESS)
    return p.parse_args()


# ---------------------------------------------------------------- child side

def blas_info():
    """Names the BLAS library this process loaded and its thread count."""
    path = None
    with open("/proc/self/maps") as maps:
        for line in maps:
            name = line.split()[-1]
            if "openblas" in name and ".so" in name:
                path = name
                break
    if path is None:
        return {"blas": "not OpenBLAS (see torch.__config__.show())"}
    info = {"blas": path}
    try:
        lib = ctypes.CDLL(path)
        lib.openblas_get_config.restype = ctypes.c_char_p
        lib.openblas_get_corename.restype = ctypes.c_char_p
        info["openblas_config"] = lib.openblas_get_config().decode()
        info["openblas_corename"] = lib.openblas_get_corename().decode()
        info["openblas_threads"] = lib.openblas_get_num_threads()
    except (OSError, AttributeError) as err:
        info["openblas_error"] = str(err)
    return info


def mlp_784_256_10(torch):
    nn = torch.nn
    return nn.Sequential(nn.Linear(FEATURES, 256), nn.ReLU(), nn.Linear(256, CLASSES))


def mlp_784_512_512_10_dropout(torch):
    nn = torch.nn
    return nn.Sequential(
        nn.Linear(FEATURES, 512), nn.ReLU(), nn.Dropout(p=0.5),
        nn.Linear(512, 512), nn.ReLU(), nn.Dropout(p=0.5),
        nn.Linear(512, CLASSES))


def time_training(torch, model, x, y, batch, passes, samples):
    """Seconds for each pass of one epoch (samples) of SGD-momentum training."""
    model.train()
    loss_fn = torch.nn.CrossEntropyLoss()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

    def epoch(n_samples):
        perm = torch.randperm(n_samples)
        for start in range(0, n_samples, batch):
            idx = perm[start:start + batch]
            xb, yb = x[idx], y[idx]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
        return loss.item()  # also a sanity value: must stay finite

    epoch(min(samples, max(batch * 20, samples // 10)))  # warm-up
    times = []
    for _ in range(passes):
        t0 = time.perf_counter()
        last = epoch(samples)
        times.append(time.perf_counter() - t0)
        if last != last:
            raise SystemExit("torch_mlp: training diverged (NaN loss)")
    return times


def time_predict(torch, model, x, passes, min_seconds):
    """Seconds per call of each pass of repeated inference on the batch x."""
    model.eval()
    times = []
    with torch.no_grad():
        for _ in range(3):  # warm-up
            model(x)
        for _ in range(passes):
            n = 0
            t0 = time.perf_counter()
            while True:
                model(x)
                n += 1
                el = time.perf_counter() - t0
                if el >= min_seconds:
                    break
            times.append((el / n, n))
    return times


def child(args):
    import torch

    n = args.child
    torch.set_num_threads(n)
    torch.manual_seed(0)
    samples = SAMPLES // 10 if args.quick else SAMPLES
    passes = 1 if args.quick else args.passes
    dpasses = 1 if args.quick else args.dropout_passes
    x = torch.rand(SAMPLES, FEATURES, dtype=torch.float32)
    y = torch.randint(0, CLASSES, (SAMPLES,))

    out = {"torch_threads_wanted": n, "blas_threads_wanted": args.blas,
           "torch": torch.__version__,
           "torch_threads": torch.get_num_threads(), "samples": samples,
           "results": []}
    out.update(blas_info())

    def train(net, make, batch, p):
        times = time_training(torch, make(torch), x, y, batch, p, samples)
        steps = -(-samples // batch)
        out["results"].append({"kind": "train", "net": net, "batch": batch,
                               "steps": steps, "samples": samples, "times": times})

    for batch in (32, 128, 512):
        train("784-256-10", mlp_784_256_10, batch, passes)
    train("784-512-512-10-dropout", mlp_784_512_512_10_dropout, 128, dpasses)

    model = mlp_784_256_10(torch)
    for batch in (1, 1000):
        xb = x[:batch].clone()
        res = time_predict(torch, model, xb, passes, args.predict_seconds / (5 if args.quick else 1))
        out["results"].append({"kind": "predict", "net": "784-256-10", "batch": batch,
                               "times": [t for t, _ in res], "calls": [c for _, c in res]})
    json.dump(out, sys.stdout)


# --------------------------------------------------------------- parent side

def run_child(args, n, blas):
    env = dict(os.environ)
    env["OMP_NUM_THREADS"] = env["MKL_NUM_THREADS"] = str(n)
    env["OPENBLAS_NUM_THREADS"] = str(blas)
    cmd = [sys.executable, os.path.abspath(__file__), "--child", str(n), "--blas", str(blas),
           "--passes", str(args.passes), "--dropout-passes", str(args.dropout_passes),
           "--predict-seconds", str(args.predict_seconds)]
    if args.quick:
        cmd.append("--quick")
    done = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, check=True, text=True)
    out = json.loads(done.stdout)
    # Labels: the cores in use, and impl=torch-ompT when torch's own threads
    # differ from OpenBLAS's.
    out["threads"] = max(n, blas)
    out["impl"] = "torch" if n == blas else f"torch-omp{n}"
    return out


def procs(c):
    """The name suffix `go test -cpu N` gives: -N, or nothing for one thread.

    gomlp's model benchmarks take their thread count from GOMAXPROCS, so this
    makes benchstat line the two up row by row."""
    return f"-{c['threads']}" if c["threads"] > 1 else ""


def report(children):
    first = children[0]
    print(f"# torch {first['torch']}; matrix products in {first.get('blas')}")
    if "openblas_config" in first:
        print(f"# openblas_config: {first['openblas_config']}")
    print(f"# data: synthetic (uniform [0,1) pixels, random labels), "
          f"{first['samples']} samples per epoch; median [min, max] over passes")
    for c in children:
        if (c["torch_threads"] != c["torch_threads_wanted"]
                or c.get("openblas_threads", c["blas_threads_wanted"]) != c["blas_threads_wanted"]):
            print(f"# warning: asked for torch:openblas threads {c['torch_threads_wanted']}:"
                  f"{c['blas_threads_wanted']}, got {c['torch_threads']}:{c.get('openblas_threads')}")

    bench = []
    print()
    print(f"{'training':<23} {'batch':>5} {'impl':<11} {'thr':>3} {'s/60k':>7} {'min':>7} {'max':>7} "
          f"{'samples/s':>10} {'us/step':>9}")
    for c in children:
        for r in c["results"]:
            if r["kind"] != "train":
                continue
            scale = SAMPLES / r["samples"]  # --quick times a tenth of an epoch
            per60k = [t * scale for t in r["times"]]
            med = statistics.median(per60k)
            print(f"{r['net']:<23} {r['batch']:>5} {c['impl']:<11} {c['threads']:>3} {med:7.3f} "
                  f"{min(per60k):7.3f} {max(per60k):7.3f} {SAMPLES / med:10.0f} "
                  f"{statistics.median(r['times']) / r['steps'] * 1e6:9.1f}")
            for t in r["times"]:
                bench.append(
                    f"BenchmarkTrainStep/{r['net']}/batch={r['batch']}/impl={c['impl']}"
                    f"{procs(c)} \t{r['steps']}\t{t / r['steps'] * 1e9:.0f} ns/op"
                    f"\t{r['samples'] / t:.1f} samples/s\t{t * scale:.4f} s/60k")
    best = {}
    for c in children:
        for r in c["results"]:
            if r["kind"] == "train":
                med = statistics.median(r["times"]) * SAMPLES / r["samples"]
                key = (r["net"], r["batch"])
                if key not in best or med < best[key][0]:
                    best[key] = (med, c["impl"], c["threads"])
    print()
    print("best setting per network and batch (lowest median s/60k):")
    for (net, batch), (med, impl, thr) in best.items():
        print(f"  {net:<23} batch {batch:>4}: {med:6.3f} s/60k = {SAMPLES / med:7.0f} samples/s "
              f"({impl}, threads={thr})")
    print()
    print(f"{'predict':<23} {'batch':>5} {'impl':<11} {'thr':>3} {'us/smp':>7} {'min':>7} {'max':>7} "
          f"{'samples/s':>10} {'us/call':>9}")
    for c in children:
        for r in c["results"]:
            if r["kind"] != "predict":
                continue
            per = [t / r["batch"] * 1e6 for t in r["times"]]
            med = statistics.median(per)
            print(f"{r['net']:<23} {r['batch']:>5} {c['impl']:<11} {c['threads']:>3} {med:7.2f} "
                  f"{min(per):7.2f} {max(per):7.2f} {1e6 / med:10.0f} "
                  f"{statistics.median(r['times']) * 1e6:9.1f}")
            for t, n in zip(r["times"], r["calls"]):
                bench.append(
                    f"BenchmarkPredict/{r['net']}/batch={r['batch']}/impl={c['impl']}"
                    f"{procs(c)} \t{n}\t{t * 1e9:.0f} ns/op"
                    f"\t{r['batch'] / t:.1f} samples/s\t{t / r['batch'] * 1e9:.1f} ns/sample")
    print()
    print("\n".join(bench))


def main():
    args = parse_args()
    if args.child:
        child(args)
        return
    try:
        configs = [tuple(int(v) for v in c.split(":")) for c in args.configs.split(",") if c]
    except ValueError:
        configs = []
    if not configs or any(len(c) != 2 or min(c) < 1 for c in configs):
        raise SystemExit("torch_mlp: --configs wants TORCH:OPENBLAS pairs such as 1:1,2:2")
    report([run_child(args, n, blas) for n, blas in configs])


if __name__ == "__main__":
    main()
