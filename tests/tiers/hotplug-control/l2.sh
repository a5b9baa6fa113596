# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash  # busybox sh, in the VM
# hotplug-control, L2 side: a user-mode loop (the touch workload, until
# told to stop) beside CYCLES offline/online cycles of CPU 1.
/payload/touch 300 1 /tmp/stop >/dev/null &
n=0 t0=$(date +%s)
while [ "$n" -lt "$CYCLES" ]; do
	echo 0 >/sys/devices/system/cpu/cpu1/online || break
	echo 1 >/sys/devices/system/cpu/cpu1/online || break
	n=$((n + 1))
	[ $((n % 10)) = 0 ] && echo "HP $n $(($(date +%s) - t0))s"
done
touch /tmp/stop
wait
echo "METRIC hotplug-control cycles=$n seconds=$(($(date +%s) - t0))"
