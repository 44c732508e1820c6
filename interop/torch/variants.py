"""Writes state_dicts of MNIST-shaped networks in the shapes and naming
styles PyTorch users save, each with the logits PyTorch computes for the
first 100 MNIST test images, for gomlp to read and match. Also writes files
gomlp must refuse.

    variants.py --data $MNIST_DIR --out DIR

For each variant NAME: NAME.pt, NAME.logits (100 rows) and NAME.args (extra
`mlp import` arguments, often empty). Refused files: NAME.pt and NAME.refused
(a piece of the expected error message).
"""
import argparse
import collections
import os
import pickle
import sys
import zipfile

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mnist  # noqa: E402

MEAN, STD = 0.1307, 0.3081

# gomlp's activations as PyTorch modules (LeakyReLU's slope is PyTorch's
# default, 0.01; gomlp's GELU is the tanh form).
ACTIVATIONS = {
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "leaky_relu": lambda: nn.LeakyReLU(0.01),
    "gelu": lambda: nn.GELU(approximate="tanh"),
}


class Named(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.fc2, self.fc3 = nn.Linear(784, 48), nn.Linear(48, 32), nn.Linear(32, 10)

    def forward(self, x):
        return self.fc3(torch.relu(self.fc2(torch.relu(self.fc1(x)))))


class Deep(nn.Module):
    """Seven layers in a ModuleList: names layers.0 … layers.12 (layers.10 after layers.2)."""

    def __init__(self):
        super().__init__()
        sizes = [784, 24, 24, 24, 24, 24, 24, 10]
        mods = []
        for i in range(7):
            mods += [nn.Linear(sizes[i], sizes[i + 1]), nn.ReLU()]
        self.layers = nn.ModuleList(mods[:-1])

    def forward(self, x):
        for m in self.layers:
            x = m(x)
        return x


def seq(*sizes, bias=True):
    mods = []
    for i in range(len(sizes) - 1):
        mods += [nn.Linear(sizes[i], sizes[i + 1], bias=bias), nn.ReLU()]
    return nn.Sequential(*mods[:-1])


class Evil:
    def __reduce__(self):
        return (os.system, ("echo this must never run",))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", default=os.environ.get("MNIST_DIR", ""))
    p.add_argument("--out", required=True)
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    torch.manual_seed(7)
    xt, _ = mnist.load(a.data, "t10k")
    x = torch.from_numpy(xt[:100])

    def write(name, obj, model, xin=x, args=""):
        torch.save(obj, os.path.join(a.out, name + ".pt"))
        with torch.no_grad():
            logits = model.float()(xin)
        np.savetxt(os.path.join(a.out, name + ".logits"), logits.numpy(), fmt="%.9g")
        with open(os.path.join(a.out, name + ".args"), "w") as f:
            f.write(args)

    m = seq(784, 64, 10)
    write("sequential", m.state_dict(), m)
    m = Named()
    write("named_fc", m.state_dict(), m)
    m = Deep()
    write("modulelist_7_layers", m.state_dict(), m)
    m = seq(784, 32, 10, bias=False)
    write("no_bias", m.state_dict(), m)
    for dtype, name in [(torch.float16, "float16"), (torch.bfloat16, "bfloat16"), (torch.float64, "float64")]:
        m = seq(784, 40, 10).to(dtype)
        write(name, m.state_dict(), m)  # the reference runs the stored weights in float32

    # Non-contiguous: each weight is the transpose of an [in, out] tensor.
    m = seq(784, 32, 16, 10)
    sd = collections.OrderedDict()
    for k, v in m.state_dict().items():
        sd[k] = v.t().contiguous().t() if v.dim() == 2 else v
    assert not sd["0.weight"].is_contiguous()
    write("non_contiguous", sd, m)

    # Shared storage: every tensor is a view into one flat buffer.
    m = seq(784, 20, 10)
    flat = torch.cat([v.reshape(-1) for v in m.state_dict().values()])
    sd, at = collections.OrderedDict(), 0
    for k, v in m.state_dict().items():
        sd[k] = flat[at:at + v.numel()].view(v.shape)
        at += v.numel()
    write("shared_storage", sd, m)

    # A training checkpoint: model and optimizer state (momentum buffers of
    # the same shapes make the chain ambiguous, so the layers are named).
    m = seq(784, 30, 10)
    opt = torch.optim.SGD(m.parameters(), lr=0.01, momentum=0.9)
    m(x).mean().backward()  # a small step, so the logits stay of order 1
    opt.step()
    write("training_checkpoint", {"model": m.state_dict(), "optimizer": opt.state_dict(), "epoch": 3}, m,
          args="-layers model.0,model.2")

    # Parameters rather than tensors as values.
    m = seq(784, 16, 10)
    write("parameters", collections.OrderedDict((k, nn.Parameter(v)) for k, v in m.state_dict().items()), m)

    # Trained on normalised input: mlp import folds the normalisation.
    m = seq(784, 50, 10)
    write("normalised_input", m.state_dict(), m, xin=(x - MEAN) / STD, args=f"-mean {MEAN} -std {STD}")

    # Every activation gomlp has, trained on normalised input: mlp import
    # keeps the normalisation as the model's normalizer (or folds it, -fold).
    for name, act in ACTIVATIONS.items():
        m = nn.Sequential(nn.Linear(784, 48), act(), nn.Linear(48, 24), act(), nn.Linear(24, 10))
        write("act_" + name, m.state_dict(), m, xin=(x - MEAN) / STD,
              args=f"-activation {name} -mean {MEAN} -std {STD}")
    m = nn.Sequential(nn.Linear(784, 40), nn.Sigmoid(), nn.Linear(40, 20), ACTIVATIONS["gelu"](), nn.Linear(20, 10))
    write("act_per_layer", m.state_dict(), m, args="-activation sigmoid,gelu")
    m = seq(784, 50, 10)
    write("normalised_input_folded", m.state_dict(), m, xin=(x - MEAN) / STD, args=f"-mean {MEAN} -std {STD} -fold")

    def refused(name, msg):
        with open(os.path.join(a.out, name + ".refused"), "w") as f:
            f.write(msg)

    torch.save(Named(), os.path.join(a.out, "whole_module.pt"))
    refused("whole_module", "__main__.Named")
    torch.save(seq(784, 8, 10).state_dict(), os.path.join(a.out, "legacy_format.pt"), _use_new_zipfile_serialization=False)
    refused("legacy_format", "re-save it with a current PyTorch")
    with zipfile.ZipFile(os.path.join(a.out, "os_system.pt"), "w") as z:
        z.writestr("archive/data.pkl", pickle.dumps(Evil(), protocol=2))
    refused("os_system", "posix.system")
    torch.jit.save(torch.jit.script(seq(784, 8, 10)), os.path.join(a.out, "torchscript.pt"))
    refused("torchscript", "TorchScript")


if __name__ == "__main__":
    main()
