"""Loads a .pt file written by `mlp export` with torch.load(weights_only=True)
into nn.Sequential(Linear, activation, …, Linear), the way the README shows,
and compares its logits for the first 100 MNIST test images with gomlp's.

    check_export.py MODEL.pt GOMLP_LOGITS --data $MNIST_DIR [--tol 1e-5]
        [--activation relu|tanh|sigmoid|leaky_relu|gelu[,…]]

--activation names one activation for every hidden layer or one per layer.
"""
import argparse
import os
import sys

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mnist  # noqa: E402
from variants import ACTIVATIONS  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("model")
    p.add_argument("gomlp")
    p.add_argument("--data", default=os.environ.get("MNIST_DIR", ""))
    p.add_argument("--tol", type=float, default=1e-5)
    p.add_argument("--activation", default="relu")
    a = p.parse_args()

    sd = torch.load(a.model, weights_only=True)
    weights = [sd[k] for k in sd if k.endswith(".weight")]
    acts = a.activation.split(",")
    if len(acts) == 1:
        acts *= len(weights) - 1
    layers = []
    for i, w in enumerate(weights):
        layers.append(nn.Linear(w.shape[1], w.shape[0]))
        if i < len(weights) - 1:
            layers.append(ACTIVATIONS[acts[i]]())
    model = nn.Sequential(*layers)
    model.load_state_dict(sd)  # strict: every name and shape must match

    xt, _ = mnist.load(a.data, "t10k")
    with torch.no_grad():
        t = model(torch.from_numpy(xt[:100])).double().numpy()
    g = np.loadtxt(a.gomlp, dtype=np.float64, ndmin=2)[:100]
    diff = np.abs(g - t).max()
    print(f"{a.model}: torch.load(weights_only=True) into {model}")
    print(f"logits of 100 images: max |gomlp - torch| = {diff:.3g} (tolerance {a.tol:g})")
    return 0 if diff <= a.tol else 1


if __name__ == "__main__":
    sys.exit(main())
