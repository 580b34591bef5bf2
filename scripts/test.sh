#!/usr/bin/env bash
# The one command that prepares a fresh Debian machine and runs every test:
#   bash scripts/test.sh            # all tests
#   bash scripts/test.sh -q -k login   # extra arguments go to pytest
# It installs uv (pip), the Python dependencies (uv sync --frozen), Debian's chromium for the
# browser tests, gettext for the translation catalogue, Node.js for the single sign-on
# tests' OpenID provider and nginx for the test of deploy/nginx, checks that the translations
# compile, then runs pytest. Set DATABASE_URL to run on PostgreSQL instead of SQLite.
set -euo pipefail

cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
export PATH="$HOME/.local/bin:$PATH"

source scripts/system-packages.sh
apt_packages=()
need_runtime_packages
[ -x /usr/bin/chromium ] || apt_packages+=(chromium)
command -v msgfmt >/dev/null || apt_packages+=(gettext)
# The single sign-on tests run a real OpenID provider on Node (tests/oidc_provider).
command -v node >/dev/null || apt_packages+=(nodejs)
command -v npm >/dev/null || apt_packages+=(npm)
# tests/test_deploy_nginx.py runs deploy/nginx in a real nginx (Debian's is in /usr/sbin).
PATH="$PATH:/usr/sbin" command -v nginx >/dev/null || apt_packages+=(nginx)
install_apt_packages

if ! command -v uv >/dev/null; then
    echo "== pip install uv"
    pip="$(command -v pip3 || command -v pip)"
    "$pip" install --user uv 2>/dev/null || "$pip" install --user --break-system-packages uv
fi

echo "== uv sync --frozen"
uv sync --frozen

if [ ! -d tests/oidc_provider/node_modules/oidc-provider ]; then
    echo "== npm ci (tests/oidc_provider: the single sign-on tests' OpenID provider)"
    (cd tests/oidc_provider && npm ci --no-audit --no-fund)
fi

echo "== compilemessages"
uv run python manage.py compilemessages --ignore=.venv --ignore=var --ignore=node_modules

echo "== pytest $*"
status=0
uv run pytest "$@" || status=$?
if [ "$status" -eq 5 ]; then
    echo "scripts/test.sh: pytest collected no tests; that counts as a failure." >&2
fi
exit "$status"
