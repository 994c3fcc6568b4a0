#!/usr/bin/env bash
# Redraws the pictures and animations that docs/ and README.md show, into
# docs/ (tracked files: commit the result). The main job never does this;
# it draws into build/pictures/. Same input, same bytes: on an unchanged
# tree and the same BLAS backend this leaves `git status` clean.
# Usage: scripts/refresh-docs-pictures.sh [BUILD-DIR]   (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/pictures.sh "${1:-build}" docs
