# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash  # busybox sh, in the VM
# Integration, L2 side: optional apfint_guest, the workload, and what the
# guest received.  Scripts in /payload/during/ run beside the workload.
. /lib/apfint/common.sh

if [ -f /payload/apfint_guest.ko ]; then
	if insmod /payload/apfint_guest.ko; then
		echo "RESULT guest-module-load ok"
	else
		echo "RESULT guest-module-load fail $(dmesg | tail -n 3 | tr '\n' ' ')"
	fi
fi

hyp0=$(irq_count HYP) piw0=$(irq_count PIW)
pids=
for s in /payload/during/*.sh; do
	[ -f "$s" ] || continue
	sh "$s" &
	pids="$pids $!"
done
if $WORKLOAD; then
	echo "RESULT workload ok"
else
	echo "RESULT workload fail"
fi
for p in $pids; do
	wait "$p"
done
echo "METRIC l2 hyp_irqs=$(( $(irq_count HYP) - hyp0 ))"
echo "METRIC l2 piw_irqs=$(( $(irq_count PIW) - piw0 ))"
dump_counters /sys/kernel/debug/apfint_guest guest

if [ -f /payload/apfint_guest.ko ]; then
	if rmmod apfint_guest; then
		echo "RESULT guest-module-unload ok"
	else
		echo "RESULT guest-module-unload fail"
	fi
fi
# Last: the total since boot, which a host module's counter must equal
# (both include the wake-all at enable).
echo "METRIC l2 hyp_total=$(irq_count HYP)"
