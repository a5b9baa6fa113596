#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# VM tier: the native Debian 6.1 reference (integration, conformance), then
# for every cached kernel:
#  - a smoke run as L1 with apfint_host (L2 Debian 6.1) and as L2 with
#    apfint_guest (L1 Debian 6.1): the module loads and unloads, or refuses
#    cleanly on a kernel it is not verified on;
#  - where the module loaded: the integration run for that side (delivery
#    counts, none lost).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../harness/lib.sh"
. "$here/report.sh"

HOST=debian-6.1 GUEST=debian-6.1 "$here/integration.sh"
"$here/conformance.sh"

# smoke K SIDE: K as L1 with apfint_host (SIDE=host), or as L2 with
# apfint_guest (SIDE=guest), the other level being Debian 6.1.  Sets
# SMOKE_REFUSED to the module's refusal when it declined to load.
smoke() {
	local k=$1 side=$2 name=vm/$1/$2-smoke work rc
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
	"$APFINT_TOP/tests/harness/vm" "$@" --l1 "$APFINT_TOP/tests/vm/smoke.sh" \
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
for k in $kernels; do
	if kernel_is_before "$k" 5.8; then
		smoke "$k" host
		if [ -n "$SMOKE_REFUSED" ]; then
			echo "ok - conformance/$k # SKIP apfint_host: $SMOKE_REFUSED"
			echo "ok - integration/$k-debian-6.1 # SKIP apfint_host: $SMOKE_REFUSED"
		else
			# Known flake: on 5.4 the probe's ack_rescan sometimes sees a
			# work item stuck in userfaultfd after its page was copied in
			# (with and without apfint_host's work wrapper); until that is
			# understood, conformance on old hosts runs in 'make
			# conformance HOST=<v>' only.
			echo "ok - conformance/$k # SKIP flaky on old hosts (ack_rescan: async work never completed); run make conformance HOST=$k"
			HOST=$k GUEST=debian-6.1 "$here/integration.sh"
		fi
	fi
	if kernel_is_before "$k" 5.9; then
		smoke "$k" guest
		if [ -n "$SMOKE_REFUSED" ]; then
			echo "ok - integration/debian-6.1-$k # SKIP apfint_guest: $SMOKE_REFUSED"
		else
			HOST=debian-6.1 GUEST=$k "$here/integration.sh"
		fi
	fi
done
