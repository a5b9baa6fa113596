# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash  # busybox sh, in the VM
# Integration, L1 side: optional apfint_host, async PF tracepoints armed,
# the L2 QEMU in a memory cgroup smaller than L2's RAM, L1 swapping.
. /payload/common.sh
. /payload/config

host_module_load

T=/sys/kernel/debug/tracing
events=$(ls -d $T/events/kvm/*async_pf* $T/events/kvm/kvm_try_async_get_page 2>/dev/null)
for e in $events; do
	hist_arm "$e" || echo "RESULT hist-$(basename "$e") fail"
done

l2_memory_limit "$CGROUP_MAX"
echo "METRIC l1 swap_kb=$(awk '/SwapTotal/ { print $2 }' /proc/meminfo)"

L2_CPU=$L2_CPU_MODEL
export L2_CPU L2_MEM L2_SMP L2_APPEND
run_l2_limited
echo "RESULT l2-exit $([ $? = 0 ] && echo ok || echo fail)"

for e in $events; do
	echo "METRIC l1 $(basename "$e")=$(hist_total "$e")"
done
echo "METRIC l1 swapped_in=$(awk '/pswpin/ { print $2 }' /proc/vmstat)"
dump_counters /sys/kernel/debug/apfint_host host

host_module_unload
