#!/usr/bin/env sh
# System packages the test suite needs beyond pip: Chromium, for the test that opens the
# batch report's HTML page headless. Debian/Ubuntu; does nothing when Chromium is there.
set -e
if [ -x "${MLGRADER_CHROMIUM:-/usr/bin/chromium}" ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
