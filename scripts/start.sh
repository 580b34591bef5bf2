#!/usr/bin/env bash
# The one command that installs Bangban and starts the demo at http://127.0.0.1:8000 on SQLite
# (database file var/bangban.sqlite3), with the catalog and the demo accounts loaded.
set -euo pipefail

cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
export PATH="$HOME/.local/bin:$PATH"

source scripts/system-packages.sh
apt_packages=()
need_runtime_packages
install_apt_packages

if ! command -v uv >/dev/null; then
    echo "== pip install uv"
    pip="$(command -v pip3 || command -v pip || true)"
    if [ -z "$pip" ]; then
        echo "scripts/start.sh: pip is missing (Debian: apt-get install python3-pip)" >&2
        exit 1
    fi
    "$pip" install --user uv 2>/dev/null || "$pip" install --user --break-system-packages uv
fi

uv sync --frozen
uv run python manage.py migrate
uv run python manage.py workdays seed
uv run python manage.py load_catalog
uv run python manage.py load_notification_templates
uv run python manage.py demo_data
uv run python manage.py collectstatic --noinput
echo "Bangban: http://127.0.0.1:8000/  (demo accounts: see README.md)"
# The web server and the background worker (e-mail, SMS) together; Ctrl-C stops both.
exec uv run python manage.py run_demo 127.0.0.1:8000
