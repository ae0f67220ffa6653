#!/usr/bin/env bash
# Builds the vtrust end-to-end guest (issue #5) into CACHE_DIR:
#   CACHE_DIR/vmlinuz      Debian's 6.1 kernel (the one linux-image-amd64 depends on, or
#                          $E2E_KERNEL_PACKAGE, e.g. linux-image-6.1.0-56-amd64)
#   CACHE_DIR/initrd.gz    busybox-static + the kernel's virtio/virtio_crypto/AF_ALG modules +
#                          the static AF_ALG helper (afalg.c) + guest-init.sh as /init
#   CACHE_DIR/kernel.txt   "<package> <version> <uname -r>"
# Installs what it needs from Debian packages (as root; idempotent). Rebuilds only when an
# input changed (scripts, helper source, kernel, busybox, gcc); the archive is reproducible
# (sorted, mtime 0, owner 0:0, gzip -n).
#
# Usage: build-initramfs.sh CACHE_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

[ $# -eq 1 ] || e2e_die "usage: $0 CACHE_DIR"
cache=$1
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)

e2e_ensure_packages "${E2E_HOST_PACKAGES[@]}"

# The guest's modules: virtio-pci transport, the crypto driver, AF_ALG skcipher. Their
# dependencies are added from each module's depends= field.
WANTED_MODULES=(virtio_pci virtio_crypto af_alg algif_skcipher)

exec 8>"$cache/.build.lock"
flock -w 900 8 || e2e_die "timed out waiting for another build in $cache"

# --- The kernel package -------------------------------------------------------------------
kpkg=${E2E_KERNEL_PACKAGE:-}
if [ -z "$kpkg" ]; then
  kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
    sed -n 's/^ *Depends: \(linux-image-6\.1[^ ]*-amd64\)$/\1/p' | head -n 1)
  if [ -z "$kpkg" ]; then
    [ "$(id -u)" -eq 0 ] || e2e_die "apt does not know linux-image-amd64; run as root"
    apt-get update -qq
    kpkg=$(apt-cache depends linux-image-amd64 |
      sed -n 's/^ *Depends: \(linux-image-6\.1[^ ]*-amd64\)$/\1/p' | head -n 1)
  fi
fi
[ -n "$kpkg" ] || e2e_die "cannot find Debian's 6.1 kernel package (linux-image-amd64)"
kver=$(apt-cache show --no-all-versions "$kpkg" 2>/dev/null | sed -n 's/^Version: //p' | head -n 1)
[ -n "$kver" ] || e2e_die "apt has no package $kpkg"
kdir="$cache/kernel/${kpkg}_$kver"
if [ ! -e "$kdir/.extracted" ]; then
  e2e_log "downloading $kpkg $kver"
  rm -rf "$kdir" "$cache/kernel/dl"
  mkdir -p "$cache/kernel/dl"
  (cd "$cache/kernel/dl" && apt-get download "$kpkg=$kver" >&2) ||
    e2e_die "apt-get download $kpkg=$kver failed"
  mkdir -p "$kdir"
  dpkg-deb -x "$cache/kernel/dl/"*.deb "$kdir"
  rm -rf "$cache/kernel/dl"
  # Keep only the module directories the guest can need (400 MB -> a few MB).
  for d in "$kdir"/lib/modules/*/kernel/* "$kdir"/lib/modules/*/kernel/drivers/*; do
    case ${d#"$kdir"/lib/modules/*/kernel/} in
    crypto | drivers | drivers/virtio | drivers/crypto | lib) ;;
    *) rm -rf "$d" ;;
    esac
  done
  touch "$kdir/.extracted"
fi
uname_r=$(ls "$kdir/lib/modules")
[ "$(echo "$uname_r" | wc -l)" -eq 1 ] || e2e_die "expected one module tree in $kdir"
vmlinuz="$kdir/boot/vmlinuz-$uname_r"
[ -r "$vmlinuz" ] || e2e_die "no $vmlinuz"

# --- Up to date? -------------------------------------------------------------------------
stamp=$(
  {
    cat "$here/build-initramfs.sh" "$here/guest-init.sh" "$here/afalg.c" "$here/lib.sh"
    echo "$kpkg $kver $uname_r"
    dpkg-query -W busybox-static gcc libc6-dev
  } | sha256sum | cut -d' ' -f1
)
if [ -r "$cache/initrd.gz" ] && [ -r "$cache/vmlinuz" ] &&
  [ "$(cat "$cache/initrd.stamp" 2>/dev/null)" = "$stamp" ]; then
  exit 0
fi
e2e_log "building initramfs for $uname_r in $cache"

# --- Module closure, dependencies first -----------------------------------------------------
modroot="$kdir/lib/modules/$uname_r"
declare -A mod_path=()
while IFS= read -r f; do
  n=$(basename "$f" .ko)
  mod_path[${n//-/_}]=$f
done < <(find "$modroot/kernel" -name '*.ko')
declare -A seen=()
ordered=()
mod_deps() { # the depends= field of the module file $1
  local tmp
  tmp=$(mktemp)
  objcopy --dump-section ".modinfo=$tmp" "$1" /dev/null 2>/dev/null ||
    objcopy -O binary --only-section=.modinfo --set-section-flags .modinfo=alloc "$1" "$tmp"
  tr '\0' '\n' <"$tmp" | sed -n 's/^depends=//p' | tr ',' ' '
  rm -f "$tmp"
}
visit() {
  local m=${1//-/_} d
  [ -n "${seen[$m]:-}" ] && return 0
  seen[$m]=1
  [ -n "${mod_path[$m]:-}" ] || e2e_die "module $m not found in $modroot (built in, or trimmed at extraction?)"
  for d in $(mod_deps "${mod_path[$m]}"); do visit "$d"; done
  ordered+=("$m")
}
for m in "${WANTED_MODULES[@]}"; do visit "$m"; done

# --- The AF_ALG helper ---------------------------------------------------------------------
work=$(mktemp -d "$cache/build.XXXXXX")
trap 'rm -rf "$work"' EXIT
root="$work/root"
mkdir -p "$root"/{bin,dev,proc,sys,tmp,e2e/modules,e2e/run}
gcc -O2 -Wall -Wextra -Werror -static -s -o "$root/bin/afalg" "$here/afalg.c"

# --- The tree ------------------------------------------------------------------------------
cp /bin/busybox "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
install -m 0755 "$here/guest-init.sh" "$root/init"
for m in "${ordered[@]}"; do cp "${mod_path[$m]}" "$root/e2e/modules/$m.ko"; done
printf '%s\n' "${ordered[@]}" >"$root/e2e/modules.list"
# The console node, so /init has stdio before it mounts devtmpfs (needs root; /init reopens
# /dev/console after mounting devtmpfs either way).
mknod -m 600 "$root/dev/console" c 5 1 2>/dev/null || true
find "$root" -exec touch -h -d @0 {} +
(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
  cpio -o -H newc -R 0:0 --reproducible --quiet) | gzip -9n >"$work/initrd.gz"

cp "$vmlinuz" "$work/vmlinuz"
mv -f "$work/vmlinuz" "$cache/vmlinuz"
mv -f "$work/initrd.gz" "$cache/initrd.gz"
echo "$kpkg $kver $uname_r" >"$cache/kernel.txt"
echo "$stamp" >"$cache/initrd.stamp"
e2e_log "initramfs ready: $(du -k "$cache/initrd.gz" | cut -f1) KiB, modules: ${ordered[*]}"
