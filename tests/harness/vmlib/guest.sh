# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash  # busybox sh, in the VM
# apfint_guest helpers for scripts inside an L2 VM (busybox sh), packed
# by the harness as /lib/apfint/guest.sh.  Counters
# die with the module, so a script that unloads it banks them first;
# guest_sum adds the banked values to the live ones.

. /lib/apfint/common.sh

G=/sys/kernel/debug/apfint_guest
GUEST_BANK=/tmp/apfint_guest.bank
GUEST_COUNTERS="irqs wakes wake_alls acks spurious late enables disables drained"
GUEST_KO=${GUEST_KO:-/payload/apfint_guest.ko}

# guest_live NAME: the loaded module's counter, 0 when not loaded.
guest_live() {
	cat "$G/$1" 2>/dev/null || echo 0
}

# guest_banked NAME: what unloaded instances counted.
guest_banked() {
	awk -v n="$1" '$1 == n { print $2; f = 1 } END { if (!f) print 0 }' \
		"$GUEST_BANK" 2>/dev/null || echo 0
}

# guest_sum NAME: every instance together.
guest_sum() {
	echo $(( $(guest_banked "$1") + $(guest_live "$1") ))
}

# guest_bank: folds the live counters into the bank (just before rmmod).
guest_bank() {
	local c
	for c in $GUEST_COUNTERS; do
		echo "$c $(guest_sum "$c")"
	done >"$GUEST_BANK.new"
	mv "$GUEST_BANK.new" "$GUEST_BANK"
}

# guest_counts: every summed counter as " name=value..." (for a METRIC
# line).
guest_counts() {
	local c line=
	for c in $GUEST_COUNTERS; do
		line="$line $c=$(guest_sum "$c")"
	done
	echo "$line"
}

# guest_unload: banks the counters, then removes the module.  An open
# debugfs file (another script reading stats) holds a reference and makes
# rmmod fail with EAGAIN for a moment: retry.
guest_unload() {
	local i=0
	guest_bank
	while ! rmmod apfint_guest 2>/dev/null; do
		i=$((i + 1))
		if [ $i -ge 20 ]; then
			rmmod apfint_guest
			return
		fi
		sleep 0.2
	done
}

# guest_load: inserts the module; its log lines go to the console.
guest_load() {
	insmod "$GUEST_KO"
}

# guest_all_active: true when every online CPU is in interrupt mode.
guest_all_active() {
	[ -r "$G/stats" ] || return 1
	! grep -q '^cpu=.* online=1 active=0' "$G/stats"
}

# workload_running: true while the touch workload runs.
workload_running() {
	pidof touch >/dev/null 2>&1
}

# wait_workload_start [SECONDS]: waits for the touch workload to appear.
wait_workload_start() {
	local i=0
	while ! workload_running && [ $i -lt "${1:-30}" ]; do
		sleep 1
		i=$((i + 1))
	done
	workload_running
}
