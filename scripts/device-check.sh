#!/usr/bin/env bash
# Runs the GPU suite on a machine with a real GPU: the WebGPU large-case
# checks at thorough effort (RISK by Monte Carlo at n = 4096, d = 64 with 10^6
# prompts; GLA-1 and GLA-key scans over 100000 tokens), the CPU/GPU agreement,
# and the backend benchmark. It brings what that machine may lack from
# .device/ (built here by scripts/device-pack.sh): Node.js, the Vulkan loader
# and the npm code. Results go to $OUT (or ./device-results).
#
#   bash scripts/device-pack.sh                 # on the development machine
#   OUT=/some/dir bash scripts/device-check.sh   # on the GPU machine, repository root
set -euo pipefail
cd "$(dirname "$0")/.."

bundle=.device
out=${OUT:-device-results}
mkdir -p "$out"
log="$out/device-check.log"
exec > >(tee "$log") 2>&1

if [[ ! -f "$bundle/app/device-suite.mjs" ]]; then
  echo "device-check: $bundle/ is missing; run scripts/device-pack.sh on the development machine and carry $bundle/ here" >&2
  exit 1
fi

dawn="$bundle/app/node_modules/webgpu/dist/linux-x64/dawn.node"
[[ -f "$dawn" ]] || gunzip -c "$bundle/dawn.node.gz" > "$dawn"

# Node.js: the machine's own if it is version 20 or newer, else the packed one.
node_bin=$(command -v node || true)
if [[ -z "$node_bin" ]] || (( $("$node_bin" -p 'process.versions.node.split(".")[0]') < 20 )); then
  node_bin="${TMPDIR:-/tmp}/gla-device-node"
  gunzip -c "$bundle/node.gz" > "$node_bin"
  chmod +x "$node_bin"
fi
echo "device-check: node $("$node_bin" --version) at $node_bin"

# Vulkan loader: the machine's own if ldconfig lists one, else the packed one.
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1 '; then
  export LD_LIBRARY_PATH="$PWD/$bundle/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  echo "device-check: using the packed libvulkan.so.1"
fi

# NVIDIA's Vulkan driver lives in libGLX_nvidia.so.0; without an ICD file the loader does not find it.
icd_dirs=(/usr/share/vulkan/icd.d /etc/vulkan/icd.d /usr/local/share/vulkan/icd.d)
if ! ls "${icd_dirs[@]}" 2>/dev/null | grep -qi nvidia; then
  nvidia_lib=$(ldconfig -p 2>/dev/null | awk '/libGLX_nvidia\.so\.0 / {print $NF; exit}')
  if [[ -z "$nvidia_lib" ]]; then
    nvidia_lib=$(find / -xdev -name 'libGLX_nvidia.so.0' 2>/dev/null | head -n 1 || true)
  fi
  if [[ -n "$nvidia_lib" ]]; then
    icd="${TMPDIR:-/tmp}/gla-nvidia-icd.json"
    printf '{"file_format_version": "1.0.0", "ICD": {"library_path": "%s", "api_version": "1.3.0"}}\n' "$nvidia_lib" > "$icd"
    export VK_DRIVER_FILES="$icd" VK_ICD_FILENAMES="$icd"
    echo "device-check: wrote a Vulkan ICD file for $nvidia_lib"
  else
    echo "device-check: no NVIDIA Vulkan ICD file or libGLX_nvidia.so.0 found; Dawn may see no GPU adapter"
  fi
fi

command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
echo "device-check: $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB"

export GLA_CPU_WORKER_SCRIPT="$PWD/$bundle/app/cpu-worker.mjs"
status=0
"$node_bin" "$bundle/app/device-suite.mjs" --out "$out" "$@" || status=$?
echo "device-check: finished with status $status; results in $out"
exit "$status"
