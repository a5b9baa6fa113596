#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# VM tier: the native Debian 6.1 reference (integration, conformance), then
# for every cached kernel before 5.9 as L2 a smoke run with apfint_guest
# (it boots, loads and unloads), and for every one before 5.8 as L1 a smoke
# run with apfint_host (L2 Debian 6.1): it loads and unloads, or refuses
# cleanly on a kernel it is not verified on; where it loaded, the
# conformance probe and the integration run (delivery counts, none lost).
# apfint_guest end to end (tests/vm/guest-test.sh) runs here on one guest,
# the newest cached 5.4: on Debian 6.1 (the gap, hotplug, reload, the
# kvm_intel fallback, unload, power-off), its refusals, and both modules
# together on that 5.4.  Every other cached guest kernel's end-to-end run
# is the guest-matrix tier (make guest-matrix): in 2026-11-26's runs an L2
# on a 6.1 L1 ended without a word during CPU hotplug (4.14, 4.19, 5.4,
# 5.8; stock code too, see guest_kmod/README.md), and each such end costs
# the run a boot.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../harness/lib.sh"
. "$here/report.sh"

HOST=debian-6.1 GUEST=debian-6.1 "$here/integration.sh"
"$here/conformance.sh"

# smoke SIDE K: K as L1 with apfint_host (SIDE host, L2 Debian 6.1) or as
# L2 with apfint_guest (SIDE guest, L1 Debian 6.1): it boots, and the
# module loads and unloads.  Sets SMOKE_REFUSED to the module's refusal
# when it declined to load.
smoke() {
	local side=$1 k=$2 name=vm/$2/$1-smoke work rc
	work=$APFINT_OUT/$name
	SMOKE_REFUSED=
	rm -rf "$work"
	mkdir -p "$work/payload"
	if ! build_modules "$k" "$work/mod"; then
		echo "not ok - $name/build"
		tail -n 20 "$work/mod/build.log" | sed 's/^/#   /'
		SMOKE_REFUSED="does not build"
		return
	fi
	cp "$work/mod/${side}_kmod/apfint_$side.ko" "$work/payload/"
	if [ "$side" = host ]; then
		set -- --host "$k" --guest debian-6.1 --payload "$work/payload"
	else
		set -- --host debian-6.1 --guest "$k" --l2-payload "$work/payload"
	fi
	# A boot prints all along: a minute and a half of silence is a frozen
	# emulation (old L2s freeze in early boot now and then), boot again.
	APFINT_STALL_SECS=${APFINT_STALL_SECS:-90} \
	APFINT_STALL_RETRIES=${APFINT_STALL_RETRIES:-2} \
	"$APFINT_TOP/tests/harness/vm" "$@" \
		--l1 "$APFINT_TOP/tests/vm/smoke.sh" \
		--l2 "$APFINT_TOP/tests/vm/smoke.sh" --timeout 600 \
		--log "$work/console.log" >"$work/out"
	rc=$?
	report_harness "$name" $rc "$work/out"
	SMOKE_REFUSED=$(sed -n "s/^\(L2: \)\?RESULT apfint_$side-load skip //p" "$work/out")
	[ $rc = 0 ] || SMOKE_REFUSED=${SMOKE_REFUSED:-smoke run failed}
}

kernels=$(cached_kernels)
case " $(echo $kernels) " in
*" 5.4."*) ;;
*) echo "ok - vm/5.4 # SKIP no 5.4 kernel in $APFINT_KERNELS (see README, The kernel cache)" ;;
esac
# The host for the both-modules runs: the newest cached 5.4 (the kernel
# apfint_host is verified on).
both_host=$(echo "$kernels" | grep '^5\.4\.' | tail -n 1)
for k in $kernels; do
	# The guest end-to-end run below boots the 5.4 guest.
	if kernel_is_before "$k" 5.9 && [ "$k" != "$both_host" ]; then
		smoke guest "$k"
	fi
	kernel_is_before "$k" 5.8 || continue
	smoke host "$k"
	if [ -n "$SMOKE_REFUSED" ]; then
		echo "ok - conformance/$k # SKIP apfint_host: $SMOKE_REFUSED"
		echo "ok - integration/$k-debian-6.1 # SKIP apfint_host: $SMOKE_REFUSED"
	else
		HOST=$k "$here/conformance.sh"
		HOST=$k GUEST=debian-6.1 "$here/integration.sh"
	fi
done
if [ -n "$both_host" ]; then
	FALLBACK=yes RELOAD_CYCLES=1 VM_TIMEOUT=1200 \
		"$APFINT_TOP/tests/vm/guest-test.sh" "$both_host" debian-6.1
	"$APFINT_TOP/tests/vm/guest-refuse.sh" "$both_host" debian-6.1
	FALLBACK=no RELOAD_CYCLES=1 VM_TIMEOUT=1200 \
		"$APFINT_TOP/tests/vm/guest-test.sh" "$both_host" "$both_host"
fi
