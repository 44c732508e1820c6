"""MNIST from the IDX .gz files, read with gzip and numpy (no download)."""
import gzip
import os

import numpy as np


def _idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load(directory, split):
    """Returns (images N×784 float32 in [0, 1], labels N int64) of "train" or "t10k"."""
    x = _idx(os.path.join(directory, split + "-images-idx3-ubyte.gz"))
    y = _idx(os.path.join(directory, split + "-labels-idx1-ubyte.gz"))
    return (x.reshape(len(x), -1).astype(np.float32) / np.float32(255)), y.astype(np.int64)
