#!/usr/bin/env bash
# Builds .gpu/ (git-ignored): everything a bare x86-64 Linux GPU machine without Node or network needs to run the GPU
# bench (bench/_gpu.ts) — this machine's Node binary, the pruned node_modules the bundle loads (bench/gpu-closure.mjs),
# the esbuild bundle of bench/_gpu.ts, the CIFAR-10 test set from ../shared, and the Debian debs of the Vulkan loader
# and glvnd (Dawn needs libvulkan.so.1; NVIDIA's ICD, libGLX_nvidia.so.0, needs the glvnd libraries). Fails if the
# pack passes GPU_PACK_MAX_MIB (60) or, with the tracked tree, the 64 MiB a device call can carry.
#
# Device procedure: run this here (x86-64, after `npm install`; it rebuilds the bundle, so rerun it after changing
# bench/ or core/), then on the device machine, carrying `.gpu`, with timeout_s ≥ budget + 300:
#     bash bench/gpu-remote.sh            (GPU_BENCH_SECONDS=240 by default; JSON lines in $OUT/gpu.jsonl)
# Environment: GPU_PACK_MAX_MIB, PHOTOCLUSTER_SHARED_DIR (default ../shared), GPU_PACK_XZ (xz level, default -9).
set -euo pipefail
cd "$(dirname "$0")/.."
max_mib="${GPU_PACK_MAX_MIB:-60}"
level="${GPU_PACK_XZ:--9}"
shared="${PHOTOCLUSTER_SHARED_DIR:-$(cd .. && pwd)/shared}"
debs=(libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)

[ "$(uname -m)" = x86_64 ] || { echo "gpu-pack: this machine is $(uname -m); the pack carries its Node binary and native modules, and the device is x86-64" >&2; exit 1; }
[ -d node_modules ] || { echo "gpu-pack: run npm install first" >&2; exit 1; }
[ -d "$shared/datasets/cifar10-test" ] || { echo "gpu-pack: no $shared/datasets/cifar10-test" >&2; exit 1; }
for tool in xz tar apt-get; do command -v $tool >/dev/null || { echo "gpu-pack: needs $tool" >&2; exit 1; }; done

stage=$(mktemp -d /tmp/gpu-pack.XXXXXX)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/debs"
t0=$(date +%s)

# 1. The bench as one JavaScript file; packages stay external (they come from node_modules below).
npx esbuild bench/_gpu.ts --bundle --platform=node --format=esm --packages=external --target=node20 \
  --outfile="$stage/gpu.mjs" --metafile="$stage/meta.json" --log-level=warning

# 2. node_modules: the packages the bundle loads, transitively, without what is never loaded at run time.
node bench/gpu-closure.mjs "$stage/gpu.mjs" "$stage/meta.json" > "$stage/nm-files.txt"
tar -C node_modules -cf - -T "$stage/nm-files.txt" | xz "$level" -T0 > "$stage/nm.tar.xz"
rm "$stage/meta.json"

# 3. Node itself (the device has none).
node_bin=$(readlink -f "$(command -v node)")
xz "$level" -T0 -c "$node_bin" > "$stage/node.xz"

# 4. CIFAR-10 test images (class-per-folder JPEGs), unpacked on the device as SHARED/datasets/cifar10-test.
tar -C "$shared" -cf - datasets/cifar10-test | xz -6 -T0 > "$stage/cifar.tar.xz"

# 5. The Vulkan loader and glvnd, amd64, from Debian (reused from a previous pack when all are there). A private
#    package-list folder keeps this machine's apt state as it is.
if ls .gpu/debs/*.deb >/dev/null 2>&1 && [ "$(ls .gpu/debs/*.deb | wc -l)" -eq ${#debs[@]} ]; then
  cp .gpu/debs/*.deb "$stage/debs/"
else
  lists=/tmp/gpu-pack-apt-lists
  mkdir -p "$lists/partial"
  o=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 "-oDir::State::Lists=$lists")
  apt-get "${o[@]}" -qq update
  chmod 777 "$stage/debs" # apt downloads as its _apt user
  (cd "$stage/debs" && apt-get "${o[@]}" -qq download "${debs[@]}")
  chmod 755 "$stage/debs"
fi

# 6. What the pack was built from, for the device log.
{
  echo "built $(date -u +%FT%TZ) from $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- bench core || echo ' + uncommitted changes in bench/ or core/')"
  echo "node $("$node_bin" --version) ($node_bin)"
  echo "node_modules: $(wc -l < "$stage/nm-files.txt") files"
  echo "debs: $(cd "$stage/debs" && ls | tr '\n' ' ')"
} > "$stage/manifest.txt"
rm "$stage/nm-files.txt"

pack_bytes=$(du -cb "$stage" | tail -1 | cut -f1)
tree_bytes=$(git ls-files -z | xargs -0 stat -c %s 2>/dev/null | awk '{s += $1} END {print s + 0}')
mib() { awk -v b="$1" 'BEGIN {printf "%.1f", b / 1048576}'; }
(cd "$stage" && du -b node.xz nm.tar.xz cifar.tar.xz gpu.mjs debs | awk '{printf "  %7.1f MiB  %s\n", $1 / 1048576, $2}')
echo "gpu-pack: .gpu is $(mib "$pack_bytes") MiB (limit $max_mib); with the tracked tree ($(mib "$tree_bytes") MiB) $(mib $((pack_bytes + tree_bytes))) MiB of the 64 MiB a call carries; built in $(( $(date +%s) - t0 )) s"
if [ "$pack_bytes" -gt $((max_mib * 1048576)) ] || [ $((pack_bytes + tree_bytes)) -gt $((64 * 1048576)) ]; then
  echo "gpu-pack: too big; .gpu left as it was" >&2
  exit 1
fi
rm -rf .gpu
mv "$stage" .gpu
chmod 755 .gpu
trap - EXIT
