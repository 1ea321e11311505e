#!/usr/bin/env bash
# Installs the Debian packages strata needs, only those missing. Needs root (or sudo) when
# something is missing; downloads nothing but Debian packages.
set -euo pipefail

packages=(
  # toolchain
  g++ cmake ninja-build pkg-config
  # neural/: maths, images, JSON, command line, tests
  libglm-dev libstb-dev libtinyexr-dev libtinygltf-dev nlohmann-json3-dev libcli11-dev catch2 zlib1g-dev libzstd-dev
  # renderer/: Vulkan headers and loader, shader compiler, the CPU Vulkan device, validation
  libvulkan-dev glslc mesa-vulkan-drivers vulkan-validationlayers
  # apps/viewer/: the window (GLFW), Dear ImGui (its GLFW and Vulkan backends ship as sources in
  # the package), and the X server its tests run it under
  libglfw3-dev libimgui-dev xvfb xauth
  # tests: third-party glTF clients (the Khronos validator and three.js run on Node.js; three.js
  # renders in headless Chromium)
  chromium
)
# Node.js may come with the machine (newer than Debian's); install Debian's only when absent.
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "strata: installing Debian packages: ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then
    sudo_cmd=(sudo)
  else
    echo "strata: error: run as root, or install these first: apt-get install ${missing[*]}" >&2
    exit 2
  fi
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "strata: packages installed"
