#!/usr/bin/env bash
# Installs what the WebGPU backend needs on a Debian 12 (bookworm) machine
# without a GPU: the Vulkan loader and Mesa's lavapipe software driver from
# bookworm-backports. Bookworm's own Mesa (22.3) is too old for Dawn, which
# rejects it and reports no adapter. Runs as root; does nothing when a
# Vulkan driver that Dawn accepts is already installed.
set -euo pipefail

mesa_version() {
  dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null || true
}

have_new_mesa() {
  local version
  version=$(mesa_version)
  [[ -n "$version" ]] && dpkg --compare-versions "$version" ge 24 && dpkg-query -W libvulkan1 >/dev/null 2>&1
}

if have_new_mesa; then
  echo "install-webgpu-cpu: libvulkan1 and mesa-vulkan-drivers $(mesa_version) already installed"
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "install-webgpu-cpu: run as root (apt-get installs libvulkan1 and mesa-vulkan-drivers)" >&2
  exit 1
fi

if ! grep -qs 'bookworm' /etc/os-release; then
  echo "install-webgpu-cpu: this script targets Debian 12 (bookworm); install libvulkan1 and a Mesa lavapipe driver of version 24 or newer by hand" >&2
  exit 1
fi

backports=/etc/apt/sources.list.d/bookworm-backports.list
if [[ ! -f "$backports" ]]; then
  # Reuse the Debian mirror the machine is already configured with.
  mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  if [[ -z "$mirror" ]]; then
    mirror=$(awk '/^deb / {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  fi
  if [[ -z "$mirror" ]]; then
    echo "install-webgpu-cpu: no Debian mirror found in /etc/apt; add bookworm-backports to the apt sources by hand" >&2
    exit 1
  fi
  echo "deb $mirror bookworm-backports main" > "$backports"
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq libvulkan1 >/dev/null
apt-get install -y -qq -t bookworm-backports mesa-vulkan-drivers >/dev/null
echo "install-webgpu-cpu: installed libvulkan1 and mesa-vulkan-drivers $(mesa_version)"
