#!/bin/sh
# Install Barista into a fresh virtualenv at $1 from the locked dependencies (no test extras).
# The image runs exactly this (deploy/Dockerfile), and so does tests/deploy/test_image_install.py.
# Run from the source folder. UV may name an uv binary to use; else uv is installed and removed.
set -eu
VENV="$1"
python3 -m venv "$VENV"
if [ -n "${UV:-}" ]; then
  uv="$UV"
else
  "$VENV/bin/pip" install --quiet --no-cache-dir --disable-pip-version-check uv
  uv="$VENV/bin/uv"
fi
VIRTUAL_ENV="$VENV" "$uv" pip install --quiet --compile-bytecode -r requirements.lock
VIRTUAL_ENV="$VENV" "$uv" pip install --quiet --compile-bytecode --no-deps .
if [ -z "${UV:-}" ]; then
  "$VENV/bin/pip" uninstall --quiet --yes uv
fi
# what the image runs: main.py beside the installed packages
"$VENV/bin/python" -c "import barista_ui, components, data, k8s, main"
