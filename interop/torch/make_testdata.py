"""Writes the small PyTorch files that torchpt's Go tests read, each with a
JSON file of the tensors they hold (names, dtype, shape, values as float32
flattened row-major), so that the tests need no Python.

    /usr/bin/python3 interop/torch/make_testdata.py torchpt/testdata
"""
import collections
import json
import os
import pickle
import sys

import torch


def expected(sd, prefix=""):
    out = []
    for k, v in sd.items():
        if isinstance(v, dict):
            out += expected(v, prefix + str(k) + ".")
        elif isinstance(v, torch.Tensor):
            e = {"name": prefix + str(k), "dtype": str(v.dtype).replace("torch.", ""), "shape": list(v.shape)}
            if v.is_floating_point():
                e["data"] = [float(x) for x in v.float().contiguous().view(-1).tolist()]
            out.append(e)
    return out


def save(d, name, obj, sd=None, **kw):
    torch.save(obj, os.path.join(d, name + ".pt"), **kw)
    if sd is not None:
        with open(os.path.join(d, name + ".json"), "w") as f:
            json.dump(expected(sd), f)


class Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(4, 3)
        self.fc2 = torch.nn.Linear(3, 2)


def main(d):
    torch.manual_seed(1)
    os.makedirs(d, exist_ok=True)
    seq = torch.nn.Sequential(torch.nn.Linear(5, 4), torch.nn.ReLU(), torch.nn.Linear(4, 3))
    save(d, "sequential", seq.state_dict(), seq.state_dict())
    half = {k: v.half() for k, v in seq.state_dict().items()}
    save(d, "float16", half, half)
    mixed = collections.OrderedDict(a=torch.randn(2, 3).bfloat16(), b=torch.randn(3).double(),
                                    n=torch.tensor(7), m=torch.tensor([True, False]))
    save(d, "dtypes", mixed, mixed)
    base = torch.randn(4, 6)
    views = collections.OrderedDict()
    views["t"] = base.t()                # non-contiguous
    views["row"] = base[2]               # storage offset, shared storage
    views["cols"] = base[:, 1:5:2]       # strided slice
    views["base"] = base
    views["scalar"] = base[1, 1]
    views["empty"] = base[:0]
    save(d, "views", views, views)
    nested = {"model": Net().state_dict(), "epoch": 3, "lr": 0.1, "name": "x"}
    save(d, "nested", nested, nested)
    params = collections.OrderedDict(w=torch.nn.Parameter(torch.randn(2, 2)))
    save(d, "parameter", params, params)
    # Refused: a pickled module, a pickle that would run os.system, and the legacy format.
    torch.save(Net(), os.path.join(d, "module.pt"))
    with open(os.path.join(d, "evil.pt"), "wb") as f:
        f.write(b"")
    import zipfile
    with zipfile.ZipFile(os.path.join(d, "evil.pt"), "w") as z:
        z.writestr("archive/data.pkl", pickle.dumps(Evil(), protocol=2))
        z.writestr("archive/version", "3\n")
    torch.save(seq.state_dict(), os.path.join(d, "legacy.pt"), _use_new_zipfile_serialization=False)


if __name__ == "__main__":
    main(sys.argv[1])
