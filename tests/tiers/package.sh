#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Package tier: what an admin installs.
#  - apfint-status on fixture debugfs files (table and --json);
#  - make rpm, and its file list;
#  - make deb, lintian, then the .deb installed, upgraded and purged in a
#    Debian 12 root (debootstrap, kept under build/) with Debian's 6.1
#    headers and every cached old kernel's build tree visible, checking
#    what DKMS built for each kernel and that nothing is left behind.
set -u
. "$(dirname "$0")/../lib/kernels.sh"
out=$APFINT_OUT/package
fix=$APFINT_TOP/tests/package/fixtures
ver=$(cat "$APFINT_TOP/VERSION")
rm -rf "$out"
mkdir -p "$out"

# ---- apfint-status ----
status=$APFINT_TOP/tools/apfint-status
if APFINT_DEBUGFS=$fix/debugfs APFINT_SYSMODULE=$fix/sysmodule "$status" \
	>"$out/status.txt" 2>&1 && cmp -s "$out/status.txt" "$fix/status.txt"; then
	echo "ok - package/status/table"
else
	echo "not ok - package/status/table (differs from tests/package/fixtures/status.txt)"
	diff "$fix/status.txt" "$out/status.txt" | head -n 20 | sed 's/^/#   /'
fi
# The JSON must carry what the debugfs files say, column by column.
if APFINT_DEBUGFS=$fix/debugfs APFINT_SYSMODULE=$fix/sysmodule "$status" --json \
	>"$out/status.json" 2>&1 &&
	python3 - "$out/status.json" "$fix/debugfs" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
assert "\n" not in text.strip() and " " not in text, "one line of single words"
doc = json.load(open(sys.argv[1]))
rows = [l.split() for l in open(sys.argv[2] + "/apfint_host/vcpus")]
col = {n: i for i, n in enumerate(rows[0])}
got = doc["host"]["vcpus"]
assert len(got) == len(rows) - 1, "one entry per vcpus row"
for r, g in zip(rows[1:], got):
    assert g["vmm_pid"] == int(r[col["pid"]])
    assert g["injected"] == int(r[col["delivered"]])
    assert g["acked"] == int(r[col["acks"]])
    assert g["pending"] == (r[col["mode"]] == "pending")
assert doc["host"]["irqs_injected"] == int(open(sys.argv[2] + "/apfint_host/irqs_injected").read())
cpus = [dict(kv.split("=") for kv in l.split()) for l in open(sys.argv[2] + "/apfint_guest/stats") if l.startswith("cpu=")]
assert [c["cpu"] for c in doc["guest"]["cpus"]] == [int(c["cpu"]) for c in cpus]
assert [c["handled"] for c in doc["guest"]["cpus"]] == [int(c["irqs"]) for c in cpus]
PY
then
	echo "ok - package/status/json"
else
	echo "not ok - package/status/json"
	head -c 600 "$out/status.json" | sed 's/^/#   /'
fi
APFINT_DEBUGFS=$out/empty-debugfs "$status" >"$out/none.txt" 2>&1
if [ $? = 1 ] && grep -q 'not mounted' "$out/none.txt"; then
	echo "ok - package/status/no-debugfs ($(head -n 1 "$out/none.txt"))"
else
	echo "not ok - package/status/no-debugfs"
fi

# ---- make rpm ----
if ! command -v rpmbuild >/dev/null; then
	echo "ok - package/rpm # SKIP rpmbuild not installed (Debian package rpm)"
elif make -C "$APFINT_TOP" -s rpm >"$out/rpm.log" 2>&1; then
	rpm=$APFINT_TOP/build/pkg/rpm/RPMS/noarch/apfint-dkms-$ver-1.noarch.rpm
	echo "ok - package/rpm/build ($(basename "$rpm"))"
	rpm -qlp "$rpm" >"$out/rpm.files" 2>/dev/null
	missing=
	for f in /usr/src/apfint-$ver/dkms.conf /usr/src/apfint-$ver/host_kmod/Kbuild \
		/usr/src/apfint-$ver/guest_kmod/Kbuild /usr/src/apfint-$ver/include/apfint_abi.h \
		/usr/sbin/apfint-status /usr/lib/modules-load.d/apfint.conf \
		/usr/lib/modprobe.d/apfint.conf; do
		grep -qx "$f" "$out/rpm.files" || missing="$missing $f"
	done
	grep -q '\.o$\|\.ko$\|/tests/' "$out/rpm.files" && missing="$missing (build outputs or tests)"
	scripts=$(rpm -qp --scripts "$rpm" 2>/dev/null)
	echo "$scripts" | grep -q "dkms add -m apfint -v $ver" || missing="$missing %post:dkms-add"
	echo "$scripts" | grep -q "dkms remove -m apfint -v $ver --all" || missing="$missing %preun:dkms-remove"
	if [ -z "$missing" ]; then
		echo "ok - package/rpm/contents ($(wc -l <"$out/rpm.files") files, dkms add/remove scripts)"
	else
		echo "not ok - package/rpm/contents (missing:$missing)"
	fi
else
	echo "not ok - package/rpm/build"
	tail -n 15 "$out/rpm.log" | sed 's/^/#   /'
fi

# ---- make deb ----
if ! command -v dpkg-buildpackage >/dev/null || ! command -v dh_dkms >/dev/null; then
	echo "ok - package/deb # SKIP dpkg-dev, debhelper or dh-dkms not installed"
	exit 0
fi
if ! make -C "$APFINT_TOP" -s deb >"$out/deb.log" 2>&1; then
	echo "not ok - package/deb/build"
	tail -n 15 "$out/deb.log" | sed 's/^/#   /'
	exit 0
fi
deb=$APFINT_TOP/build/pkg/deb/apfint-dkms_${ver}_all.deb
echo "ok - package/deb/build ($(basename "$deb"))"
if ! command -v lintian >/dev/null; then
	echo "ok - package/deb/lintian # SKIP lintian not installed"
elif lintian --pedantic "$APFINT_TOP/build/pkg/deb/apfint_${ver}_amd64.changes" \
	>"$out/lintian.log" 2>&1 && ! grep -q '^[EW]:' "$out/lintian.log"; then
	echo "ok - package/deb/lintian (no errors or warnings, pedantic)"
else
	echo "not ok - package/deb/lintian"
	grep '^[EWP]:' "$out/lintian.log" | head -n 15 | sed 's/^/#   /'
fi

# A second version, to upgrade to: the same tree with VERSION bumped.
up=$out/upgrade-src
upver=$ver+pkgtest1
mkdir -p "$up"
tar -C "$APFINT_TOP" --exclude=./build --exclude=./.git -cf - . | tar -C "$up" -xf -
echo "$upver" >"$up/VERSION"
{
	printf 'apfint (%s) unstable; urgency=medium\n\n  * Test upgrade.\n\n' "$upver"
	printf ' -- apfint tests <tests@invalid>  %s\n\n' "$(date -R)"
	cat "$APFINT_TOP/debian/changelog"
} >"$up/debian/changelog"
if make -C "$up" -s deb >"$out/deb-upgrade.log" 2>&1; then
	updeb=$up/build/pkg/deb/apfint-dkms_${upver}_all.deb
else
	updeb=
	echo "not ok - package/deb/build-upgrade"
	tail -n 10 "$out/deb-upgrade.log" | sed 's/^/#   /'
fi

# The Debian 12 root: made once with debootstrap, reused after.
root=${APFINT_DEBROOT:-$APFINT_TOP/build/debian-12-root}
if [ ! -x "$root/usr/sbin/dkms" ]; then
	if ! command -v debootstrap >/dev/null; then
		echo "ok - package/deb/root # SKIP debootstrap not installed: no Debian 12 root to install into"
		exit 0
	fi
	rm -rf "$root.new"
	if ! debootstrap --variant=minbase \
		--include=dkms,linux-headers-amd64,kmod,make,gcc,libc6-dev \
		bookworm "$root.new" "${APFINT_DEBIAN_MIRROR:-http://deb.debian.org/debian}" \
		>"$out/debootstrap.log" 2>&1; then
		echo "ok - package/deb/root # SKIP debootstrap of Debian 12 failed (no mirror?): $(tail -n 1 "$out/debootstrap.log")"
		exit 0
	fi
	mv "$root.new" "$root"
fi

# What each kernel visible in the root must get, as "host guest".
kernels=() wants=() builds=()
for d in "$root"/lib/modules/*/; do
	# The build link is absolute, inside the root.
	[ -e "$root$(readlink "$d/build")/Makefile" ] || continue
	kernels+=("$(basename "$d")") wants+=("refusal refusal") builds+=("")
done
for k in $(cached_kernels); do
	if ! kernel_resolve "$k" || [ -z "$KBUILD" ] || ! kernel_is_before "$k" 5.8; then
		continue
	fi
	kernels+=("$KREL") wants+=("real real") builds+=("$(readlink -f "$KBUILD")")
done

if [ ${#kernels[@]} = 0 ]; then
	echo "not ok - package/deb/install (no kernel headers in $root: nothing to build for)"
	exit 0
fi

# The build trees to bind in, as "release=tree" words (no empty ones, so
# that the list splits back into what it was).
binds=
for i in "${!kernels[@]}"; do
	[ -n "${builds[$i]}" ] && binds="$binds ${kernels[$i]}=${builds[$i]}"
done

# in_root SCRIPT: runs SCRIPT (bash) chrooted in a throwaway overlay over
# the root, with the cached kernels' build trees bound in and the two
# packages in /tmp; each test then reads its own lines from the output.
in_root() {
	unshare -m --propagation private bash -s "$root" "$out/ov" "$deb" \
		"${updeb:-none}" "$binds" <<SCRIPT
set -u
root=\$1 ov=\$2 deb=\$3 updeb=\$4
rm -rf "\$ov"; mkdir -p "\$ov/up" "\$ov/work" "\$ov/m"
mount -t overlay apfint-root -o "lowerdir=\$root,upperdir=\$ov/up,workdir=\$ov/work" "\$ov/m" || exit 1
mount -t proc proc "\$ov/m/proc"
for kb in \$5; do
	mkdir -p "\$ov/m/lib/modules/\${kb%%=*}/build"
	mount --bind "\${kb#*=}" "\$ov/m/lib/modules/\${kb%%=*}/build" || exit 1
done
cp "\$deb" "\$ov/m/tmp/"
mkdir -p "\$ov/m/tmp/src"
tar -C "$APFINT_TOP" -cf - Makefile VERSION dkms.conf host_kmod guest_kmod include tools packaging |
	tar -C "\$ov/m/tmp/src" -xf -
[ "\$updeb" = none ] || cp "\$updeb" "\$ov/m/tmp/"
chroot "\$ov/m" /bin/bash -s <<'IN'
$(cat)
IN
SCRIPT
}

# The whole life of the package in one root: install, kernel hook,
# upgrade, purge.  Each step prints "STEP name rc" and what it left.
life=$(in_root 2>&1 <<'LIFE'
report() {
	echo "DKMS $(dkms status 2>/dev/null | tr '\n' ';')"
	for ko in /lib/modules/*/updates/dkms/apfint_*.ko*; do
		[ -e "$ko" ] || continue
		if nm "$ko" 2>/dev/null | grep -q ' apfint_refuse_init$'; then
			echo "KO $ko refusal"
		else
			echo "KO $ko real"
		fi
		modinfo -F parm "$ko" 2>/dev/null | sed "s|^|PARM $ko |"
	done
	ls -d /usr/src/apfint-* /var/lib/dkms/apfint /usr/sbin/apfint-status /usr/local/sbin/apfint-status \
		/usr/lib/modules-load.d/apfint.conf /usr/lib/modprobe.d/apfint.conf 2>/dev/null |
		sed 's/^/LEFT /'
}
dpkg -i /tmp/apfint-dkms_*_all.deb >/tmp/install.log 2>&1
echo "STEP install $?"
report
for k in /lib/modules/*/; do
	k=$(basename "$k")
	[ -e "/lib/modules/$k/build/Makefile" ] || continue
	/etc/kernel/postinst.d/dkms "$k" >/tmp/hook.log 2>&1
	echo "HOOK $k $?"
done
up=$(ls /tmp/apfint-dkms_*pkgtest1*_all.deb 2>/dev/null)
if [ -n "$up" ]; then
	dpkg -i "$up" >/tmp/upgrade.log 2>&1
	echo "STEP upgrade $?"
	report
fi
dpkg --purge apfint-dkms >/tmp/purge.log 2>&1
echo "STEP purge $?"
report
# A checkout, by hand: make install and make dkms-install, for the first
# old kernel whose tree is bound in.
old=$(for k in /lib/modules/*/; do k=$(basename "$k"); mountpoint -q "/lib/modules/$k/build" && echo "$k"; done | head -n 1)
if [ -n "$old" ]; then
	make -C /tmp/src install KDIR="/lib/modules/$old/build" >/tmp/make-install.log 2>&1
	echo "STEP make-install $? $old"
	ls /lib/modules/"$old"/updates/apfint_*.ko /usr/local/sbin/apfint-status 2>/dev/null | sed 's/^/LEFT /'
	rm -f /lib/modules/"$old"/updates/apfint_*.ko /usr/local/sbin/apfint-status
	make -C /tmp/src dkms-install KVER="$old" >/tmp/dkms-install.log 2>&1
	echo "STEP dkms-install $? $old"
	report
	make -C /tmp/src dkms-uninstall >/tmp/dkms-uninstall.log 2>&1
	echo "STEP dkms-uninstall $?"
	report
fi
tail -n 5 /tmp/install.log | sed 's/^/LOG install: /'
LIFE
)
echo "$life" >"$out/life.log"

# step NAME: the section of the life log after "STEP NAME".
step() {
	echo "$life" | awk -v s="$1" '$1 == "STEP" { on = ($2 == s) } on'
}
step_rc() { step "$1" | sed -n "s/^STEP $1 //p"; }

# check_built NAME VERSION: after step NAME, every kernel has VERSION
# installed with the modules it must get.
check_built() {
	local name=$1 v=$2 sec i k bad=
	sec=$(step "$name")
	for i in "${!kernels[@]}"; do
		k=${kernels[$i]}
		echo "$sec" | grep -q "^DKMS .*apfint/$v, $k, x86_64: installed" || bad="$bad $k:not-installed"
		read -r wh wg <<<"${wants[$i]}"
		echo "$sec" | grep -q "^KO /lib/modules/$k/updates/dkms/apfint_host.ko.* $wh$" || bad="$bad $k:host-not-$wh"
		echo "$sec" | grep -q "^KO /lib/modules/$k/updates/dkms/apfint_guest.ko.* $wg$" || bad="$bad $k:guest-not-$wg"
	done
	echo "$bad"
}

# What users load has no testing-only parameter (test builds add them).
parms=$(step install | grep '^PARM .*test' | sed 's/^PARM //')
if [ -z "$parms" ] && step install | grep -q '^KO .* real$'; then
	echo "ok - package/deb/no-test-parameters (the real modules DKMS built have none)"
elif [ -n "$parms" ]; then
	echo "not ok - package/deb/no-test-parameters ($parms)"
else
	echo "ok - package/deb/no-test-parameters # SKIP no old kernel in the cache: only refusals were built"
fi

if [ "$(step_rc install)" != 0 ]; then
	echo "not ok - package/deb/install (dpkg -i exit $(step_rc install))"
	echo "$life" | grep '^LOG' | sed 's/^/#   /'
else
	bad=$(check_built install "$ver")
	desc=$(for i in "${!kernels[@]}"; do printf '%s: %s; ' "${kernels[$i]}" "${wants[$i]}"; done)
	if [ -z "$bad" ]; then
		echo "ok - package/deb/install (${desc% })"
	else
		echo "not ok - package/deb/install (want ${desc% } got:$bad)"
		step install | head -n 12 | sed 's/^/#   /'
	fi
	hooks=$(echo "$life" | sed -n 's/^HOOK //p' | tr '\n' ' ')
	if [ -n "$hooks" ] && ! echo "$life" | grep -q '^HOOK .* [1-9][0-9]*$'; then
		echo "ok - package/deb/kernel-postinst (exit per kernel: $hooks)"
	else
		echo "not ok - package/deb/kernel-postinst (exit per kernel: ${hooks:-none})"
	fi
fi
if [ -n "${updeb:-}" ]; then
	bad=$(check_built upgrade "$upver")
	step upgrade | grep -q "^DKMS .*apfint/$ver," && bad="$bad old-version-still-registered"
	step upgrade | grep -q "^LEFT /usr/src/apfint-$ver\$" && bad="$bad old-sources-left"
	if [ "$(step_rc upgrade)" = 0 ] && [ -z "$bad" ]; then
		echo "ok - package/deb/upgrade ($ver -> $upver rebuilt for ${#kernels[@]} kernels)"
	else
		echo "not ok - package/deb/upgrade (exit $(step_rc upgrade);$bad)"
	fi
fi
left=$(step purge | grep -E '^(LEFT|KO|DKMS .*apfint)' | tr '\n' ' ')
if [ "$(step_rc purge)" = 0 ] && [ -z "$left" ]; then
	echo "ok - package/deb/purge (nothing left in /usr/src, /var/lib/dkms, /lib/modules)"
else
	echo "not ok - package/deb/purge (exit $(step_rc purge); left: $left)"
fi

# make install and make dkms-install from a checkout.
if [ -z "$(step_rc make-install)" ]; then
	echo "ok - package/make-install # SKIP no old kernel in the cache to install for"
else
	read -r rc k <<<"$(step_rc make-install)"
	n=$(step make-install | grep -c "^LEFT /lib/modules/$k/updates/apfint_\(host\|guest\).ko$")
	if [ "$rc" = 0 ] && [ "$n" = 2 ] && step make-install | grep -q '^LEFT /usr/local/sbin/apfint-status$'; then
		echo "ok - package/make-install (both modules in /lib/modules/$k/updates, apfint-status in /usr/local/sbin)"
	else
		echo "not ok - package/make-install (exit $rc, $n modules)"
	fi
	read -r rc k <<<"$(step_rc dkms-install)"
	if [ "$rc" = 0 ] && step dkms-install | grep -q "^DKMS .*apfint/$ver, $k, x86_64: installed"; then
		echo "ok - package/dkms-install (apfint/$ver installed for $k)"
	else
		echo "not ok - package/dkms-install (exit $rc)"
		step dkms-install | head -n 5 | sed 's/^/#   /'
	fi
	left=$(step dkms-uninstall | grep -E '^(LEFT|KO|DKMS .*apfint)' | tr '\n' ' ')
	if [ "$(step_rc dkms-uninstall)" = 0 ] && [ -z "$left" ]; then
		echo "ok - package/dkms-uninstall (nothing left)"
	else
		echo "not ok - package/dkms-uninstall (exit $(step_rc dkms-uninstall); left: $left)"
	fi
fi
