# Shared helpers of the vtrust end-to-end scripts (sourced, not run).
# shellcheck shell=bash

e2e_die() {
  echo "e2e: ERROR: $*" >&2
  exit 1
}

e2e_log() {
  echo "e2e: $*" >&2
}

# Installs the Debian packages the harness needs, idempotently: nothing happens when every
# one is already installed. Not being root with something missing is a loud error.
e2e_ensure_packages() {
  local pkg missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' ||
      missing+=("$pkg")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] ||
    e2e_die "missing Debian packages (${missing[*]}); run as root or install them"
  e2e_log "installing Debian packages: ${missing[*]}"
  # Serialise with other scripts installing packages at the same time.
  (
    flock -w 600 9 || e2e_die "apt lock wait timed out"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" >&2
  ) 9>/tmp/vtrust-e2e-apt.lock || e2e_die "apt-get install ${missing[*]} failed"
}

# The packages every part of the harness uses.
E2E_HOST_PACKAGES=(qemu-system-x86 busybox-static cpio gzip gcc libc6-dev linux-libc-dev
  binutils openssl util-linux coreutils)
