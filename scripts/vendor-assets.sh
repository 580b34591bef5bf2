#!/usr/bin/env bash
# Fetch the front-end libraries from the npm registry and copy their minified files into
# static/vendor/. Government intranets have no internet, so the app serves these files itself
# (WhiteNoise) and never loads anything from a CDN. The results are committed; run this only
# to upgrade. Versions: htmx.org latest 2.x, bootstrap latest 5.x, echarts latest 6.x (override
# with the HTMX_SPEC / BOOTSTRAP_SPEC / ECHARTS_SPEC environment variables, e.g.
# HTMX_SPEC=htmx.org@2.0.4).
set -euo pipefail

cd "$(dirname "$0")/.."
HTMX_SPEC="${HTMX_SPEC:-htmx.org@2}"
BOOTSTRAP_SPEC="${BOOTSTRAP_SPEC:-bootstrap@5}"
ECHARTS_SPEC="${ECHARTS_SPEC:-echarts@6}"

command -v npm >/dev/null || { echo "npm is needed (Debian: apt-get install npm)" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

fetch() {  # fetch SPEC → prints the unpacked package directory
    local spec="$1" tarball dir
    tarball="$(cd "$work" && npm pack --silent "$spec" | tail -n 1)"
    dir="$work/${tarball%.tgz}"
    mkdir -p "$dir"
    tar -xzf "$work/$tarball" -C "$dir"
    echo "$dir/package"
}

version_of() {
    node -e 'process.stdout.write(require(process.argv[1]).version)' "$1/package.json"
}

htmx="$(fetch "$HTMX_SPEC")"
bootstrap="$(fetch "$BOOTSTRAP_SPEC")"
echarts="$(fetch "$ECHARTS_SPEC")"
htmx_version="$(version_of "$htmx")"
bootstrap_version="$(version_of "$bootstrap")"
echarts_version="$(version_of "$echarts")"
today="$(date -u +%Y-%m-%d)"

rm -rf static/vendor/htmx static/vendor/bootstrap static/vendor/echarts
mkdir -p static/vendor/htmx static/vendor/bootstrap static/vendor/echarts

cp "$htmx/dist/htmx.min.js" static/vendor/htmx/
cp "$htmx/LICENSE" static/vendor/htmx/LICENSE
cat > static/vendor/htmx/VERSION <<NOTE
htmx.org $htmx_version (npm: $HTMX_SPEC), fetched $today by scripts/vendor-assets.sh
files: htmx.min.js (from dist/), LICENSE
NOTE

cp "$bootstrap/dist/css/bootstrap.min.css" "$bootstrap/dist/css/bootstrap.min.css.map" \
   "$bootstrap/dist/js/bootstrap.bundle.min.js" "$bootstrap/dist/js/bootstrap.bundle.min.js.map" \
   static/vendor/bootstrap/
cp "$bootstrap/LICENSE" static/vendor/bootstrap/LICENSE
cat > static/vendor/bootstrap/VERSION <<NOTE
bootstrap $bootstrap_version (npm: $BOOTSTRAP_SPEC), fetched $today by scripts/vendor-assets.sh
files: bootstrap.min.css, bootstrap.bundle.min.js (includes Popper), their source maps, LICENSE
NOTE

# The "common" build: bar, line and pie charts with their components, half the full size.
cp "$echarts/dist/echarts.common.min.js" "$echarts/LICENSE" "$echarts/NOTICE" static/vendor/echarts/
cat > static/vendor/echarts/VERSION <<NOTE
echarts $echarts_version (npm: $ECHARTS_SPEC), fetched $today by scripts/vendor-assets.sh
files: echarts.common.min.js (from dist/: bar, line, pie and common components), LICENSE, NOTICE
NOTE

echo "Vendored htmx $htmx_version, Bootstrap $bootstrap_version and ECharts $echarts_version" \
     "into static/vendor/."
