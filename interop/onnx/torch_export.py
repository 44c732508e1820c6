"""Exports small PyTorch MNIST classifiers with torch.onnx.export and writes
PyTorch's own class probabilities for the MNIST test set beside each file,
for gomlp's importer to be checked against.

    python3 torch_export.py X.f32 Y.u8 OUTDIR

X.f32 holds the 10,000 test images (rows of 784 float32 in [0, 1]); Y.u8
their labels. Each model is trained briefly on the first half of the test
set (the point is realistic weights, not accuracy), exported at each opset,
and written as OUTDIR/NAME-opsetN.onnx with OUTDIR/NAME.probs.f32 holding
PyTorch's probabilities on all 10,000 images (the softmax of the logits, the
exponential of log-probabilities). A float16 variant stores the initializers
as FLOAT16 and its reference uses the same rounded weights.
"""
import os
import sys
import warnings

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

warnings.filterwarnings("ignore")
OPSETS = (9, 11, 13, 17)  # torch 1.13 exports opsets 7 to 17


class FC(nn.Module):
    """The tutorial's module with named layers; flatten=True takes 1×28×28
    images, reshape=True uses x.view(-1, 784)."""

    def __init__(self, flatten=False, reshape=False, head="log_softmax"):
        super().__init__()
        self.flatten, self.reshape, self.head = flatten, reshape, head
        self.fc1 = nn.Linear(784, 128)
        self.fc2 = nn.Linear(128, 64)
        self.fc3 = nn.Linear(64, 10)
        self.drop = nn.Dropout(0.2)

    def forward(self, x):
        if self.flatten:
            x = torch.flatten(x, 1)
        if self.reshape:
            x = x.view(-1, 784)
        x = self.drop(F.relu(self.fc1(x)))
        x = F.relu(self.fc2(x))
        x = self.fc3(x)
        if self.head == "log_softmax":
            return F.log_softmax(x, dim=1)
        if self.head == "softmax":
            return F.softmax(x, dim=1)
        return x


class Normalized(nn.Module):
    """The usual transforms.Normalize((0.1307,), (0.3081,)) inside the model."""

    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))

    def forward(self, x):
        return self.net((x - 0.1307) / 0.3081)


def models():
    yield "seq", nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10)), "logits", False
    yield "seq-flatten", nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Dropout(0.5),
                                       nn.Linear(256, 10), nn.Softmax(dim=1)), "probs", True
    yield "fc", FC(), "log_probs", False
    yield "fc-flatten", FC(flatten=True, head="softmax"), "probs", True
    yield "fc-view", FC(reshape=True, head="logits"), "logits", False
    yield "normalized", Normalized(), "logits", False
    yield "activations", nn.Sequential(nn.Linear(784, 128), nn.Tanh(), nn.Linear(128, 64), nn.Sigmoid(),
                                       nn.Linear(64, 32), nn.LeakyReLU(), nn.Linear(32, 10)), "logits", False
    yield "gelu", nn.Sequential(nn.Linear(784, 128), nn.GELU(approximate="tanh"), nn.Linear(128, 10)), "logits", False


def probabilities(out, kind):
    if kind == "logits":
        return torch.softmax(out, dim=1)
    if kind == "log_probs":
        return torch.exp(out)
    return out


def main():
    x_path, y_path, outdir = sys.argv[1:4]
    os.makedirs(outdir, exist_ok=True)
    x = torch.from_numpy(np.fromfile(x_path, dtype="<f4").reshape(-1, 784).copy())
    y = torch.from_numpy(np.fromfile(y_path, dtype=np.uint8).astype(np.int64))
    torch.manual_seed(1)
    print(f"torch {torch.__version__}, opsets {OPSETS}")
    for name, model, kind, images in models():
        opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        model.train()
        for i in range(0, 5000, 100):
            xb = x[i:i + 100]
            if images:
                xb = xb.view(-1, 1, 28, 28)
            out = model(xb)
            loss = F.cross_entropy(out if kind == "logits" else torch.log(probabilities(out, kind) + 1e-30), y[i:i + 100])
            opt.zero_grad()
            loss.backward()
            opt.step()
        model.eval()
        inp = x.view(-1, 1, 28, 28) if images else x
        with torch.no_grad():
            probs = probabilities(model(inp), kind)
        acc = (probs.argmax(1) == y).float().mean().item()
        probs.numpy().astype("<f4").tofile(os.path.join(outdir, name + ".probs.f32"))
        for opset in OPSETS:
            path = os.path.join(outdir, f"{name}-opset{opset}.onnx")
            torch.onnx.export(model, inp[:2], path, opset_version=opset, input_names=["image"],
                              output_names=["out"], dynamic_axes={"image": {0: "batch"}, "out": {0: "batch"}})
        print(f"{name}: exported at opsets {list(OPSETS)}, output {kind}, PyTorch test accuracy {100 * acc:.2f}%")
    half(x, outdir)


def half(x, outdir):
    """The first model with every initializer stored as FLOAT16 (typed
    int32_data for the weights, raw for the biases) and a float16 input,
    the way float16 converters leave a graph; the reference is PyTorch with
    the same rounded weights, in float32."""
    import onnx
    from onnx import numpy_helper, TensorProto
    m = onnx.load(os.path.join(outdir, "seq-opset13.onnx"))
    for i, t in enumerate(m.graph.initializer):
        a = numpy_helper.to_array(t).astype(np.float16)
        if i % 2 == 0:
            new = onnx.helper.make_tensor(t.name, TensorProto.FLOAT16, a.shape, a.flatten().tolist())  # int32_data
        else:
            new = numpy_helper.from_array(a, t.name)
        t.CopyFrom(new)
    for v in list(m.graph.input) + list(m.graph.output):
        v.type.tensor_type.elem_type = TensorProto.FLOAT16
    onnx.save(m, os.path.join(outdir, "seq-float16.onnx"))
    w = {t.name: torch.from_numpy(numpy_helper.to_array(t).astype(np.float32)) for t in m.graph.initializer}
    names = [t.name for t in m.graph.initializer]
    h = F.relu(x @ w[names[0]].T + w[names[1]])
    probs = torch.softmax(h @ w[names[2]].T + w[names[3]], dim=1)
    probs.numpy().astype("<f4").tofile(os.path.join(outdir, "seq-float16.probs.f32"))
    print("seq-float16: FLOAT16 initializers (typed and raw), float16 input")


if __name__ == "__main__":
    main()
