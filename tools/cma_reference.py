#!/usr/bin/env python3
"""Reference evaluation counts of the `cma` package (pycma) for Smelt's CMA-ES tests.

Records, for six problems (sphere, ellipsoid and Rosenbrock in 5 and 10
dimensions) and eleven seeds, how many evaluations pycma with its default
settings needs until the best fitness is <= 1e-8, and writes them to
`Fixtures/evolve/cma-reference.json`. `Tests/EvolveTests/CMAESTests.swift`
runs Smelt's CMA-ES on the same problems, starting points, step sizes and
seed numbers (the seeds drive different generators, so single runs differ;
only the distributions are compared) and checks:

* our median evaluation count <= 1.15 x cma's median, and
* each of our seeds reaches the target within 1.5 x cma's largest count.

A cma seed that does not reach the target within `maxfevals` (Rosenbrock
can end in its local minimum) is recorded as null and left out of median
and maximum.

Pinned to cma 4.5.0 (pip install cma==4.5.0; any Python 3 with numpy).
Run from anywhere; the script writes relative to the repository root:

    ~/.cache/smelt/venv/bin/python tools/cma_reference.py

It is deterministic: the same cma and numpy versions give the same file.
"""

import json
import math
import os
import sys

import cma
import numpy as np

COMMAND = "~/.cache/smelt/venv/bin/python tools/cma_reference.py"
TARGET = 1e-8
SEEDS = list(range(1, 12))
MAX_EVALUATIONS = 100_000


def sphere(x):
    return float(np.sum(np.square(x)))


def ellipsoid(x):
    n = len(x)
    scales = [10 ** (6 * i / (n - 1)) for i in range(n)]
    return float(sum(s * v * v for s, v in zip(scales, x)))


def rosenbrock(x):
    return float(sum(100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2 for i in range(len(x) - 1)))


# name, function, start value of every coordinate, sigma0
PROBLEMS = [
    ("sphere", sphere, 0.5, 0.5),
    ("ellipsoid", ellipsoid, 0.5, 0.5),
    ("rosenbrock", rosenbrock, 0.0, 0.5),
]
DIMENSIONS = [5, 10]


def evaluations_to_target(function, x0, sigma0, seed):
    """Evaluations after the generation whose best value first reaches TARGET, or None."""
    options = {"seed": seed, "verbose": -9, "maxfevals": MAX_EVALUATIONS, "ftarget": TARGET}
    es = cma.CMAEvolutionStrategy(x0, sigma0, options)
    while not es.stop():
        candidates = es.ask()
        fitness = [function(x) for x in candidates]
        es.tell(candidates, fitness)
        if min(fitness) <= TARGET:
            return es.result.evaluations
    return None


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    problems = []
    for name, function, start, sigma0 in PROBLEMS:
        for dimension in DIMENSIONS:
            x0 = [start] * dimension
            counts = [evaluations_to_target(function, x0, sigma0, seed) for seed in SEEDS]
            problems.append({
                "name": name, "dimension": dimension, "x0": start, "sigma0": sigma0,
                "populationSize": 4 + int(math.floor(3 * math.log(dimension))),
                "counts": counts,
            })
            print(name, dimension, counts, file=sys.stderr)
    document = {
        "cmaVersion": cma.__version__,
        "numpyVersion": np.__version__,
        "command": COMMAND,
        "target": TARGET,
        "maxEvaluations": MAX_EVALUATIONS,
        "seeds": SEEDS,
        "options": "ftarget 1e-8, seed, verbose -9, maxfevals 100000; default popsize; no bounds",
        "problems": problems,
    }
    path = os.path.join(root, "Fixtures", "evolve", "cma-reference.json")
    with open(path, "w") as file:
        json.dump(document, file, indent=2)
        file.write("\n")


if __name__ == "__main__":
    main()
