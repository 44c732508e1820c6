#!/usr/bin/env python3
"""Export scikit-learn's bundled tables as CSV files with a header row.

For each of iris, wine, breast_cancer (classification) and diabetes
(regression), writes DIR/NAME-train.csv and DIR/NAME-test.csv: the same
75/25 split (train_test_split, random_state=0) that compare.py scores
scikit-learn on. The label column is "target"; iris and breast_cancer use
the class names, wine its class numbers, diabetes its float target.

Usage: export.py DIR
Needs only python3-sklearn (Debian) and numpy; reads the files sklearn ships.
"""
import csv
import os
import sys

from sklearn import datasets
from sklearn.model_selection import train_test_split

TABLES = {
    "iris": (datasets.load_iris, True),
    "wine": (datasets.load_wine, False),
    "breast_cancer": (datasets.load_breast_cancer, True),
    "diabetes": (datasets.load_diabetes, False),
}


def load(name):
    loader, named = TABLES[name]
    b = loader()
    x, y = b.data, b.target
    if named:
        y = [str(b.target_names[k]) for k in y]
    else:
        y = list(y)
    names = [str(f).replace(" ", "_") for f in b.feature_names]
    return x, y, names


def split(name):
    x, y, names = load(name)
    xtr, xte, ytr, yte = train_test_split(x, y, test_size=0.25, random_state=0)
    return xtr, xte, ytr, yte, names


def write(path, x, y, names):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(names + ["target"])
        for row, label in zip(x, y):
            w.writerow([repr(float(v)) for v in row] + [label if isinstance(label, str) else repr(float(label)) if isinstance(label, float) else str(label)])


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    os.makedirs(out, exist_ok=True)
    for name in TABLES:
        xtr, xte, ytr, yte, names = split(name)
        write(os.path.join(out, name + "-train.csv"), xtr, ytr, names)
        write(os.path.join(out, name + "-test.csv"), xte, yte, names)
        print(f"{name}: {len(ytr)} training rows, {len(yte)} test rows, {len(names)} features")


if __name__ == "__main__":
    main()
