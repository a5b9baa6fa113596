#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build tier: both modules against Debian's 6.1 headers and every cached
# kernel, each in a private copy; any compiler warning fails the build.
set -u
. "$(dirname "$0")/../harness/lib.sh"
for k in debian-6.1 $(cached_kernels); do
	dir=$APFINT_OUT/build/$k
	build_modules "$k" "$dir"
	rc=$?
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
