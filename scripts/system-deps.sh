#!/usr/bin/env bash
# Makes sure the system packages the tests need are present: Chromium (headless browser, and the SwiftShader Vulkan
# driver at /usr/lib/chromium/vk_swiftshader_icd.json), the Vulkan loader (libvulkan1) that Dawn needs in Node, and
# LAMMPS (the exported data files are loaded by it). Installs them with apt-get when running as root; otherwise says
# exactly what to install.
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -f /usr/lib/chromium/vk_swiftshader_icd.json ] || { [[ " ${missing[*]-} " == *" chromium "* ]] || missing+=(chromium); }
ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1' || missing+=(libvulkan1)
command -v lmp >/dev/null || missing+=(lammps)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing system packages for the GPU tests: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "The tests need these system packages: ${missing[*]}" >&2
  echo "Install them with:  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
