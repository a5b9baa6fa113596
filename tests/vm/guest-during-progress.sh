# SPDX-License-Identifier: GPL-2.0
# Beside the workload in L2: every PROGRESS_EVERY seconds (default 30)
# while it runs, one line with apfint_guest's counters and the PIW line of
# /proc/interrupts, so that a slow run under a loaded emulator can be told
# apart from a hung one in the console log.
if [ -f /payload/guest-lib.sh ]; then
	. /payload/guest-lib.sh
else
	. /payload/during/guest-lib.sh
fi
wait_workload_start 60 || exit 0
t=0
while workload_running; do
	sleep "${PROGRESS_EVERY:-30}"
	t=$((t + ${PROGRESS_EVERY:-30}))
	piw=$(awk '$1 == "PIW:" { s = 0; for (i = 2; i <= NF; i++)
		if ($i ~ /^[0-9]+$/) s += $i; else break; print s }' /proc/interrupts)
	echo "PROGRESS t=${t}s cpus=$(cat /sys/devices/system/cpu/online) piw=$piw irqs=$(guest_sum irqs) wake_alls=$(guest_sum wake_alls)"
done
