#!/usr/bin/env python3
"""Runs the examples of README.md and docs/*.md and checks what they print.

The convention (docs/testing.md):
  - Only ```console blocks run. In them a line starting with "$ " is a
    command (a line ending in "\\" continues it); the lines after it, up to
    the next command, are what it prints, stdout and stderr together.
  - In a shown line, "..." matches any text; a line that is only "..."
    matches any number of lines (including none).
  - A non-zero exit status is fine when the block shows the message; the
    shown lines must still match.
  - <!-- doctest: requires NAME... --> just before a block skips it unless
    each NAME is a feature of the build (plot, mpi: GEMMNET_DOCTEST_FEATURES)
    or a program on PATH; <!-- doctest: skip --> always skips it.
  - Each page runs in a fresh scratch folder, its blocks in order, so a
    block may use files an earlier block made. `gemmnet` is the build's.
Usage: doctest.py GEMMNET SOURCE_ROOT [PAGE.md...]
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

FENCE = re.compile(r"^```(\S*)\s*$")
MARKER = re.compile(r"^<!--\s*doctest:\s*(skip|requires\s+([^-]+?))\s*-->\s*$")


def blocks(path):
    """Yields (line number, marker, lines) of each ```console block."""
    lines = open(path, encoding="utf-8").read().split("\n")
    i, marker = 0, None
    while i < len(lines):
        m = MARKER.match(lines[i])
        if m:
            marker = m
            i += 1
            continue
        f = FENCE.match(lines[i])
        if not f:
            if lines[i].strip():
                marker = None
            i += 1
            continue
        start, body = i + 1, []
        i += 1
        while i < len(lines) and not lines[i].startswith("```"):
            body.append(lines[i])
            i += 1
        if f.group(1) == "console":
            yield start + 1, marker, body
        marker = None
        i += 1


def commands(body, first_line):
    """Splits a block into (line number, command, shown lines)."""
    out, i = [], 0
    while i < len(body):
        line = body[i]
        if not line.startswith("$ "):
            raise ValueError(f"line {first_line + i}: output before any '$ ' command")
        number, command = first_line + i, line[2:]
        while command.endswith("\\") and i + 1 < len(body):
            i += 1
            command = command + "\n" + body[i]
        i += 1
        shown = []
        while i < len(body) and not body[i].startswith("$ "):
            shown.append(body[i])
            i += 1
        while shown and not shown[-1].strip():
            shown.pop()
        out.append((number, command, shown))
    return out


def line_matches(pattern, line):
    parts = [re.escape(p) for p in pattern.split("...")]
    return re.fullmatch(".*".join(parts), line) is not None


def output_matches(shown, printed):
    """Whether printed matches shown, "..." lines matching any lines."""
    if not shown:
        return not printed
    if shown[0] == "...":
        return any(output_matches(shown[1:], printed[k:]) for k in range(len(printed) + 1))
    return bool(printed) and line_matches(shown[0], printed[0]) and output_matches(shown[1:], printed[1:])


def run_page(page, env):
    failures = 0
    scratch = tempfile.mkdtemp(prefix="doctest-")
    try:
        for start, marker, body in blocks(page):
            if marker and (marker.group(1) == "skip" or not all(
                    name in env.get("GEMMNET_DOCTEST_FEATURES", "").split() or
                    shutil.which(name, path=env["PATH"]) for name in marker.group(2).split())):
                print(f"{page}:{start}: skipped")
                continue
            for number, command, shown in commands(body, start):
                result = subprocess.run(["bash", "-c", command], cwd=scratch, env=env,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        timeout=600)
                printed = result.stdout.decode("utf-8", "replace").split("\n")
                while printed and not printed[-1].strip():
                    printed.pop()
                if output_matches(shown, printed):
                    continue
                failures += 1
                print(f"{page}:{number}: $ {command}\n  shown:\n" +
                      "".join(f"    {l}\n" for l in shown) + "  printed (exit " +
                      f"{result.returncode}):\n" + "".join(f"    {l}\n" for l in printed))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return failures


def main():
    gemmnet, root = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    pages = sys.argv[3:] or [os.path.join(root, "README.md")] + sorted(
        os.path.join(root, "docs", f) for f in os.listdir(os.path.join(root, "docs"))
        if f.endswith(".md"))
    env = dict(os.environ)
    bindir = os.path.join(tempfile.mkdtemp(prefix="doctest-bin-"), "bin")
    os.mkdir(bindir)
    os.symlink(gemmnet, os.path.join(bindir, "gemmnet"))
    env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
    env["GEMMNET_SOURCE"] = root
    env.setdefault("OPENBLAS_CORETYPE", "Haswell")
    # mpirun as root and on fewer cores than ranks (containers, CI).
    env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_rmaps_base_oversubscribe="1", LC_ALL="C")
    failures, ran = 0, 0
    for page in pages:
        count = sum(1 for _ in blocks(page))
        ran += count
        failures += run_page(page, env)
    shutil.rmtree(os.path.dirname(bindir), ignore_errors=True)
    print(f"doctest: {ran} blocks in {len(pages)} pages, {failures} mismatches")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
