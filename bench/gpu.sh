#!/usr/bin/env bash
# The GPU measurements, for a machine with a real graphics card and `npm install` done (on a bare machine without
# Node, use bench/gpu-pack.sh here and bench/gpu-remote.sh there): prints one JSON line per measurement as it is
# measured — the adapter, img/s of the DCCM step at 32 and 96 px on wasm vs webgpu vs tensorflow-gpu (where it
# loads), and a from-scratch DCCM run on the 10,000 CIFAR-10 test images with ACC/NMI/ARI next to k-means on their
# raw pixels, the whole CIFAR-10 run (decode, training, prediction, baseline) within GPU_BENCH_SECONDS (default 300).
# Needs ../shared/datasets/cifar10-test. Progress goes to stderr. Extra arguments go to bench/_gpu.ts.
set -euo pipefail
cd "$(dirname "$0")/.."
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}"
budget="${GPU_BENCH_SECONDS:-300}"
# Hard limit: the throughput part takes about 2 minutes on a GPU machine, the CIFAR-10 run its budget.
exec timeout -k 10 $((budget + 210)) node --import tsx bench/_gpu.ts --budget-seconds "$budget" "$@"
