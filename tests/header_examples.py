#!/usr/bin/env python3
"""Compiles and links the usage examples in a header's comments.

The convention (docs/testing.md): inside a comment, a line whose text is
"Example:" (optionally followed by a remark) starts an example; the lines
after it that are indented by at least 4 spaces after the comment's "*" are
its code, up to the first line that is not. Each example is a function
body: it declares what it uses, and may use <stdio.h>, <stdlib.h> and
<string.h>. Every example becomes one function of a C file that is compiled
with warnings about API misuse as errors and linked against the library,
so an example that no longer matches the header fails the test.
Usage: header_examples.py HEADER CC [CC_ARGS...] -- LINK_ARGS...
"""
import os
import re
import subprocess
import sys
import tempfile

START = re.compile(r"^\s*(?:/\*|\*)\s*Example:")
CODE = re.compile(r"^\s*\* {4}(.*)$")


def examples(path):
    """Yields (line number of the first code line, code lines)."""
    lines = open(path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        if not START.match(lines[i]):
            i += 1
            continue
        i += 1
        start, body = i + 1, []
        while i < len(lines) and CODE.match(lines[i]):
            body.append(CODE.match(lines[i]).group(1))
            i += 1
        yield start, body


def main():
    split = sys.argv.index("--")
    header, compiler, link = sys.argv[1], sys.argv[2:split], sys.argv[split + 1:]
    found = list(examples(header))
    if not found:
        print(f"{header}: no 'Example:' blocks")
        return 1
    for line, body in found:
        if not body:
            print(f"{header}:{line - 1}: 'Example:' with no code indented by 4 spaces after it")
            return 1
    source = ["#include <gemmnet.h>", "#include <stdio.h>", "#include <stdlib.h>",
              "#include <string.h>", ""]
    for n, (line, body) in enumerate(found):
        source.append(f"void example_{n}(void); /* {os.path.basename(header)}:{line} */")
        source.append(f"void example_{n}(void)\n{{")
        source.append(f'#line {line} "{header}"')
        source += ["    " + l for l in body]
        source.append("}\n")
    source.append("int main(void) { return 0; }")
    with tempfile.TemporaryDirectory() as work:
        c_file = os.path.join(work, "examples.c")
        open(c_file, "w").write("\n".join(source) + "\n")
        command = compiler + ["-std=c11", "-Wall", "-Wextra", "-Werror",
                              "-Wno-unused-variable", "-Wno-unused-but-set-variable",
                              c_file, "-o", os.path.join(work, "examples")] + link
        result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        print(result.stdout.decode("utf-8", "replace"), end="")
        print(f"{header}: {len(found)} examples, "
              f"{'compiled and linked' if result.returncode == 0 else 'FAILED'}")
        return result.returncode


if __name__ == "__main__":
    sys.exit(main())
