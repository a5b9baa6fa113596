# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash  # busybox sh, in the VM
# Beside the workload in L2 (integration's /payload/during/ or
# l2.sh): unloads and reloads apfint_guest RELOAD_CYCLES times
# (default 3) while the touch workload runs and tasks wait on async PFs.
# An unload must wake every waiter (the host drops its queue when bit 3
# goes away); the workload finishing and no hung-task report prove it.
. /lib/apfint/guest.sh
cycles=${RELOAD_CYCLES:-3}
if ! wait_workload_start 60; then
	echo "RESULT guest-reload fail workload never started"
	exit 0
fi
n=0 during=0 errs=0
while [ $n -lt "$cycles" ]; do
	sleep "${RELOAD_GAP:-3}"
	workload_running && during=$((during + 1))
	guest_unload || errs=$((errs + 1))
	sleep 1
	guest_load || errs=$((errs + 1))
	n=$((n + 1))
done
echo "METRIC reload cycles=$n during_workload=$during errors=$errs"
if [ $errs = 0 ] && [ $during -gt 0 ]; then
	echo "RESULT guest-reload ok $n unload/load cycles, $during during the workload"
else
	echo "RESULT guest-reload fail cycles=$n during=$during errors=$errs"
fi
