#!/usr/bin/env bash
# The GPU measurements, for a machine with a real graphics card (no arguments, at most 8 minutes): prints one JSON line
# per measurement — the adapter, img/s of the DCCM step at 32 and 96 px on wasm vs webgpu vs tensorflow-gpu (where it
# loads), and a 5-minute from-scratch run on the 10,000 CIFAR-10 test images with its ACC/NMI.
# Needs `npm install` done and ../shared/datasets/cifar10-test. Progress goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}"
# 480 s hard limit: the throughput part takes about 2 minutes on a GPU machine, the CIFAR-10 run 5.
exec timeout 480 node --import tsx bench/_gpu.ts --budget-seconds "${GPU_BENCH_SECONDS:-300}"
