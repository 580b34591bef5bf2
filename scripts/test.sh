#!/usr/bin/env bash
# The one command that prepares a fresh Debian machine and runs every test:
#   bash scripts/test.sh            # all tests
#   bash scripts/test.sh -q -k login   # extra arguments go to pytest
# It installs uv (pip), the Python dependencies (uv sync --frozen), Debian's chromium for the
# browser tests and gettext for the translation catalogue, checks that the translations
# compile, then runs pytest. Set DATABASE_URL to run on PostgreSQL instead of SQLite.
set -euo pipefail

cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
export PATH="$HOME/.local/bin:$PATH"

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null; then
        sudo --non-interactive "$@"
    else
        echo "scripts/test.sh: need root (or sudo) to run: $*" >&2
        exit 1
    fi
}

apt_packages=()
[ -x /usr/bin/chromium ] || apt_packages+=(chromium)
command -v msgfmt >/dev/null || apt_packages+=(gettext)
# Chinese fonts, so screenshots taken by the browser tests are legible.
compgen -G "/usr/share/fonts/opentype/noto/NotoSansCJK*" >/dev/null \
    || compgen -G "/usr/share/fonts/truetype/wqy/*" >/dev/null || apt_packages+=(fonts-noto-cjk)
command -v uv >/dev/null || command -v pip3 >/dev/null || command -v pip >/dev/null \
    || apt_packages+=(python3-pip)
if [ "${#apt_packages[@]}" -gt 0 ]; then
    echo "== apt-get install ${apt_packages[*]}"
    as_root apt-get update -q
    as_root apt-get install -y -q --no-install-recommends "${apt_packages[@]}"
fi

if ! command -v uv >/dev/null; then
    echo "== pip install uv"
    pip="$(command -v pip3 || command -v pip)"
    "$pip" install --user uv 2>/dev/null || "$pip" install --user --break-system-packages uv
fi

echo "== uv sync --frozen"
uv sync --frozen

echo "== compilemessages"
uv run python manage.py compilemessages --ignore=.venv --ignore=var --ignore=node_modules

echo "== pytest $*"
status=0
uv run pytest "$@" || status=$?
if [ "$status" -eq 5 ]; then
    echo "scripts/test.sh: pytest collected no tests; that counts as a failure." >&2
fi
exit "$status"
