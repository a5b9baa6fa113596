#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build tier: both modules against Debian's 6.1 headers and every cached
# kernel, each in a private copy; any compiler warning fails the build.
# The VM tiers boot these very builds (tests/lib/build.sh).
set -u
. "$(dirname "$0")/../lib/build.sh"
for k in debian-6.1 $(cached_kernels); do
	build_modules "$k"
	rc=$?
	dir=$MODDIR
	if [ $rc = 77 ]; then
		echo "ok - build/$k # SKIP $KMISSING"
		continue
	fi
	warn=$(grep -E 'warning:|error:' "$dir/build.log")
	if [ $rc != 0 ] || [ -n "$warn" ]; then
		echo "not ok - build/$k (make rc $rc)"
		{ [ -n "$warn" ] && echo "$warn" || tail -n 20 "$dir/build.log"; } |
			head -n 30 | sed 's/^/#   /'
		continue
	fi
	for m in host_kmod/apfint_host guest_kmod/apfint_guest; do
		v=$(modinfo -F version "$dir/$m.ko" 2>/dev/null)
		if [ -z "$v" ]; then
			echo "not ok - build/$k/$(basename $m) (no .ko or no version)"
		else
			echo "ok - build/$k/$(basename $m) ($v)"
		fi
	done
done

# What include/compat/kbuild.mk decides for imagined trees (header
# fragments in tests/build-facts/): NAME VERSION PATCHLEVEL WANT.
facts() {
	make -s -f - all <<MK 2>/dev/null
src := $APFINT_TOP/host_kmod
srctree := $APFINT_TOP/tests/build-facts/$1
VERSION := $2
PATCHLEVEL := $3
cc-disable-warning =
include $APFINT_TOP/include/compat/kbuild.mk
all: ; @echo native=\$(APFINT_HOST_NATIVE) req=\$(APFINT_REQ_NR) taken=\$(APFINT_REQ_TAKEN)
MK
}
while read -r name ver patch want; do
	got=$(facts "$name" "$ver" "$patch")
	if [ "$got" = "$want" ]; then
		echo "ok - build/kbuild-facts/$name-$ver.$patch ($got)"
	else
		echo "not ok - build/kbuild-facts/$name-$ver.$patch (got '$got', want '$want')"
	fi
done <<'CASES'
req-free 5 4 native=0 req=30 taken=0
req-taken 5 4 native=0 req=30 taken=1
req-free 4 14 native=0 req=23 taken=0
native 5 4 native=1 req=30 taken=0
CASES
