#!/usr/bin/env bash
# Installs qemu-system-riscv64 (QEMU >= 10, from Debian bookworm-backports) and the OpenSBI
# firmware that `-bios default` loads, for scripts/native-diff.sh.
#
# Idempotent and non-interactive; must run as root (CI does). Does nothing when a new
# enough QEMU and the firmware are already present.
#
# Why backports: bookworm's own qemu-system-misc is 7.2, whose H extension is older; the
# image's qemu-utils may already come from bookworm-backports, and mixing 7.2 system
# packages with backports' common files conflicts, so everything QEMU comes from backports.
set -euo pipefail

MIN_MAJOR=${QEMU_MIN_MAJOR:-10}
FW=/usr/share/qemu/opensbi-riscv64-generic-fw_dynamic.bin
BACKPORTS_LIST=/etc/apt/sources.list.d/backports.list

qemu_major() {
    command -v qemu-system-riscv64 >/dev/null || { echo 0; return; }
    qemu-system-riscv64 --version | sed -n 's/^QEMU emulator version \([0-9]*\)\..*/\1/p' | head -n1
}

have_all() {
    local major
    major=$(qemu_major)
    [ "${major:-0}" -ge "$MIN_MAJOR" ] && [ -e "$FW" ]
}

if have_all; then
    echo "install-qemu: $(qemu-system-riscv64 --version | head -n1); firmware $FW present"
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "install-qemu: need root to install QEMU >= $MIN_MAJOR (found major $(qemu_major))" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive

# bookworm-backports in the sources, unless some sources file already names it.
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    echo "deb http://deb.debian.org/debian bookworm-backports main" >"$BACKPORTS_LIST"
    echo "install-qemu: added $BACKPORTS_LIST"
fi

apt-get update -q
# qemu-system-data (same source package, from backports too) ships the OpenSBI blob that
# `-bios default` finds; opensbi is the fallback provider of the same file.
apt-get install -y -q -t bookworm-backports qemu-system-misc qemu-system-data

if [ ! -e "$FW" ]; then
    apt-get install -y -q opensbi || true
    if [ ! -e "$FW" ] && [ -e /usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin ]; then
        ln -sf /usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin "$FW"
    fi
fi

if ! have_all; then
    echo "install-qemu: failed: QEMU major $(qemu_major) (want >= $MIN_MAJOR), firmware $FW $( [ -e "$FW" ] && echo present || echo missing)" >&2
    exit 1
fi
echo "install-qemu: $(qemu-system-riscv64 --version | head -n1); firmware $FW present"
