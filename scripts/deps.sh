#!/usr/bin/env bash
# Installs the Debian packages gemmnet needs that are missing (as root, or
# through sudo). Usage: scripts/deps.sh [EXTRA-PACKAGE...]
set -euo pipefail
# zlib: model-file checksums; Open MPI: data-parallel training (optional
# at build time, but the tests and the main job use it when present);
# cairo: the plot commands and scripts/pictures.sh (optional at build time
# too: -Dplot); giflib: the animate command's GIFs (optional: -Danimate);
# protobuf-c (library and protoc-c): ONNX export and import; iproute2 (ip,
# tc): the network-namespace hosts of the mpi_netns test and
# bench/mpi-network.
packages=(gcc pkg-config meson ninja-build libopenblas-dev liblapacke-dev libcmocka-dev zlib1g-dev
          libopenmpi-dev openmpi-bin libcairo2-dev libgif-dev libprotobuf-c-dev protobuf-c-compiler iproute2 "$@")
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
((${#missing[@]})) || exit 0
echo "installing: ${missing[*]}"
sudo=()
[[ $(id -u) == 0 ]] || sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
