"""Compares gomlp's logits with PyTorch's.

    compare.py GOMLP_LOGITS TORCH_LOGITS [--classes TORCH_CLASSES] [--tol 1e-4]

GOMLP_LOGITS: one row per test image (mlp eval -logits). TORCH_LOGITS: the
rows PyTorch wrote for the first test images. With --classes, the argmax of
every gomlp row must equal PyTorch's predicted class. Exits 1 on a mismatch.
"""
import argparse
import sys

import numpy as np


def main():
    p = argparse.ArgumentParser()
    p.add_argument("gomlp")
    p.add_argument("torch")
    p.add_argument("--classes", default="")
    p.add_argument("--tol", type=float, default=1e-4)
    a = p.parse_args()
    g = np.loadtxt(a.gomlp, dtype=np.float64, ndmin=2)
    t = np.loadtxt(a.torch, dtype=np.float64, ndmin=2)
    ok = True
    if g.shape[0] < t.shape[0] or g.shape[1] != t.shape[1]:
        print(f"shapes differ: gomlp {g.shape}, torch {t.shape}")
        return 1
    diff = np.abs(g[:len(t)] - t).max()
    print(f"logits of {len(t)} images: max |gomlp - torch| = {diff:.3g} (tolerance {a.tol:g})")
    ok &= bool(diff <= a.tol)
    if a.classes:
        c = np.loadtxt(a.classes, dtype=np.int64)
        if len(c) != len(g):
            print(f"{len(g)} gomlp rows for {len(c)} torch classes")
            return 1
        agree = int((g.argmax(1) == c).sum())
        print(f"argmax agrees on {agree} of {len(c)} test images")
        ok &= agree == len(c)
    print("agreement: " + ("ok" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
