#!/usr/bin/env python3
"""Writes Fixtures/evolve/genome/*.yml: mergekit's own recipes for known genomes.

mergekit-evolve's ModelGenome.genotype_merge_config(values).to_yaml() for a few
genome definitions, so Tests/EvolveTests/Search/GenomeReferenceTests.swift can
check that Smelt's Genome.recipe maps the same values to the same merge.

Run with mergekit installed (pip install mergekit; 0.1.5 made the committed
files):  ~/.cache/smelt/venv/bin/python tools/make_genome_references.py

The models are named "expert-a", "expert-b" and "base" (folders made in a
temporary directory holding Fixtures/model/tiny-llama's config.json: 3 layers);
the test matches them by their last path component.
"""

import os
import shutil
import sys
import tempfile

import numpy as np

from mergekit.evo.genome import ModelGenome, ModelGenomeDefinition

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFIG = os.path.join(ROOT, "Fixtures", "model", "tiny-llama", "config.json")
OUT = os.path.join(ROOT, "Fixtures", "evolve", "genome")

# name: genome definition (as in a search file's `genome` section).
DEFINITIONS = {
    "ties-filters": dict(
        models=["expert-a", "expert-b"], base_model="base", merge_method="ties",
        layer_granularity=1, filters=["self_attn"]),
    "task-arithmetic-negative": dict(
        models=["expert-a", "expert-b"], base_model="base", merge_method="task_arithmetic",
        layer_granularity=1, allow_negative_weights=True, normalize=True),
    "dare-ties-smooth": dict(
        models=["expert-a", "expert-b"], base_model="base", merge_method="dare_ties",
        layer_granularity=1, smooth=True, filters=["mlp"]),
    "linear-one-group": dict(
        models=["expert-a", "expert-b", "base"], merge_method="linear"),
}


def values(count):
    """The genome values the Swift test uses too, in [-1.1, 1.1]. Passed as a
    float64 array, as pycma hands them to mergekit-evolve (a Python list
    would become a float32 tensor)."""
    return [((i * 37) % 23) / 10 - 1.1 for i in range(count)]


def main():
    os.makedirs(OUT, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        for name in ["expert-a", "expert-b", "base"]:
            os.makedirs(os.path.join(work, name))
            shutil.copy(CONFIG, os.path.join(work, name, "config.json"))
        os.chdir(work)
        for name, fields in DEFINITIONS.items():
            genome = ModelGenome(ModelGenomeDefinition.model_validate(fields))
            count = genome.initial_genotype().numel()
            text = genome.genotype_merge_config(np.array(values(count), dtype=np.float64)).to_yaml()
            with open(os.path.join(OUT, name + ".yml"), "w") as file:
                file.write(text + "\n")
            print(name, count, file=sys.stderr)


if __name__ == "__main__":
    main()
