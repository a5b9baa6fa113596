#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# VM tier: the native Debian 6.1 reference (integration, conformance), then
# for every cached kernel:
#  - as L1 (before 5.8): a smoke run with apfint_host (L2 Debian 6.1): it
#    loads and unloads, or refuses cleanly on a kernel it is not verified
#    on; where it loaded, the conformance probe and the integration run
#    (delivery counts, none lost);
#  - as L2 (before 5.9): tests/vm/guest-test.sh on Debian 6.1 (the gap
#    without apfint_guest, then delivery with it under CPU hotplug and a
#    reload during the workload, a clean unload with hung-task detection
#    armed, power-off with it loaded; the kvm_intel fallback on the 5.4).
# For the newest cached 5.4 also the guest module's refusals and both
# modules together (on that 5.4 with apfint_host).  The both-modules runs
# of the other guests are the guest-matrix tier (make guest-matrix).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../harness/lib.sh"
. "$here/report.sh"

HOST=debian-6.1 GUEST=debian-6.1 "$here/integration.sh"
"$here/conformance.sh"

# host_smoke K: K as L1 with apfint_host, L2 Debian 6.1.  Sets
# SMOKE_REFUSED to the module's refusal when it declined to load.
host_smoke() {
	local k=$1 name=vm/$1/host-smoke work rc
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
	cp "$work/mod/host_kmod/apfint_host.ko" "$work/payload/"
	# A boot prints all along: a minute and a half of silence is a frozen
	# emulation, boot again.
	APFINT_STALL_SECS=${APFINT_STALL_SECS:-90} \
	APFINT_STALL_RETRIES=${APFINT_STALL_RETRIES:-2} \
	"$APFINT_TOP/tests/harness/vm" --host "$k" --guest debian-6.1 \
		--payload "$work/payload" --l1 "$APFINT_TOP/tests/vm/smoke.sh" \
		--l2 "$APFINT_TOP/tests/vm/smoke.sh" --timeout 600 \
		--log "$work/console.log" >"$work/out"
	rc=$?
	report_harness "$name" $rc "$work/out"
	SMOKE_REFUSED=$(sed -n "s/^RESULT apfint_host-load skip //p" "$work/out")
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
	if kernel_is_before "$k" 5.8; then
		host_smoke "$k"
		if [ -n "$SMOKE_REFUSED" ]; then
			echo "ok - conformance/$k # SKIP apfint_host: $SMOKE_REFUSED"
			echo "ok - integration/$k-debian-6.1 # SKIP apfint_host: $SMOKE_REFUSED"
		else
			HOST=$k "$here/conformance.sh"
			HOST=$k GUEST=debian-6.1 "$here/integration.sh"
		fi
	fi
	kernel_is_before "$k" 5.9 || continue
	# The kvm_intel fallback once, on the 5.4 guest.
	FALLBACK=$([ "$k" = "$both_host" ] && echo yes || echo no) \
	RELOAD_CYCLES=1 VM_TIMEOUT=1200 \
		"$APFINT_TOP/tests/vm/guest-test.sh" "$k" debian-6.1
done
if [ -n "$both_host" ]; then
	"$APFINT_TOP/tests/vm/guest-refuse.sh" "$both_host" debian-6.1
	FALLBACK=no RELOAD_CYCLES=1 VM_TIMEOUT=1200 \
		"$APFINT_TOP/tests/vm/guest-test.sh" "$both_host" "$both_host"
fi
