#!/usr/bin/env bash
# Install the Debian packages nianbao needs, only those missing (idempotent, quick when done).
#   libreoffice-*-nogui  DOC/WPS/RTF (and ET that xlrd cannot read) through soffice --headless
#   poppler-utils        pdftotext/pdftoppm: the benchmark's baseline and the fixture builder
#   fonts-noto-cjk       Chinese glyphs when LibreOffice renders fixtures to PDF/PNG, and in the dashboard's screenshots
#   libgl1 libglib2.0-0  OpenCV, used by the optional OCR extra
#   postgresql           the real PostgreSQL server the tests start (tests/db/conftest.py finds
#                        initdb/pg_ctl in /usr/lib/postgresql/<major>/bin; the job queue needs it)
set -euo pipefail
packages=(libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils fonts-noto-cjk libgl1 libglib2.0-0 chromium postgresql)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing system packages: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "error: need root (or sudo) to apt-get install ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
