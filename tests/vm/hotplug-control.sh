#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tests/vm/hotplug-control.sh [GUEST [HOST]]: the emulator's own CPU
# hotplug, with no module of ours anywhere.  GUEST (default 5.4.286) runs
# as L2 with 2 vCPUs on HOST (default debian-6.1), a user-mode loop on
# CPU 0, and offlines and onlines CPU 1 CYCLES times (default 200);
# CGROUP_MAX (default none) puts the L2 QEMU in a memory cgroup.  If L2
# dies, the harness prints both L2 CPUs' registers (APFINT_L2_DEBUG=1).
# It is the control for apfint_guest's hotplug test: "not ok" here is the
# emulator's verdict, not ours.  One boot, no retries.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/build.sh"
. "$here/../lib/tap.sh"
GUEST=${1:-${GUEST:-5.4.286}} HOST=${2:-${HOST:-debian-6.1}}
name=hotplug-control/$HOST-$GUEST
work=$APFINT_OUT/$name

kernels_or_skip "$name" "$HOST" "$GUEST" || exit 0
rm -rf "$work"
mkdir -p "$work/l1" "$work/l2"
if ! bin=$(payload_prog touch); then
	echo "not ok - $name/workload-build"
	exit 0
fi
cp "$bin" "$work/l2/touch"
"$APFINT_TOP/tests/harness/vm" --host "$HOST" --guest "$GUEST" \
	--ours none --retries 0 --stall 90 --set APFINT_L2_DEBUG=1 \
	--set CGROUP_MAX="${CGROUP_MAX:-}" --set CYCLES="${CYCLES:-200}" \
	--l1 "$here/hotplug-control.l1.sh" --l2 "$here/hotplug-control.l2.sh" \
	--payload "$work/l1" --l2-payload "$work/l2" --swap 2048 \
	--timeout "${VM_TIMEOUT:-900}" --log "$work/console.log" >"$work/out"
rc=$?
done_n=$(metric "$work/out" hotplug-control cycles)
if [ $rc = 0 ] && [ -n "$done_n" ] && [ "$done_n" = "${CYCLES:-200}" ]; then
	echo "ok - $name ($done_n CPU 1 offline/online cycles beside a user-mode loop)"
else
	last=$(console_lines "$work/console.log" | grep -a '^L2: HP ' | tail -n 1)
	echo "not ok - $name (${last:-no cycle reported}; $(grep '^HARNESS' "$work/out" | tail -n 1))"
	grep -a -m 3 'PANIC\|BUG\|RIP: ' "$work/console.log" | tr -d '\r' | sed 's/^/#   /'
	console_lines "$work/console.log" | grep -a '^L2MON RIP' | sed 's/^/#   /'
fi
