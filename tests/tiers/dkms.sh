#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# DKMS tier.  For Debian's 6.1 headers (a native kernel: both modules come
# out as refusals only) and each cached old kernel (the real modules):
#  - add/build/install/remove in a throwaway DKMS tree;
#  - a kernel install as the system does it: the kernel's postinst hook
#    (/etc/kernel/postinst.d/dkms) and `dkms autoinstall`, each in a
#    private mount namespace whose DKMS tree, source tree and /lib/modules
#    are throwaway.  Both must exit 0: dkms before 3.0.11 exits 11 for a
#    kernel a BUILD_EXCLUSIVE rule excludes, which fails the kernel package.
set -u
. "$(dirname "$0")/../lib/kernels.sh"
command -v dkms >/dev/null || { echo "ok - dkms # SKIP dkms not installed"; exit 0; }
ver=$(cat "$APFINT_TOP/VERSION")

t=$(mktemp -d /tmp/apfint-dkms.XXXXXX)
trap 'rm -rf "$t"' EXIT
src=$t/src/apfint-$ver
mkdir -p "$src"
cp -r "$APFINT_TOP"/{host_kmod,guest_kmod,include,Makefile,VERSION,dkms.conf} "$src/"

# --no-depmod: the throwaway install tree is not /lib/modules.
args=(--dkmstree "$t/tree" --sourcetree "$t/src" --installtree "$t/install" --no-depmod)
mkdir -p "$t/tree" "$t/install"
if dkms add -m apfint -v "$ver" "${args[@]}" >"$t/add.log" 2>&1; then
	echo "ok - dkms/add"
else
	echo "not ok - dkms/add"
	sed 's/^/#   /' "$t/add.log"
	exit 0
fi

# is_refusal KO: true when KO is the refusal-only build (refuse.c).
is_refusal() {
	nm "$1" 2>/dev/null | grep -q ' apfint_refuse_init$'
}

# check_modules DIR HOST GUEST: apfint_host and apfint_guest are in DIR,
# each the real module (real) or a refusal only (refusal) as asked.
check_modules() {
	local dir=$1 m ko want bad=
	shift
	for m in apfint_host apfint_guest; do
		want=$1
		shift
		ko=$(ls "$dir/$m.ko"* 2>/dev/null | head -n 1)
		case $ko in *.xz) xz -dkc "$ko" >"$t/$m.ko" && ko=$t/$m.ko ;; esac
		if [ -z "$ko" ]; then
			bad="$bad $m:missing"
		elif is_refusal "$ko"; then
			[ "$want" = refusal ] || bad="$bad $m:refusal"
		else
			[ "$want" = real ] || bad="$bad $m:real"
		fi
	done
	[ -z "$bad" ] || { echo "$bad"; return 1; }
}

# sandboxed REL BUILD MODDIR CMD...: runs CMD as root does on a system
# where apfint is registered with DKMS (dkms add) and kernel REL (headers
# at BUILD, its modules at MODDIR) is being installed, in a private mount
# namespace over throwaway copies.  Prints CMD's output and its exit code
# on the last line ("rc N"), then the files dkms installed ("installed F").
sandboxed() {
	local rel=$1 build=$2 moddir=$3
	shift 3
	unshare -m --propagation private bash -s "$t" "$ver" "$rel" "$build" \
		"$moddir" "$@" <<'SANDBOX'
set -u
t=$1 ver=$2 rel=$3 build=$4 moddir=$5
shift 5
s=$(mktemp -d "$t/ns.XXXXXX")
mkdir -p "$s/kmods" "$s/conf.d"
mount --bind "$moddir" "$s/kmods" || exit 1
cp -a /etc/dkms/framework.conf.d/. "$s/conf.d/" 2>/dev/null
echo "source_tree=\"$t/src\"" >"$s/conf.d/zz-apfint-test.conf"
mount --bind "$s/conf.d" /etc/dkms/framework.conf.d || exit 1
mount -t tmpfs apfint-dkms /var/lib/dkms || exit 1
mount -t tmpfs apfint-modules /lib/modules || exit 1
mkdir -p "/lib/modules/$rel"
ln -s "$build" "/lib/modules/$rel/build"
ln -s "$s/kmods/kernel" "/lib/modules/$rel/kernel"
cp "$s"/kmods/modules.{order,builtin,builtin.modinfo} "/lib/modules/$rel/" 2>/dev/null
dkms add -m apfint -v "$ver" >/dev/null 2>&1 || { echo "dkms add failed"; echo "rc 99"; exit 0; }
"$@" 2>&1
echo "rc $?"
find "/lib/modules/$rel/updates" -name 'apfint_*' -printf 'installed %p\n' 2>/dev/null
# check_modules needs the files after the namespace is gone.
mkdir -p "$s/out"
cp /lib/modules/"$rel"/updates/dkms/apfint_* "$s/out/" 2>/dev/null
echo "out $s/out"
SANDBOX
}

# kernel_install_test K NAME CMD...: the kernel-install case NAME; the
# modules must come out as $want (check_modules' HOST GUEST).
kernel_install_test() {
	local k=$1 name=$2 out rc bad
	shift 2
	out=$(sandboxed "$KREL" "$KBUILD" "$KMODDIR" "$@")
	rc=$(echo "$out" | sed -n 's/^rc //p' | tail -n 1)
	# shellcheck disable=SC2086  # $want is two words, HOST GUEST
	if [ "$rc" != 0 ]; then
		echo "not ok - dkms/$k/$name (exit ${rc:-none}, want 0)"
		echo "$out" | tail -n 15 | sed 's/^/#   /'
	elif ! bad=$(check_modules "$(echo "$out" | sed -n 's/^out //p')" $want); then
		echo "not ok - dkms/$k/$name (exit 0, but$bad; want $want)"
		echo "$out" | tail -n 15 | sed 's/^/#   /'
	else
		echo "ok - dkms/$k/$name (exit 0, installed: $want)"
	fi
}

for k in debian-6.1 $(cached_kernels); do
	if ! kernel_resolve "$k" || [ -z "$KBUILD" ]; then
		echo "ok - dkms/$k # SKIP ${KMISSING:-$k: no build tree}"
		continue
	fi
	# What each module must be, host then guest.
	want="refusal refusal"
	kernel_is_before "$k" 5.9 && want="refusal real"
	kernel_is_before "$k" 5.8 && want="real real"
	if ! command -v unshare >/dev/null; then
		echo "ok - dkms/$k/kernel-postinst # SKIP no unshare (util-linux)"
	elif [ -x /etc/kernel/postinst.d/dkms ]; then
		kernel_install_test "$k" kernel-postinst \
			/etc/kernel/postinst.d/dkms "$KREL" "$KVMLINUZ"
	else
		echo "ok - dkms/$k/kernel-postinst # SKIP no /etc/kernel/postinst.d/dkms (not Debian's dkms)"
	fi
	command -v unshare >/dev/null &&
		kernel_install_test "$k" autoinstall dkms autoinstall -k "$KREL"

	mods=$t/tree/apfint/$ver/$KREL/x86_64/module
	# shellcheck disable=SC2086  # $want is two words, HOST GUEST
	if dkms build -m apfint -v "$ver" -k "$KREL" --kernelsourcedir "$KBUILD" \
		"${args[@]}" >"$t/build-$k.log" 2>&1 && bad=$(check_modules "$mods" $want); then
		echo "ok - dkms/$k/build (host, guest: $want)"
	else
		echo "not ok - dkms/$k/build (want host, guest: $want:${bad:- build failed})"
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

done

# An old version string whose headers carry the feature (an enterprise
# backport): the headers must win over the version.
if kernel_resolve debian-6.1 && [ -n "$KBUILD" ]; then
	rel=5.4.0-apfint-backport
	mods=$t/tree/apfint/$ver/$rel/x86_64/module
	if dkms build -m apfint -v "$ver" -k $rel --kernelsourcedir "$KBUILD" \
		"${args[@]}" >"$t/backport.log" 2>&1 && bad=$(check_modules "$mods" refusal refusal); then
		echo "ok - dkms/backported-headers/refusal-only (a 5.4 version with 6.1 headers)"
	else
		echo "not ok - dkms/backported-headers/refusal-only (${bad:-build failed})"
		tail -n 10 "$t/backport.log" | sed 's/^/#   /'
	fi
fi
