#!/usr/bin/env bash
# Packs into .device/ everything scripts/device-check.sh needs on a GPU
# machine that may have no Node.js, no npm packages and no Vulkan loader:
# the GPU suite and the CPU worker bundled into plain JavaScript, the webgpu
# package's Linux build of Dawn, this machine's node binary (gzipped) and its
# libvulkan.so.1. Run it here, after npm ci, then carry .device/ to the GPU
# machine with the working tree.
set -euo pipefail
cd "$(dirname "$0")/.."

out=.device
limit_mib=60
rm -rf "$out"
mkdir -p "$out/app/node_modules/webgpu/dist/linux-x64" "$out/lib"

# vega's optional canvas renderer is never used (figures are SVG), so it stays out of the bundle.
common=(--bundle --platform=node --format=esm --target=node20 --log-level=warning --external:webgpu --external:canvas
  "--banner:js=import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);")
npx esbuild src/cli/device-suite.ts "${common[@]}" --outfile="$out/app/device-suite.mjs"
npx esbuild src/backend/cpu-worker.ts "${common[@]}" --outfile="$out/app/cpu-worker.mjs"

webgpu=node_modules/webgpu
cp "$webgpu/package.json" "$webgpu/index.js" "$out/app/node_modules/webgpu/"
# Both binaries travel gzipped: together they are over the size the working tree may carry.
gzip -9 -c "$webgpu/dist/linux-x64/dawn.node" > "$out/dawn.node.gz"

node_binary=$(readlink -f "$(command -v node)")
gzip -9 -c "$node_binary" > "$out/node.gz"
node --version > "$out/node-version"

vulkan=$(ldconfig -p | awk '/libvulkan\.so\.1 .*x86-64/ {print $NF; exit}')
if [[ -z "$vulkan" ]]; then
  echo "device-pack: libvulkan.so.1 not found here; run scripts/install-webgpu-cpu.sh first" >&2
  exit 1
fi
cp -L "$vulkan" "$out/lib/libvulkan.so.1"

size_mib=$(du -sm "$out" | awk '{print $1}')
if (( size_mib > limit_mib )); then
  echo "device-pack: $out is $size_mib MiB, over the $limit_mib MiB that can travel with the working tree" >&2
  exit 1
fi
echo "device-pack: wrote $out ($size_mib MiB): node $(cat "$out/node-version"), Dawn, libvulkan.so.1, the bundled GPU suite"
