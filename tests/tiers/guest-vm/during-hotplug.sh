# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash  # busybox sh, in the VM
# Beside the workload in L2 (integration's /payload/during/ or
# l2.sh): offlines and onlines every non-boot CPU HOTPLUG_CYCLES
# times (default 50) while the touch workload runs, and checks after each
# online that apfint_guest put the CPU back in interrupt mode.
. /lib/apfint/guest.sh
cycles=${HOTPLUG_CYCLES:-50}
cpus=$(ls -d /sys/devices/system/cpu/cpu[1-9]* 2>/dev/null)
if [ -z "$cpus" ]; then
	echo "RESULT guest-hotplug skip one CPU only (run L2 with L2_SMP=2)"
	exit 0
fi
if ! wait_workload_start 60; then
	echo "RESULT guest-hotplug fail workload never started"
	exit 0
fi
done_n=0 during=0 bad=0 errs=0
while [ $done_n -lt "$cycles" ]; do
	for c in $cpus; do
		echo 0 >"$c/online" || errs=$((errs + 1))
	done
	for c in $cpus; do
		echo 1 >"$c/online" || errs=$((errs + 1))
	done
	if [ $errs -gt 0 ]; then
		# An AP that did not answer INIT/SIPI in time (starved emulation)
		# stays down: further cycles test nothing.
		dmesg | grep -m 3 -E 'do_boot_cpu|Not responding|stuck'
		break
	fi
	done_n=$((done_n + 1))
	workload_running && during=$((during + 1))
	# Only while loaded: during-reload.sh may have it out.
	if [ -r "$G/stats" ] && ! guest_all_active; then
		bad=$((bad + 1))
		grep '^cpu=' "$G/stats"
	fi
done
echo "METRIC hotplug cycles=$done_n during_workload=$during not_active=$bad errors=$errs"
if [ $errs = 0 ] && [ $bad = 0 ] && [ $during -gt 0 ]; then
	echo "RESULT guest-hotplug ok $done_n cycles, $during during the workload"
else
	echo "RESULT guest-hotplug fail cycles=$done_n during=$during not_active=$bad errors=$errs"
fi
