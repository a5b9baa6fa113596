# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Host-side helpers of every runner and of the harness (bash): where the
# kernels are, which ones the cache holds, and how a console is read.

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

# cache_entries: every kernel in the cache that can boot.
cache_entries() {
	local d
	for d in "$APFINT_KERNELS"/*/; do
		[ -f "$d/vmlinuz" ] && basename "$d"
	done 2>/dev/null
}

# cached_kernels: the versions in the cache that can boot, oldest first;
# debug builds (<release>-debug) are left to the stress tier.
cached_kernels() { cache_entries | grep -v -e '-debug$' | sort -V; }

# debug_kernels: the debug builds in the cache, oldest first.
debug_kernels() { cache_entries | grep -e '-debug$' | sort -V; }

# kernel_is_before K LIMIT: true when K is older than LIMIT (debian-* never:
# it is 6.1); the version is the directory name in the cache.
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
