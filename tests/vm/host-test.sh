#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tests/vm/host-test.sh K [GUEST]: builds apfint_host for kernel K, boots K
# as L1 with it and GUEST (default Debian 6.1) as L2 under memory pressure,
# and runs host-l1.sh (5.9+ guest: interrupt delivery) or host-legacy-l1.sh
# (older guest: legacy delivery) with host-l2.sh.  Prints TAP lines.  The
# vm tier runs it on the newest cached 5.4: Debian 6.1 guest, the same with
# KILL_L2=1, and the 5.4 itself as the legacy guest.
# Environment: L2_SMP=N vCPUs for L2; KILL_L2=1 SIGKILLs L2's QEMU in the
# middle of the workload and checks that teardown leaves nothing behind.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/build.sh"
. "$here/../lib/tap.sh"
k=${1:?usage: host-test.sh KERNEL [GUEST]}
guest=${2:-debian-6.1}
l1=host-l1.sh
kernel_is_before "$guest" 5.9 && l1=host-legacy-l1.sh
name=vm/$k/host-check-$guest
[ "${L2_SMP:-1}" != 1 ] && name=$name-smp$L2_SMP
[ "${KILL_L2:-0}" = 1 ] && name=$name-kill
work=$APFINT_OUT/$name
rm -rf "$work"
mkdir -p "$work/l1" "$work/l2"
build_modules "$k"
rc=$?
if [ $rc = 77 ]; then
	echo "ok - $name # SKIP $KMISSING"
	exit 0
elif [ $rc != 0 ]; then
	build_fail "$name/build" "$MODDIR"
	exit 0
fi
cp "$MODDIR/host_kmod/apfint_host.ko" "$work/l1/"
# Under a legacy guest the module is loaded and cycled while the workload
# faults, then watched: the guest must still be running by then.
passes=2
[ $l1 = host-legacy-l1.sh ] && passes=5
bin=$(payload_prog touch) || exit 1
cp "$bin" "$work/l2/touch"
"$APFINT_TOP/tests/harness/vm" --host "$k" --guest "$guest" --ours l1 \
	--set L2_SMP="${L2_SMP:-1}" --set KILL_L2="${KILL_L2:-0}" \
	--set TOUCH_PASSES=$passes \
	--l1 "$here/$l1" --l2 "$here/host-l2.sh" \
	--payload "$work/l1" --l2-payload "$work/l2" --swap 2048 \
	--timeout "${VM_TIMEOUT:-900}" --log "$work/console.log" >"$work/out"
rc=$?
# A killed L2 cannot finish its script; that alone is the expected outcome.
if [ "${KILL_L2:-0}" = 1 ] && [ $rc = 1 ] &&
   grep -q '^HARNESS problem after [0-9]*s: L2 never finished its script (' "$work/out"; then
	sed -i 's/^HARNESS problem \(after [0-9]*s\): L2 never finished its script/HARNESS ok \1, L2 killed on purpose/' "$work/out"
	rc=0
fi
grep -E '^(RESULT|METRIC|HARNESS|#)' "$work/out" | sed 's/^/# /'
harness_to_tap "$name" $rc "$work/out"
