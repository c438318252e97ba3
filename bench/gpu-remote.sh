#!/usr/bin/env bash
# The GPU bench on a bare x86-64 Linux machine with a graphics card but no Node and no network, from the .gpu/ pack
# that bench/gpu-pack.sh builds: unpacks Node, node_modules and CIFAR-10, installs the Vulkan loader and glvnd from
# the carried debs, probes the Vulkan drivers (ICDs) until Dawn finds a hardware adapter (exits 5 at once with a
# clear message if none does), then runs the bundled bench under a hard timeout. Results: $OUT/gpu.jsonl (one JSON
# line per measurement, written as each is measured), $OUT/stderr.txt (progress), $OUT/probe.txt.
#
# Environment:
#   GPU_BENCH_SECONDS  the CIFAR-10 run's whole budget (default 240); GPU_TIMEOUT hard limit of the bench run
#                      (default budget + 210: the throughput part takes about 2 minutes)
#   GPU_BENCH_ARGS     more arguments for bench/_gpu.ts (e.g. "--sizes 32 --steps 1 --images 1000")
#   GPU_DEB_ROOT       where the debs are unpacked: / (default; then ldconfig) or a prefix put on LD_LIBRARY_PATH;
#                      GPU_SKIP_DEBS=1 skips them (a machine that has the libraries)
#   GPU_ICDS           ICD manifests to try, space-separated ("default" = the loader's own search); default: every
#                      *.json in the usual icd.d folders, NVIDIA's first, then "default"
#   GPU_ALLOW_SOFTWARE=1  accept a software adapter (SwiftShader…): for a dry run on a machine without a GPU only
#   GPU_WORK           scratch folder for Node and the images (default /tmp/gpu-bench)
set -uo pipefail
cd "$(dirname "$0")/.."
t0=$(date +%s)
say() { echo "[remote $(( $(date +%s) - t0 )) s] $*"; }
OUT="${OUT:-$PWD/gpu-out}"
work="${GPU_WORK:-/tmp/gpu-bench}"
budget="${GPU_BENCH_SECONDS:-240}"
limit="${GPU_TIMEOUT:-$((budget + 210))}"
mkdir -p "$OUT" "$work/shared" node_modules
[ -f .gpu/gpu.mjs ] || { say "no .gpu/gpu.mjs: build the pack with bench/gpu-pack.sh and carry .gpu"; exit 2; }
cat .gpu/manifest.txt 2>/dev/null

# Decompression: xz where the machine has it, else Python's lzma.
if command -v xz >/dev/null; then unxz_to_stdout() { xz -dc "$1"; }
else unxz_to_stdout() { python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), sys.stdout.buffer, 1 << 20)' "$1"; }
fi
node="$work/node"
unxz_to_stdout .gpu/node.xz > "$node" && chmod +x "$node" || { say "could not unpack Node"; exit 2; }
unxz_to_stdout .gpu/nm.tar.xz | tar -x -C node_modules || { say "could not unpack node_modules"; exit 2; }
unxz_to_stdout .gpu/cifar.tar.xz | tar -x -C "$work/shared" || { say "could not unpack CIFAR-10"; exit 2; }
say "unpacked: node $("$node" --version), $(find node_modules -type f | wc -l) files in node_modules, $(find "$work/shared" -name '*.jpg' | wc -l) images"

if [ "${GPU_SKIP_DEBS:-0}" != 1 ]; then
  root="${GPU_DEB_ROOT:-/}"
  for f in .gpu/debs/*.deb; do dpkg -x "$f" "$root" || say "dpkg -x $f failed"; done
  if [ "$root" = / ]; then ldconfig
  else export LD_LIBRARY_PATH="$root/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  fi
  say "debs unpacked to $root: $(ls .gpu/debs | tr '\n' ' ')"
fi
for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib; do [ -d "$d" ] && export LD_LIBRARY_PATH="${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$d"; done
for f in /usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json /usr/share/glvnd/egl_vendor.d/10_nvidia.json; do
  [ -f "$f" ] && { export __EGL_VENDOR_LIBRARY_FILENAMES="$f"; break; }
done
for lib in /usr/local/nvidia/lib64/libGLX_nvidia.so.0 /usr/lib/x86_64-linux-gnu/libGLX_nvidia.so.0; do
  [ -e "$lib" ] && { missing=$(ldd "$lib" 2>&1 | grep -i "not found"); say "$lib: ${missing:-all libraries found}"; }
done
command -v nvidia-smi >/dev/null && nvidia-smi -L
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}" UV_THREADPOOL_SIZE="${UV_THREADPOOL_SIZE:-$(nproc)}"
export PHOTOCLUSTER_SHARED_DIR="$work/shared"

# Which Vulkan driver gives Dawn a hardware adapter.
if [ -n "${GPU_ICDS:-}" ]; then read -r -a icds <<< "$GPU_ICDS"
else
  mapfile -t icds < <(ls /usr/local/nvidia/share/vulkan/icd.d/*.json /usr/share/vulkan/icd.d/*.json /etc/vulkan/icd.d/*.json /usr/local/share/vulkan/icd.d/*.json 2>/dev/null | awk '{print (/nvidia/ ? 0 : 1) "\t" $0}' | sort -s -k1,1 | cut -f2)
  icds+=(default)
fi
allow=(); [ "${GPU_ALLOW_SOFTWARE:-0}" = 1 ] && allow=(--allow-software)
: > "$OUT/probe.txt"
chosen=""
for icd in "${icds[@]}"; do
  if [ "$icd" = default ]; then unset VK_ICD_FILENAMES VK_DRIVER_FILES; else export VK_ICD_FILENAMES="$icd" VK_DRIVER_FILES="$icd"; fi
  result=$(timeout -k 5 60 "$node" .gpu/gpu.mjs --probe "${allow[@]}" 2>&1); rc=$?
  printf '== icd %s (rc %s)\n%s\n' "$icd" "$rc" "$result" >> "$OUT/probe.txt"
  say "probe icd=$icd: rc $rc, $(grep '"measurement"' <<< "$result" | tail -1)"
  if [ $rc -eq 0 ]; then chosen="$icd"; break; fi
done
if [ -z "$chosen" ]; then
  say "NO USABLE GPU ADAPTER: Dawn found no hardware adapter with any Vulkan driver tried (${icds[*]}); the bench was not run. Probe output (also in \$OUT/probe.txt):"
  tail -c 3000 "$OUT/probe.txt"
  exit 5
fi
say "using icd $chosen; running the bench: budget $budget s for the CIFAR-10 run, hard limit $limit s"

rm -f "$OUT/gpu.jsonl"
# shellcheck disable=SC2086 # GPU_BENCH_ARGS is a list of words
timeout -k 10 "$limit" "$node" .gpu/gpu.mjs --budget-seconds "$budget" --out "$OUT/gpu.jsonl" ${GPU_BENCH_ARGS:-} 2> "$OUT/stderr.txt"
rc=$?
[ $rc -eq 124 ] && say "the bench hit the hard limit of $limit s"
# Keep the progress log small enough to come back.
if [ "$(stat -c %s "$OUT/stderr.txt")" -gt 1000000 ]; then tail -c 200000 "$OUT/stderr.txt" > "$OUT/stderr.tmp" && mv "$OUT/stderr.tmp" "$OUT/stderr.txt"; fi
echo "--- stderr (last 40 lines; all of it in \$OUT/stderr.txt) ---"; tail -n 40 "$OUT/stderr.txt"
say "bench rc $rc; total $(( $(date +%s) - t0 )) s"
exit $rc
