#!/usr/bin/python3
"""Summarizes Go-benchmark-format lines written by run.sh over repeated runs.

Reads a results file (or stdin) containing lines such as
  BenchmarkGemm/shape=128x256x784NN/impl=openblas/threads=1  196  512492 ns/op  100.26 GFLOP/s
separated into runs by lines '# run: K'. For each benchmark name and its
headline metric (GFLOP/s, samples/s, or ns/sample for batch-1 predict) it
prints the median of the per-run medians and the spread (min and max of the
per-run medians), so one slow run on a noisy machine shows as spread rather
than moving the figure; and the best single pass of all runs, which on a
shared machine is the closest to what a quiet one would give.

Usage: summarize.py [results-file ...]   (each file's runs count separately)
"""

import re
import statistics
import sys
from collections import OrderedDict

LOWER_IS_BETTER = {"s/60k", "ns/sample", "ns/op"}
LINE = re.compile(r"^(Benchmark\S+)\s+(\d+)\s+(.*)$")


def headline(name, metrics):
    """The metric a reader compares for this benchmark, and its unit."""
    for unit in ("GFLOP/s",):
        if unit in metrics:
            return unit
    if name.startswith("BenchmarkPredict") and "/batch=1/" in name + "/":
        return "ns/sample"
    if "s/60k" in metrics:
        return "s/60k"
    if "samples/s" in metrics:
        return "samples/s"
    return "ns/op"


def main():
    # (name, unit) -> (file, run) -> [values]
    data = OrderedDict()
    for path in sys.argv[1:] or ["-"]:
        src = sys.stdin if path == "-" else open(path)
        run = 0
        for raw in src:
            raw = raw.rstrip("\n")
            if raw.startswith("== summary"):
                break
            if raw.startswith("# run:"):
                run = int(raw.split(":")[1])
                continue
            m = LINE.match(raw)
            if not m:
                continue
            fields = m.group(3).split()
            metrics = {fields[i + 1]: float(fields[i]) for i in range(0, len(fields) - 1, 2)}
            name = m.group(1)
            unit = headline(name, metrics)
            runs = data.setdefault((name, unit), OrderedDict())
            runs.setdefault((path, run), []).append(metrics[unit])

    # Names are indented so that benchstat never reads this summary as results.
    print(f"  {'benchmark':<78} {'median':>10} {'min run':>10} {'max run':>10} {'best':>10} "
          f"{'unit':<10} runs")
    for (name, unit), runs in data.items():
        meds = [statistics.median(v) for v in runs.values()]
        every = [x for v in runs.values() for x in v]
        best = min(every) if unit in LOWER_IS_BETTER else max(every)
        print(f"  {name:<78} {statistics.median(meds):10.4g} {min(meds):10.4g} "
              f"{max(meds):10.4g} {best:10.4g} {unit:<10} {len(meds)}")


if __name__ == "__main__":
    main()
