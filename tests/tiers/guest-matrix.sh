#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# guest-matrix tier: apfint_guest end to end (tests/vm/guest-test.sh) for
# every cached guest kernel before 5.9, on Debian 6.1 and, with apfint_host,
# on the newest cached 5.4 (both modules together); the kvm_intel fallback
# on the 5.4 guest.  The vm tier only boots each guest with the module.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/kernels.sh"

kernels=$(cached_kernels)
both_host=$(echo "$kernels" | grep '^5\.4\.' | tail -n 1)
[ -n "$both_host" ] ||
	echo "ok - guest-matrix/both-modules # SKIP no 5.4 kernel in $APFINT_KERNELS"
for k in $kernels; do
	kernel_is_before "$k" 5.9 || continue
	FALLBACK=$([ "$k" = "$both_host" ] && echo yes || echo no) \
	RELOAD_CYCLES=1 VM_TIMEOUT=1200 \
		"$APFINT_TOP/tests/vm/guest-test.sh" "$k" debian-6.1
	[ -n "$both_host" ] || continue
	FALLBACK=no RELOAD_CYCLES=1 VM_TIMEOUT=1200 \
		"$APFINT_TOP/tests/vm/guest-test.sh" "$k" "$both_host"
done
