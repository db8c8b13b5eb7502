#!/usr/bin/env python3
"""Joins the per-kernel tables of peer-examples-matrix.sh into one Markdown table, example x
kernel, for docs/peer-examples.md. Each cell keeps the verdict and, where one was made, the
independent check; the reason of a row that cannot attach is cut to its cause. A row that loaded
and counted nothing in the generic window but counted the check's targeted activity is "works in
the check".

    peer-examples-table.py exporter/target/matrix/peer-examples/{5.10,6.1,6.12,newest}
"""
import os
import re
import sys


def read(table):
    release, rows = None, {}
    for line in open(table):
        m = re.match(r"\| example \| on (\S+) \|", line)
        if m:
            release = m.group(1)
            continue
        m = re.match(r"\| (\S+) \| (.*) \|$", line.rstrip("\n"))
        if m and m.group(1) != "---":
            rows[m.group(1)] = m.group(2)
    return release, rows


def cause(text):
    """The reasons of a failure line, each once: what follows each errno name, up to the next
    program, without libbpf's bracketed hints and the agent's exit code."""
    text = re.sub(r"\s*\[[a-z ]+(\]|$)|\s*\(exit \d+\)", "", text)
    text = re.sub(r"^(cannot load|cannot attach|fails): (bpfwatch: )?(nothing started: )?", "", text)
    found = []
    for m in re.finditer(r"E[A-Z]+ \([^)]*\): (.*?)(?=; attach |; \S+ \(\S+\): not loaded|$)", text):
        reason = re.sub(r"^prog '[^']*': ", "", m.group(1)).strip(" ;.")
        if reason not in found:
            found.append(reason)
    for m in re.finditer(r"\(\S+\): not loaded: (.*?)(?=; |$)", text):
        if m.group(1) not in found:
            found.append(m.group(1))
    joined = "; ".join(found) if found else text
    return joined if len(joined) <= 200 else joined[:197] + "..."


def cell(status):
    check = ""
    if "; check: " in status:
        status, check = status.split("; check: ", 1)
    kind = re.match(r"(works partly|works|loads, no samples|cannot attach|cannot load|fails)", status)
    kind = kind.group(1) if kind else status[:40]
    if kind == "loads, no samples" and re.search(r"agent \+[1-9]|\(no second source\): \S+ \+[1-9]", check):
        # Nothing of its kind in the generic window, but the check's own activity was counted (the
        # agent's delta; a check without a second source gives the agent's series and delta).
        kind = "works in the check"
    out = kind
    if kind in ("cannot attach", "cannot load", "fails"):
        out += ": " + cause(status)
    elif kind == "works partly":
        out += " (" + cause(status).rstrip(")") + ")"
    if check:
        out += "; check: " + check
    return out.replace("|", "\\|")


def main(dirs):
    kernels = []
    for d in dirs:
        table = os.path.join(d, "table.md")
        if os.path.exists(table):
            kernels.append(read(table))
    names = sorted({n for _, rows in kernels for n in rows})
    print("| example | " + " | ".join(r for r, _ in kernels) + " |")
    print("| --- |" + " --- |" * len(kernels))
    for n in names:
        print("| %s | %s |" % (n, " | ".join(cell(rows[n]) if n in rows else "not run" for _, rows in kernels)))


if __name__ == "__main__":
    main(sys.argv[1:])
