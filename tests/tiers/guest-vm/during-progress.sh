# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash  # busybox sh, in the VM
# Beside the workload in L2: every PROGRESS_EVERY seconds (default 30)
# while it runs, one line with apfint_guest's counters and the PIW line of
# /proc/interrupts, so that a slow run under a loaded emulator can be told
# apart from a hung one in the console log.
. /lib/apfint/guest.sh
wait_workload_start 60 || exit 0
t=0 last= still=0
while workload_running; do
	sleep "${PROGRESS_EVERY:-30}"
	t=$((t + ${PROGRESS_EVERY:-30}))
	piw=$(irq_count PIW)
	pid=$(pidof touch | cut -d' ' -f1)
	state=$(sed -n 's/^State:\t\([A-Z]\).*/\1/p' "/proc/$pid/status" 2>/dev/null)
	echo "PROGRESS t=${t}s cpus=$(cat /sys/devices/system/cpu/online) piw=$piw irqs=$(guest_sum irqs) wake_alls=$(guest_sum wake_alls) touch=${state:-?}"
	# No page-ready for two periods: once, where the workload is.
	[ "$piw" = "$last" ] && still=$((still + 1)) || still=0
	last=$piw
	if [ $still = 2 ] && [ -n "$pid" ]; then
		echo "PROGRESS stuck? touch $pid wchan $(cat "/proc/$pid/wchan" 2>/dev/null)"
		sed 's/^/PROGRESS stack: /' "/proc/$pid/stack" 2>/dev/null
		grep -h '^cpu=' "$G/stats" 2>/dev/null | sed 's/^/PROGRESS /'
	fi
done
