#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# DKMS tier: add/build/install/remove in a throwaway DKMS tree, against
# Debian's 6.1 headers (a native kernel: dkms must skip it cleanly, exit
# 77) and against each cached old kernel (the .ko files must come out).
set -u
. "$(dirname "$0")/../harness/lib.sh"
command -v dkms >/dev/null || { echo "ok - dkms # SKIP dkms not installed"; exit 0; }
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$APFINT_TOP/dkms.conf")
if [ "$ver" = "$(cat "$APFINT_TOP/VERSION")" ]; then
	echo "ok - dkms/version ($ver)"
else
	echo "not ok - dkms/version (dkms.conf says $ver, VERSION says $(cat "$APFINT_TOP/VERSION"))"
fi

t=$(mktemp -d /tmp/apfint-dkms.XXXXXX)
trap 'rm -rf "$t"' EXIT
# --no-depmod: the throwaway install tree is not /lib/modules.
args=(--dkmstree "$t/tree" --sourcetree "$t/src" --installtree "$t/install" --no-depmod)
mkdir -p "$t/tree" "$t/install" "$t/src/apfint-$ver"
cp -r "$APFINT_TOP"/{host_kmod,guest_kmod,include,Makefile,VERSION,dkms.conf} "$t/src/apfint-$ver/"
if dkms add -m apfint -v "$ver" "${args[@]}" >"$t/add.log" 2>&1; then
	echo "ok - dkms/add"
else
	echo "not ok - dkms/add"
	sed 's/^/#   /' "$t/add.log"
	exit 0
fi

for k in debian-6.1 $(cached_kernels); do
	if ! kernel_resolve "$k" || [ -z "$KBUILD" ]; then
		echo "ok - dkms/$k # SKIP ${KMISSING:-$k: no build tree}"
		continue
	fi
	dkms build -m apfint -v "$ver" -k "$KREL" --kernelsourcedir "$KBUILD" \
		"${args[@]}" >"$t/build-$k.log" 2>&1
	rc=$?
	if kernel_is_before "$k" 5.9; then
		want="apfint_guest"
		kernel_is_before "$k" 5.8 && want="apfint_host $want"
		mods=$t/tree/apfint/$ver/$KREL/x86_64/module
		missing=
		for m in $want; do
			ls "$mods/$m.ko"* >/dev/null 2>&1 || missing="$missing $m"
		done
		if [ $rc = 0 ] && [ -z "$missing" ]; then
			echo "ok - dkms/$k/build ($want)"
		else
			echo "not ok - dkms/$k/build (rc $rc, missing:${missing:- none})"
			tail -n 15 "$t/build-$k.log" | sed 's/^/#   /'
			continue
		fi
		mkdir -p "$t/install/$KREL"
		installed=no
		if dkms install -m apfint -v "$ver" -k "$KREL" "${args[@]}" \
			>"$t/install-$k.log" 2>&1 &&
			ls "$t"/install/"$KREL"/updates/dkms/apfint_*.ko* >/dev/null 2>&1; then
			echo "ok - dkms/$k/install"
			installed=yes
		else
			echo "not ok - dkms/$k/install"
			tail -n 15 "$t/install-$k.log" | sed 's/^/#   /'
		fi
		if [ $installed = yes ] &&
			dkms remove -m apfint -v "$ver" -k "$KREL" "${args[@]}" \
			>"$t/remove-$k.log" 2>&1 &&
			! ls "$t"/install/"$KREL"/updates/dkms/apfint_*.ko* >/dev/null 2>&1; then
			echo "ok - dkms/$k/remove"
		else
			echo "not ok - dkms/$k/remove"
			tail -n 15 "$t/remove-$k.log" | sed 's/^/#   /'
		fi
		dkms add -m apfint -v "$ver" "${args[@]}" >/dev/null 2>&1
	elif [ $rc = 77 ]; then
		echo "ok - dkms/$k/skipped-cleanly (native kernel: dkms exit 77)"
	else
		echo "not ok - dkms/$k/skipped-cleanly (dkms build exit $rc, want 77)"
		tail -n 15 "$t/build-$k.log" | sed 's/^/#   /'
	fi
done

# An old version string whose headers carry the feature (an enterprise
# backport): the headers must win over the version.
if kernel_resolve debian-6.1 && [ -n "$KBUILD" ]; then
	dkms build -m apfint -v "$ver" -k 5.4.0-apfint-backport \
		--kernelsourcedir "$KBUILD" "${args[@]}" >"$t/backport.log" 2>&1
	rc=$?
	if [ $rc = 77 ]; then
		echo "ok - dkms/backported-headers/skipped-cleanly (a 5.4 version with 6.1 headers: exit 77)"
	else
		echo "not ok - dkms/backported-headers/skipped-cleanly (exit $rc, want 77)"
		tail -n 10 "$t/backport.log" | sed 's/^/#   /'
	fi
fi
