#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# VM tier: the native Debian 6.1 reference (integration, conformance), then
# for every cached kernel a smoke run as L1 with apfint_host (L2 Debian 6.1)
# and as L2 with apfint_guest (L1 Debian 6.1).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../harness/lib.sh"
. "$here/report.sh"

HOST=debian-6.1 GUEST=debian-6.1 "$here/integration.sh"
[ -x "$APFINT_TOP/tests/vm/conformance.sh" ] &&
	"$APFINT_TOP/tests/vm/conformance.sh" debian-6.1

# smoke K LEVEL: K as L1 with apfint_host (LEVEL=host), or as L2 with
# apfint_guest (LEVEL=guest), the other level being Debian 6.1.
smoke() {
	local k=$1 level=$2 name=vm/$1/$2-smoke work rc
	work=$APFINT_OUT/$name
	rm -rf "$work"
	mkdir -p "$work/payload"
	if ! build_modules "$k" "$work/mod"; then
		echo "not ok - $name/build"
		tail -n 20 "$work/mod/build.log" | sed 's/^/#   /'
		return
	fi
	cp "$work/mod/${level}_kmod/apfint_$level.ko" "$work/payload/"
	if [ "$level" = host ]; then
		set -- --host "$k" --guest debian-6.1 --payload "$work/payload"
	else
		set -- --host debian-6.1 --guest "$k" --l2-payload "$work/payload"
	fi
	"$APFINT_TOP/tests/harness/vm" "$@" --l1 "$APFINT_TOP/tests/vm/smoke.sh" \
		--l2 "$APFINT_TOP/tests/vm/smoke.sh" --timeout 600 \
		--log "$work/console.log" >"$work/out"
	rc=$?
	report_harness "$name" $rc "$work/out"
}

kernels=$(cached_kernels)
[ -n "$kernels" ] || echo "ok - vm/old-kernels # SKIP no kernel in $APFINT_KERNELS (5.4 is the minimum: see README, Kernel cache)"
case " $(echo $kernels) " in
*" 5.4."*) ;;
*) echo "ok - vm/5.4 # SKIP no 5.4 kernel in $APFINT_KERNELS" ;;
esac
for k in $kernels; do
	kernel_is_before "$k" 5.8 && smoke "$k" host
	kernel_is_before "$k" 5.9 && smoke "$k" guest
done
