#!/usr/bin/env bash
# Install Hinge Mirror on Raspberry Pi OS (Bookworm or Trixie, Lite is enough) as a kiosk that
# starts at boot: apt packages, a venv in /opt/hinge-mirror/venv that can see apt's picamera2,
# this checkout installed into it, then `hinge-mirror install-service`.
# Usage (from the checkout):  sudo systemd/install.sh [--dry-run] [--start]
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$(pwd)
VENV=/opt/hinge-mirror/venv
DRY=0
for a in "$@"; do [ "$a" = "--dry-run" ] && DRY=1; done
run() { if [ "$DRY" = 1 ]; then printf '%q ' "$@"; echo; else "$@"; fi; }

if [ "$DRY" = 0 ] && [ "$(id -u)" != 0 ]; then
  echo "install.sh changes system files: run it with sudo (or --dry-run)" >&2
  exit 2
fi
# picamera2 + libcamera come from apt (never pip); lgpio is the Pi 5 (and Pi 4) GPIO backend;
# espeak-ng speaks the cues; v4l-utils brings cec-ctl for HDMI-CEC standby.
# The SDL in pygame-ce's wheel dlopens libdrm, libgbm, libEGL and libGLESv2 to draw on the
# console (KMSDRM); nothing pulls them in on Lite, and without them the screen fails only at
# boot. Same names on Bookworm and Trixie; `hinge-mirror doctor` checks them (KMSDRM_LIBS).
KMSDRM_PKGS=(libdrm2 libgbm1 libegl1 libgles2)
run apt-get update
run apt-get install -y python3-venv python3-picamera2 python3-lgpio espeak-ng v4l-utils "${KMSDRM_PKGS[@]}"
run python3 -m venv --system-site-packages "$VENV"
# The `pi` extra keeps numpy < 2 on Python 3.11 (Bookworm), which apt's picamera2 needs.
run "$VENV/bin/python" -m pip install --upgrade pip
run "$VENV/bin/python" -m pip install "$SRC[pi]"
args=(install-service --source "$SRC" --exec "$VENV/bin/hinge-mirror" "$@")
if [ "$DRY" = 1 ] && [ ! -x "$VENV/bin/hinge-mirror" ]; then
  echo "$VENV/bin/hinge-mirror ${args[*]}"
else
  run "$VENV/bin/hinge-mirror" "${args[@]}"
fi
