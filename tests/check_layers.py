#!/usr/bin/env python3
"""The layering rule of src/ (docs/design.md), checked over every #include.

- The library's folders are layers, lowest first:
      base < blas < data < net < io < train
  A file includes its own folder's headers and the folder header ("F/F.h")
  of lower layers only, never a higher layer's.
- A header other than "F/F.h" (data/csv.h, io/format.h, base/bytes.h) is
  its folder's own: only files of that folder include it.
- The CLI (src/cli/) sees the library only through <gemmnet.h>, none of its
  private headers; src/cli/plot/ includes only its own headers and the
  CLI's args.h (output and message helpers), never a command's.

Usage: check_layers.py SRC_DIR              exit 1 on a violation
       check_layers.py --self-test SRC_DIR  plant one wrong include of each
           kind in a copy of the tree and check that each one is caught.
"""
import os
import re
import shutil
import sys
import tempfile

LAYERS = ["base", "blas", "data", "net", "io", "train"]
INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)


def judge(src, rel, inc):
    """None if rel (a path under src) may include inc, else why not."""
    top = rel.split("/")[0]
    if top == "cli":
        return judge_cli(src, rel, inc)
    if inc == "gemmnet.h":
        return None
    if top not in LAYERS:
        return "file outside the layer folders (%s)" % " ".join(LAYERS)
    if "/" not in inc:
        return 'name headers by folder ("%s/%s")' % (top, inc)
    folder, name = inc.split("/", 1)
    if folder not in LAYERS:
        return "no such layer '%s'" % folder
    if folder == top:
        return None
    if LAYERS.index(folder) > LAYERS.index(top):
        return "'%s' may not include the higher layer '%s'" % (top, folder)
    if name != folder + ".h":
        return "'%s' is private to src/%s/ (include %s/%s.h)" % (inc, folder, folder, folder)
    return None


def judge_cli(src, rel, inc):
    if inc == "internal.h" or inc.split("/")[0] in LAYERS:
        return "the CLI sees the library only through <gemmnet.h>"
    if rel.startswith("cli/plot/") and inc != "args.h":
        if "/" in inc or not os.path.exists(os.path.join(src, "cli", "plot", inc)):
            return "plot/ includes only its own headers and args.h"
    return None


def violations(src):
    found = []
    for root, _, files in sorted(os.walk(src)):
        for f in sorted(files):
            if not f.endswith((".c", ".h")):
                continue
            path = os.path.join(root, f)
            rel = os.path.relpath(path, src)
            with open(path, encoding="utf-8") as text:
                for inc in INCLUDE.findall(text.read()):
                    why = judge(src, rel, inc)
                    if why:
                        found.append('%s: #include "%s": %s' % (rel, inc, why))
    return found


SELF_TEST = [
    ("base/alloc.c", "train/train.h"),
    ("data/data.c", "net/net.h"),
    ("net/model.c", "data/csv.h"),
    ("train/trainer.c", "io/format.h"),
    ("cli/main.c", "net/net.h"),
    ("cli/plot/canvas.c", "commands.h"),
]


def self_test(src):
    if violations(src):
        print("self-test: the tree itself breaks the rule")
        return 1
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        copy = os.path.join(tmp, "src")
        shutil.copytree(src, copy)
        for rel, inc in SELF_TEST:
            path = os.path.join(copy, rel)
            with open(path, encoding="utf-8") as f:
                original = f.read()
            with open(path, "a", encoding="utf-8") as f:
                f.write('#include "%s"\n' % inc)
            found = violations(copy)
            expected = '%s: #include "%s": ' % (rel, inc)
            if len(found) == 1 and found[0].startswith(expected):
                print("self-test: caught:", found[0])
            else:
                print("self-test: not caught as expected: %s %s -> %s" % (rel, inc, found))
                failed = 1
            with open(path, "w", encoding="utf-8") as f:
                f.write(original)
    return failed


def main(argv):
    if len(argv) == 3 and argv[1] == "--self-test":
        return self_test(argv[2])
    if len(argv) != 2:
        print(__doc__.split("\n\n")[-1], file=sys.stderr)
        return 2
    found = violations(argv[1])
    for line in found:
        print(line)
    if not found:
        print("layering: every #include under %s keeps the rule" % argv[1])
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
