"""Trains a 784-256-10 ReLU network on MNIST with DistributedDataParallel on
the gloo backend, one process per CPU worker, then (on rank 0) saves its
state_dict and reports its test accuracy, the logits of the first 100 test
images and the predicted class of every test image.

    torchrun --nproc_per_node 2 --master_addr 127.0.0.1 --master_port 29517 \
        interop/torch/train_ddp.py --data $MNIST_DIR --out model.pt --epochs 3

The network sees normalised pixels, (x - 0.1307)/0.3081, as in PyTorch's MNIST
example; `mlp import -mean 0.1307 -std 0.3081` folds that into the first layer.
"""
import argparse
import os
import sys

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mnist  # noqa: E402

MEAN, STD = 0.1307, 0.3081


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", default=os.environ.get("MNIST_DIR", ""))
    p.add_argument("--out", default="model.pt")
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--batch", type=int, default=64, help="per process")
    p.add_argument("--lr", type=float, default=0.05)
    p.add_argument("--report", default="", help="directory for logits.txt and classes.txt (default: beside --out)")
    a = p.parse_args()

    dist.init_process_group("gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.manual_seed(0)  # the same initial weights everywhere (DDP also broadcasts them)
    torch.set_num_threads(1)

    x, y = mnist.load(a.data, "train")
    xt, yt = mnist.load(a.data, "t10k")
    x, xt = torch.from_numpy((x - MEAN) / STD), torch.from_numpy((xt - MEAN) / STD)
    y, yt = torch.from_numpy(y), torch.from_numpy(yt)

    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    ddp = nn.parallel.DistributedDataParallel(model)
    opt = torch.optim.SGD(ddp.parameters(), lr=a.lr, momentum=0.9)
    lossf = nn.CrossEntropyLoss()
    for epoch in range(a.epochs):
        g = torch.Generator().manual_seed(epoch)  # the same permutation on every rank
        perm = torch.randperm(len(x), generator=g)
        mine = perm[rank::world]  # each rank trains on its own shard
        steps = len(mine) // a.batch
        ddp.train()
        total = 0.0
        for s in range(steps):
            idx = mine[s * a.batch:(s + 1) * a.batch]
            opt.zero_grad()
            loss = lossf(ddp(x[idx]), y[idx])
            loss.backward()  # gradients are averaged across the ranks here
            opt.step()
            total += loss.item()
        if rank == 0:
            print(f"epoch {epoch + 1}: mean train loss {total / steps:.4f} ({world} processes)", flush=True)

    if rank == 0:
        model.eval()
        torch.save(model.state_dict(), a.out)
        with torch.no_grad():
            logits = model(xt)
        pred = logits.argmax(1)
        acc = (pred == yt).float().mean().item()
        report = a.report or os.path.dirname(os.path.abspath(a.out))
        np.savetxt(os.path.join(report, "torch_logits.txt"), logits[:100].numpy(), fmt="%.9g")
        np.savetxt(os.path.join(report, "torch_classes.txt"), pred.numpy(), fmt="%d")
        print("logits of the first 100 test images: torch_logits.txt")
        print(f"saved {a.out}")
        print(f"pytorch test accuracy: {100 * acc:.2f}%")
    dist.barrier()
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
