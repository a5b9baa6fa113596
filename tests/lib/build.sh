# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Host-side builds, each done once per kernel and source tree and shared by
# every tier that needs it: one make check builds the modules once per
# kernel (the build tier judges that build, the VM tiers boot it), and so
# does the next one while the sources stay the same.
# shellcheck source=tests/lib/kernels.sh
. "$(dirname "${BASH_SOURCE[0]}")/kernels.sh"

APFINT_PAYLOAD_SRC=$APFINT_TOP/tests/payload

# tree_id FILE...: a short hash of the named files and directories under
# APFINT_TOP (their contents, not their times), build outputs left out.
tree_id() {
	(cd "$APFINT_TOP" && find "$@" -type f ! -name '*.o' ! -name '*.ko' \
		! -name '*.mod' ! -name '*.mod.c' ! -name '.*.cmd' \
		! -name modules.order ! -name Module.symvers \
		! -path '*/.tmp_versions/*' -print0 | sort -z | xargs -0 sha1sum) |
		sha1sum | cut -c 1-12
}

# build_modules K: both modules for kernel K, built with APFINT_TESTING=1
# in a private copy of the sources (objects of different kernels never
# mix) under $APFINT_OUT/modules/K/<tree id>/, unless that build exists.
# Sets MODDIR to it (MODDIR/build.log holds the compiler output,
# MODDIR/{host,guest}_kmod/*.ko the modules).  Returns make's status of
# that build, or 77 with KMISSING set when K or its build tree is missing.
build_modules() {
	local k=$1 rc
	MODDIR=
	kernel_resolve "$k" || return 77
	[ -n "$KBUILD" ] || { KMISSING="$k: no build tree"; return 77; }
	[ -n "${APFINT_BUILD_VERSION:-}" ] ||
		APFINT_BUILD_VERSION=$(make -s -C "$APFINT_TOP" -f Makefile print-version 2>/dev/null)
	MODDIR=$APFINT_OUT/modules/$k/$(tree_id host_kmod guest_kmod include Makefile VERSION)-$(echo "$KBUILD $APFINT_BUILD_VERSION" | sha1sum | cut -c 1-8)
	mkdir -p "$APFINT_OUT/modules/$k"
	(
		flock 9
		[ -f "$MODDIR/rc" ] && exit 0
		rm -rf "$MODDIR"
		mkdir -p "$MODDIR"
		cp -r "$APFINT_TOP/host_kmod" "$APFINT_TOP/guest_kmod" \
			"$APFINT_TOP/include" "$APFINT_TOP/Makefile" \
			"$APFINT_TOP/VERSION" "$MODDIR/"
		nice -n 10 make -C "$MODDIR" KDIR="$KBUILD" APFINT_TESTING=1 \
			APFINT_VERSION="$APFINT_BUILD_VERSION" \
			modules >"$MODDIR/build.log" 2>&1
		echo $? >"$MODDIR/rc"
	) 9>"$APFINT_OUT/modules/$k/lock"
	rc=$(cat "$MODDIR/rc" 2>/dev/null || echo 1)
	return "$rc"
}

# build_fake_kvm_intel K: the stand-in kvm_intel module (payload/) for K,
# once per kernel and source; sets FAKE_KO to it.  Returns make's status
# (the log is beside the module, build.log).
# shellcheck disable=SC2034  # the callers read FAKE_KO
build_fake_kvm_intel() {
	local k=$1 dir
	FAKE_KO=
	kernel_resolve "$k" || return 77
	[ -n "$KBUILD" ] || { KMISSING="$k: no build tree"; return 77; }
	dir=$APFINT_OUT/modules/$k/fake-kvm-intel-$(tree_id tests/payload/fake-kvm-intel)
	mkdir -p "$APFINT_OUT/modules/$k"
	(
		flock 9
		[ -f "$dir/rc" ] && exit 0
		rm -rf "$dir"
		cp -r "$APFINT_PAYLOAD_SRC/fake-kvm-intel" "$dir"
		make -C "$KBUILD" M="$dir" modules >"$dir/build.log" 2>&1
		echo $? >"$dir/rc"
	) 9>"$APFINT_OUT/modules/$k/lock"
	FAKE_KO=$dir/kvm_intel.ko
	return "$(cat "$dir/rc" 2>/dev/null || echo 1)"
}

# payload_prog NAME: tests/payload/NAME.c as a static binary (built once
# per source); prints its path, or returns 1 with the compiler's output.
payload_prog() {
	local src=$APFINT_PAYLOAD_SRC/$1.c bin
	bin=$APFINT_OUT/payload/$1-$(tree_id "tests/payload/$1.c")
	if [ ! -x "$bin" ]; then
		mkdir -p "$APFINT_OUT/payload"
		cc -static -O2 -Wall -o "$bin.tmp" "$src" >&2 || return 1
		mv "$bin.tmp" "$bin"
	fi
	echo "$bin"
}

# build_fail NAME DIR: the TAP line of a build that failed, with the end
# of DIR/build.log.
build_fail() {
	echo "not ok - $1"
	tail -n 20 "$2/build.log" 2>/dev/null | sed 's/^/#   /'
}
