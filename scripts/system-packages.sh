# Sourced by scripts/start.sh and scripts/test.sh: the Debian packages the application needs on a
# fresh machine, installed only when missing (so a machine that has them needs no root).
# Usage: apt_packages=(); need_runtime_packages; apt_packages+=(…); install_apt_packages

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null; then
        sudo --non-interactive "$@"
    else
        echo "$0: need root (or sudo) to run: $*" >&2
        exit 1
    fi
}

need_runtime_packages() {
    # A Chinese font: the printable forms (WeasyPrint embeds it in the PDF) and the browser
    # tests' screenshots show Chinese with it.
    compgen -G "/usr/share/fonts/opentype/noto/NotoSansCJK*" >/dev/null \
        || compgen -G "/usr/share/fonts/truetype/wqy/*" >/dev/null || apt_packages+=(fonts-noto-cjk)
    # WeasyPrint lays out text with Pango.
    /sbin/ldconfig -p 2>/dev/null | grep libpangoft2-1.0 >/dev/null \
        || apt_packages+=(libpango-1.0-0 libpangoft2-1.0-0)
    command -v uv >/dev/null || command -v pip3 >/dev/null || command -v pip >/dev/null \
        || apt_packages+=(python3-pip)
}

install_apt_packages() {
    if [ "${#apt_packages[@]}" -gt 0 ]; then
        echo "== apt-get install ${apt_packages[*]}"
        as_root apt-get update -q
        as_root env DEBIAN_FRONTEND=noninteractive \
            apt-get install -y -q --no-install-recommends "${apt_packages[@]}"
    fi
}
