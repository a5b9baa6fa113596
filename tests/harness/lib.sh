# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Shared helpers for the harness and the tier scripts (bash).

APFINT_KERNELS=${APFINT_KERNELS:-/var/cache/apfint/kernels}
APFINT_TOP=${APFINT_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
APFINT_OUT=${APFINT_OUT:-$APFINT_TOP/build/test-out}

die() { echo "error: $*" >&2; exit 2; }

# console_lines LOG...: console logs as lines to match with ^, every marker
# on a line of its own (tests/harness/scan-log); read consoles with it.
console_lines() { "$APFINT_TOP/tests/harness/scan-log" -c "$@"; }

# shellcheck disable=SC2034  # the callers read what it sets
# kernel_resolve K: sets KVMLINUZ, KMODDIR (…/lib/modules/<rel>), KREL and
# KBUILD (a tree usable as KDIR, or empty), or returns 1 with KMISSING set.
kernel_resolve() {
	local k=$1 v
	KVMLINUZ= KMODDIR= KREL= KBUILD= KMISSING=
	case $k in
	debian-6.1)
		v=$(ls /boot/vmlinuz-6.1.*-amd64 2>/dev/null | sort -V | tail -n 1)
		if [ -z "$v" ]; then
			KMISSING="debian-6.1: no /boot/vmlinuz-6.1.*-amd64 (apt-get install linux-image-amd64)"
			return 1
		fi
		KVMLINUZ=$v
		KREL=${v#/boot/vmlinuz-}
		KMODDIR=/lib/modules/$KREL
		KBUILD=/usr/src/linux-headers-$KREL
		[ -f "$KBUILD/Makefile" ] || KBUILD=
		;;
	*)
		local d=$APFINT_KERNELS/$k
		if [ ! -f "$d/vmlinuz" ]; then
			KMISSING="$k not in $APFINT_KERNELS"
			return 1
		fi
		KVMLINUZ=$d/vmlinuz
		KREL=$(ls "$d/root/lib/modules" 2>/dev/null | head -n 1)
		KMODDIR=$d/root/lib/modules/$KREL
		KBUILD=$d/build
		[ -f "$KBUILD/Makefile" ] || KBUILD=
		;;
	esac
	return 0
}

# cached_kernels: the versions in the cache that can boot, oldest first.
cached_kernels() {
	local d
	for d in "$APFINT_KERNELS"/*/; do
		[ -f "$d/vmlinuz" ] && basename "$d"
	done 2>/dev/null | sort -V
}

# is_old_kernel K: true for a kernel without the feature natively (host <
# 5.8); the version is the directory name in the cache.
kernel_is_before() {
	local k=$1 limit=$2
	case $k in debian-*) return 1 ;; esac
	[ "$(printf '%s\n%s\n' "$k" "$limit" | sort -V | head -n 1)" = "$k" ] &&
		[ "$k" != "$limit" ]
}

# kernels_or_skip NAME K...: true when every K resolves; otherwise prints
# the SKIP line of test NAME, naming the missing kernel, and is false.
kernels_or_skip() {
	local name=$1 k
	shift
	for k in "$@"; do
		if ! kernel_resolve "$k"; then
			echo "ok - $name # SKIP $KMISSING"
			return 1
		fi
	done
}

# build_modules K DIR: builds both modules for kernel K into DIR (a private
# copy of the sources, so objects of different kernels never mix).  Prints
# the compiler output to DIR/build.log; returns make's status.
build_modules() {
	local k=$1 dir=$2
	kernel_resolve "$k" || return 77
	[ -n "$KBUILD" ] || { KMISSING="$k: no build tree"; return 77; }
	rm -rf "$dir"
	mkdir -p "$dir"
	cp -r "$APFINT_TOP/host_kmod" "$APFINT_TOP/guest_kmod" \
		"$APFINT_TOP/include" "$APFINT_TOP/Makefile" \
		"$APFINT_TOP/VERSION" "$dir/"
	make -C "$dir" KDIR="$KBUILD" APFINT_TESTING=1 \
		APFINT_VERSION="$(make -s -C "$APFINT_TOP" -f Makefile print-version 2>/dev/null)" \
		modules >"$dir/build.log" 2>&1
}
