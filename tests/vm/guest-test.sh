#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tests/vm/guest-test.sh [GUEST [HOST]]: apfint_guest end to end.  GUEST
# (default 5.4.286) runs as L2 with 2 vCPUs on HOST (default debian-6.1, a
# kernel that requires interrupt delivery) under memory pressure; one boot
# runs the phases of guest-l2.sh.  A HOST without the feature (a cached
# kernel before 5.8) runs apfint_host.ko in L1: both modules together.
# Prints TAP lines ("ok - name") like the tiers.  Settings: HOTPLUG_CYCLES
# RELOAD_CYCLES NOMOD NOMOD_HOTPLUG FALLBACK TOUCH_MIB TOUCH_PASSES L2_SMP CGROUP_MAX
# VM_TIMEOUT.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/build.sh"
GUEST=${1:-${GUEST:-5.4.286}} HOST=${2:-${HOST:-debian-6.1}}
name=guest-vm/$HOST-$GUEST
work=$APFINT_OUT/$name

kernels_or_skip "$name" "$HOST" "$GUEST" || exit 0
rm -rf "$work"
mkdir -p "$work/l1" "$work/l2"

if ! build_modules "$GUEST"; then
	build_fail "$name/build" "$MODDIR"
	exit 0
fi
cp "$MODDIR/guest_kmod/apfint_guest.ko" "$APFINT_TOP/tools/apfint-status" "$work/l2/"
host_ko=
if kernel_is_before "$HOST" 5.8; then
	if ! build_modules "$HOST"; then
		build_fail "$name/build-host" "$MODDIR"
		exit 0
	fi
	host_ko=$MODDIR/host_kmod/apfint_host.ko
	cp "$host_ko" "$work/l1/"
fi
if build_fake_kvm_intel "$GUEST"; then
	cp "$FAKE_KO" "$work/l2/"
else
	echo "not ok - $name/build-fake-kvm-intel"
	tail -n 5 "${FAKE_KO%/*}/build.log" | sed 's/^/#   /'
fi
if ! bin=$(payload_prog touch); then
	echo "not ok - $name/workload-build"
	exit 0
fi
cp "$bin" "$work/l2/touch"
cp "$here/guest-during-hotplug.sh" "$here/guest-during-reload.sh" \
	"$here/guest-during-progress.sh" "$work/l2/"

# Every phase prints at least every 30 s (guest-during-progress.sh), so
# two minutes of silence is a frozen emulation: boot again, three times at
# most (an old L1 under load freezes its L2 about one boot in four).
# The harness's retry policy knows where a module of ours runs: L2 only
# on a stock L1, both levels (L1 decides) with apfint_host.
ours=l2
[ -z "$host_ko" ] || ours=l1
run_vm() {
	"$APFINT_TOP/tests/harness/vm" --host "$HOST" --guest "$GUEST" \
		--ours $ours --stall 120 \
		--set CGROUP_MAX="${CGROUP_MAX:-250M}" --set L2_MEM="${L2_MEM:-512}" \
		--set L2_SMP="${L2_SMP:-2}" --set L2_CPU="${L2_CPU:-host}" \
		--set TOUCH_MIB="${TOUCH_MIB:-300}" --set TOUCH_PASSES="${TOUCH_PASSES:-1}" \
		--set HOTPLUG_CYCLES="${HOTPLUG_CYCLES:-50}" \
		--set RELOAD_CYCLES="${RELOAD_CYCLES:-3}" --set NOMOD="${NOMOD:-yes}" \
		--set NOMOD_HOTPLUG="${NOMOD_HOTPLUG:-no}" --set FALLBACK="${FALLBACK:-yes}" \
		--set HOST_MODULE_ARGS="${HOST_MODULE_ARGS:-}" \
		--l1 "$here/guest-l1.sh" --l2 "$here/guest-l2.sh" \
		--payload "$work/l1" --l2-payload "$work/l2" --swap 2048 \
		--timeout "${VM_TIMEOUT:-1800}" --log "$work/console.log" >"$work/out"
}
run_vm
rc=$?
# On a stock L1, no boot got L2 as far as its script (every one froze, or
# ended, in the guest kernel's own early boot, before apfint_guest was
# loaded) and no kernel reported a problem: nothing of ours ran, so there
# is no verdict.  Say so loudly, with where the CPUs were.  A boot that
# reached the script is judged, whatever happened after, and so is every
# run with apfint_host in L1.
if [ $rc != 0 ] && [ -z "$host_ko" ] &&
   ! console_lines "$work"/console.log* | grep -aq '^L2: APFINT-START' &&
   grep -q '^HARNESS \(timeout after\|problem after [0-9]*s: L2 ended before its script\)' "$work/out" &&
   ! grep -q '^HARNESS problem: ' "$work/out"; then
	echo "ok - $name # SKIP the $GUEST L2 never reached its script in $(ls "$work"/console.log* | wc -l) boot(s): frozen in early boot by the emulation ($(console_lines "$work"/console.log* | grep -a '^HARNESS cpu: RIP=.* in ' | sed 's/^HARNESS cpu: //' | sort -u | tr '\n' ' ')); logs $work/console.log*"
	exit 0
fi
cat >"$work/run.env" <<ENV
name=$name rc=$rc host_ko=$host_ko L2_SMP=${L2_SMP:-2}
ENV
exec "$here/guest-judge.sh" "$work"
