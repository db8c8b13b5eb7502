#!/usr/bin/env python3
"""Writes README's kernel table from the last kernel-matrix run.

    kernel-table.py MATRIX_DIR README

MATRIX_DIR holds one directory per kernel (5.10, 6.1, ..., and `host` for
this machine, from Surefire) with features.tsv (feature TAB cell, written by
the tests that passed) and, for guests, summary (version, counts, time).
The table replaces what lies between the two marker comments in README.
A feature a kernel has no cell for was not proven there: its cell says so.
"""
import os
import sys

BEGIN = "<!-- kernel-table:begin (make kernel-table writes this from the last matrix run) -->"
END = "<!-- kernel-table:end -->"
ORDER = ["5.10", "6.1", "6.12", "newest", "host"]


def read_cells(path):
    cells = {}
    order = []
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                feature, _, cell = line.rstrip("\n").partition("\t")
                if feature not in cells:
                    order.append(feature)
                    cells[feature] = cell
                elif cells[feature] != cell:
                    # Two tests of one feature: the weaker statement wins.
                    if not cells[feature].startswith(("degraded", "not available")):
                        cells[feature] = cell
    return cells, order


def column_title(matrix, kernel):
    summary = os.path.join(matrix, kernel, "summary")
    if kernel == "host":
        return "this host (" + os.uname().release + ")"
    if os.path.exists(summary):
        with open(summary, encoding="utf-8") as f:
            first = f.readline()
        version = first.split(":")[0].split(" ", 1)[1] if " " in first else kernel
        return version
    return kernel


def main():
    matrix, readme = sys.argv[1], sys.argv[2]
    kernels = [k for k in ORDER if os.path.exists(os.path.join(matrix, k, "features.tsv"))]
    if not kernels:
        sys.exit(f"kernel-table: no features.tsv under {matrix}: run the matrix first")
    columns = {}
    features = []
    for k in kernels:
        cells, order = read_cells(os.path.join(matrix, k, "features.tsv"))
        columns[k] = cells
        for f in order:
            if f not in features:
                features.append(f)
    # Bundled features first, then the attach types; each group by name.
    features.sort(key=lambda f: (f.startswith("attach: "), f.lower()))
    lines = [BEGIN, "",
             "| feature | " + " | ".join(column_title(matrix, k) for k in kernels) + " |",
             "| --- |" + " --- |" * len(kernels)]
    for f in features:
        row = [columns[k].get(f, "not proven (its test failed or did not run)") for k in kernels]
        lines.append("| " + f + " | " + " | ".join(c.replace("|", "\\|") for c in row) + " |")
    summaries = []
    for k in kernels:
        summary = os.path.join(matrix, k, "summary")
        if os.path.exists(summary):
            with open(summary, encoding="utf-8") as f:
                summaries.append("- " + f.read().strip())
    if summaries:
        lines += ["", "Matrix tests per kernel (guest boot included):", ""] + summaries
    lines += ["", END]
    with open(readme, encoding="utf-8") as f:
        text = f.read()
    if BEGIN not in text or END not in text:
        sys.exit(f"kernel-table: {readme} has no kernel-table markers")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    with open(readme, "w", encoding="utf-8") as f:
        f.write(head + "\n".join(lines) + tail)


if __name__ == "__main__":
    main()
