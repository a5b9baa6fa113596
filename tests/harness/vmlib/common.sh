# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash  # busybox sh, in the VM
# Helpers for scripts that run inside the harness VMs (busybox sh); the
# harness packs this library into every VM as /lib/apfint/common.sh.

# result TEXT...: a RESULT line on a line of its own (an L2 console that
# shares ours may have left one unfinished).
result() { printf '\nRESULT %s\n' "$*"; }

# host_counter NAME: an apfint_host counter, "none" while it is not loaded.
host_counter() {
	cat "/sys/kernel/debug/apfint_host/$1" 2>/dev/null || echo none
}

# l2_memory_limit LIMIT: the memory cgroup "l2", smaller than L2's RAM, so
# that L1 swaps the guest out and its re-touched pages come back through
# async page faults.
l2_memory_limit() {
	echo +memory >/sys/fs/cgroup/cgroup.subtree_control
	mkdir -p /sys/fs/cgroup/l2
	echo "$1" >/sys/fs/cgroup/l2/memory.max
}

# run_l2_limited [qemu args...]: run_l2 with QEMU in that cgroup (the
# subshell moves itself in; what reads L2's output stays outside).
run_l2_limited() {
	(
		read -r pid _ </proc/self/stat
		echo "$pid" >/sys/fs/cgroup/l2/cgroup.procs
		run_l2 "$@"
	)
}

# irq_count NAME: the sum over CPUs of a /proc/interrupts line ("HYP", "PIW").
irq_count() {
	awk -v n="$1:" '$1 == n { s = 0; for (i = 2; i <= NF; i++)
		if ($i ~ /^[0-9]+$/) s += $i; else break; print s; f = 1 }
		END { if (!f) print 0 }' /proc/interrupts
}

# hist_arm EVENT_DIR: counts every hit of a trace event, losing none (the
# key is irrelevant: only the total is read; common_cpu needs 5.x).
hist_arm() {
	echo 'hist:keys=common_pid' >"$1/trigger"
}

# hist_total EVENT_DIR: the hit count since hist_arm, or "none".
hist_total() {
	awk '/^ *Hits:/ { print $2; f = 1 } END { if (!f) print "none" }' "$1/hist" 2>/dev/null
}

# log_metric LOG LEVEL KEY: the last number KEY= on a "METRIC LEVEL" line
# of the console LOG (either level), read through scan-log.
log_metric() {
	scan-log -c "$1" | sed -n "s/^.*METRIC $2 \(.* \)*$3=\([0-9]*\).*/\2/p" | tail -n 1
}

# dump_counters DIR PREFIX: prints every one-number file in DIR as METRIC.
dump_counters() {
	local f v
	[ -d "$1" ] || return 0
	for f in "$1"/*; do
		[ -f "$f" ] || continue
		v=$(head -c 64 "$f" 2>/dev/null | head -n 1)
		case $v in
		*[!0-9]*|"") ;;
		*) echo "METRIC $2 $(basename "$f")=$v" ;;
		esac
	done
}

# host_module_load: inserts /payload/apfint_host.ko, if the run packed one,
# with $HOST_MODULE_ARGS; one RESULT line.
host_module_load() {
	[ -f /payload/apfint_host.ko ] || return 0
	# shellcheck disable=SC2086  # one word per module parameter
	if insmod /payload/apfint_host.ko $HOST_MODULE_ARGS; then
		echo "RESULT host-module-load ok"
	else
		echo "RESULT host-module-load fail $(dmesg | tail -n 3 | tr '\n' ' ')"
	fi
}

# host_module_unload: removes it again (after L2 exited); one RESULT line.
host_module_unload() {
	[ -f /payload/apfint_host.ko ] || return 0
	if rmmod apfint_host; then
		echo "RESULT host-module-unload ok"
	else
		echo "RESULT host-module-unload fail"
	fi
}
