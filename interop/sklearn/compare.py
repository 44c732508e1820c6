#!/usr/bin/env python3
"""Score scikit-learn's MLPClassifier / MLPRegressor, default settings,
after a StandardScaler, on the split export.py writes.

Usage: compare.py [SEEDS]   (default 5: random_state 0..SEEDS-1)
Prints one line per table: the test accuracy (classifiers) or R²
(regression) for each seed, and their mean.
"""
import sys
import warnings

from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import export


def main():
    seeds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    warnings.simplefilter("ignore", ConvergenceWarning)
    for name, (_, _) in export.TABLES.items():
        xtr, xte, ytr, yte, _ = export.split(name)
        regress = name == "diabetes"
        scores = []
        for seed in range(seeds):
            model = MLPRegressor(random_state=seed) if regress else MLPClassifier(random_state=seed)
            pipe = make_pipeline(StandardScaler(), model)
            pipe.fit(xtr, ytr)
            scores.append(pipe.score(xte, yte))  # accuracy, or R²
        what = "r2" if regress else "accuracy"
        print(f"{name}: sklearn test {what} " + " ".join(f"{s:.4f}" for s in scores) + f"  mean {sum(scores)/len(scores):.4f}")


if __name__ == "__main__":
    main()
