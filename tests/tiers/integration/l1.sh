# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash  # busybox sh, in the VM
# Integration, L1 side: optional apfint_host, async PF tracepoints armed,
# the L2 QEMU in a memory cgroup smaller than L2's RAM, L1 swapping.
. /lib/apfint/common.sh

host_module_load

T=/sys/kernel/debug/tracing
events=$(ls -d $T/events/kvm/*async_pf* $T/events/kvm/kvm_try_async_get_page 2>/dev/null)
for e in $events; do
	hist_arm "$e" || echo "RESULT hist-$(basename "$e") fail"
done
# apfint_host's own tracepoints, counted beside its counters; ACKs by
# whether they acknowledged a page-ready.
A=$T/events/apfint_host
aevents=$(ls -d $A/apfint_async_pf_ready_irq $A/apfint_async_pf_kick $A/apfint_msr_refused 2>/dev/null)
for e in $aevents; do
	hist_arm "$e" || echo "RESULT hist-$(basename "$e") fail"
done
if [ -d $A/apfint_async_pf_ack ]; then
	echo 'hist:keys=paired' >$A/apfint_async_pf_ack/trigger ||
		echo "RESULT hist-apfint_async_pf_ack fail"
fi

l2_memory_limit "$CGROUP_MAX"
echo "METRIC l1 swap_kb=$(awk '/SwapTotal/ { print $2 }' /proc/meminfo)"

# What L1 sees moving, every 30 s: a debug kernel's slow workload is not a
# frozen emulation (which stops this too), and a stuck L2 shows as flat.
(
	t=0 last=
	while sleep 30; do
		t=$((t + 30))
		now="injected=$(host_counter irqs_injected) swapped_in=$(awk '/pswpin/ { print $2 }' /proc/vmstat)"
		echo "PROGRESS t=${t}s $now"
		[ "$now" = "$last" ] || { last=$now; continue; }
		# nothing moved for 30 s: what the L2's threads wait in
		echo "PROGRESS stuck? $now"
		qemu=$(pidof qemu-system-x86_64)
		for task in "/proc/$qemu/task/"*; do
			echo "# $(cat "$task/comm") $(cat "$task/wchan")"
			sed 's/^/#   /' "$task/stack" 2>/dev/null | head -n 12
		done
		sed 's/^/# vcpus: /' /sys/kernel/debug/apfint_host/vcpus 2>/dev/null
	done
) &
heartbeat=$!
run_l2_limited
echo "RESULT l2-exit $([ $? = 0 ] && echo ok || echo fail)"
kill $heartbeat

for e in $events; do
	echo "METRIC l1 $(basename "$e")=$(hist_total "$e")"
done
echo "METRIC l1 swapped_in=$(awk '/pswpin/ { print $2 }' /proc/vmstat)"
dump_counters /sys/kernel/debug/apfint_host host
for e in $aevents; do
	echo "METRIC trace $(basename "$e")=$(hist_total "$e")"
done
if [ -d $A/apfint_async_pf_ack ]; then
	h=$A/apfint_async_pf_ack/hist
	echo "METRIC trace ack_paired=$(awk '/paired: *1 }/ { n = $NF } END { print n + 0 }' $h) ack_spare=$(awk '/paired: *0 }/ { n = $NF } END { print n + 0 }' $h)"
fi
# A module's tracepoints must have no probe left when it goes (5.4
# WARNs in tracepoint_module_notify): drop the triggers before unloading.
for e in $aevents; do
	echo '!hist:keys=common_pid' >"$e/trigger"
done
[ -d $A/apfint_async_pf_ack ] && echo '!hist:keys=paired' >$A/apfint_async_pf_ack/trigger
# What an admin would see: apfint-status over the same counters.
if [ -x /payload/apfint-status ] && [ -d /sys/kernel/debug/apfint_host ]; then
	echo "METRIC status json=$(/payload/apfint-status --json)"
fi

host_module_unload
