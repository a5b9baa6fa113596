# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash  # busybox sh, in the VM
# apfint_host checks in an old-kernel L1 (busybox sh): load and self-test,
# QEMU offered kvm-asyncpf-int without a warning, the L2 guest armed
# interrupt delivery (wake-all delivered), rmmod refused with EBUSY while it
# runs, clean unload after it exits.  Run by host-check.
. /lib/apfint/common.sh
L2_SMP=${L2_SMP:-1}
D=/sys/kernel/debug/apfint_host

if ! insmod /payload/apfint_host.ko; then
	result "host-load fail $(dmesg | grep apfint_host | tail -n 3 | tr '\n' ' ')"
	exit 0
fi
result "host-load ok"
dmesg | grep apfint_host | sed 's/^/# /'
if dmesg | grep -q 'apfint_host: .*kvm functions redirected'; then
	result "host-hooks ok"
else
	result "host-hooks fail"
fi

# The L2 guest (Debian 6.1) turns interrupt APF on when CPUID has bit 14.
# Its QEMU runs in a memory cgroup smaller than its RAM, with L1 swapping,
# so that re-touched guest pages come back through async page faults.
T=/sys/kernel/debug/tracing
for e in kvm_async_pf_not_present kvm_async_pf_ready kvm_async_pf_completed; do
	hist_arm $T/events/kvm/$e 2>/dev/null
done
l2_memory_limit 250M
L2_CPU=host,+kvm-asyncpf,+kvm-asyncpf-int L2_MEM=512
export L2_CPU L2_MEM L2_SMP
run_l2_limited | tee /tmp/l2.log &
l2=$!

# Snapshot our counter the moment L2 reports its HYP total (host-l2.sh).
(
	while ! grep -q 'hyp_total=' /tmp/l2.log 2>/dev/null; do
		kill -0 $l2 2>/dev/null || exit 0
		sleep 0.1
	done
	cat $D/irqs_injected >/tmp/inj_at_read
) &

armed=0 i=0
while [ $i -lt 300 ] && kill -0 $l2 2>/dev/null; do
	armed=$(host_counter armed_vcpus)
	[ "$armed" != none ] && [ "$armed" -gt 0 ] && break
	sleep 1
	i=$((i + 1))
done
if [ "$armed" != none ] && [ "$armed" -gt 0 ]; then
	result "host-armed ok $armed vCPU after ${i}s"
	if rmmod apfint_host 2>/tmp/rmmod.err; then
		result "host-rmmod-busy fail unloaded under a running guest"
	else
		result "host-rmmod-busy ok $(tr '\n' ' ' </tmp/rmmod.err | sed 's/ *$//')"
	fi
else
	result "host-armed fail armed_vcpus=$armed"
fi
cat $D/vcpus 2>/dev/null | sed 's/^/# vcpus: /'

if [ "${KILL_L2:-0}" = 1 ]; then
	# VM destruction with faults in flight: let the workload fault for a
	# while, then SIGKILL QEMU.  Teardown must free every state and drop
	# every module reference.
	i=0
	while [ $i -lt 240 ] && [ "$(host_counter irqs_injected)" -lt 1000 ]; do
		sleep 1
		i=$((i + 1))
	done
	cat $D/irqs_injected >/tmp/inj_at_kill
	qemu=$(pidof qemu-system-x86_64)
	# shellcheck disable=SC2086  # pidof may name several
	[ -n "$qemu" ] && kill -9 $qemu
	wait $l2
	sleep 2
	armed=$(host_counter armed_vcpus) states=$(host_counter vcpu_states)
	if [ -n "$qemu" ] && [ "$armed" = 0 ] && [ "$states" = 0 ] &&
	   rmmod apfint_host; then
		result "host-kill-vm ok irqs_injected=$(cat /tmp/inj_at_kill 2>/dev/null)"
	else
		result "host-kill-vm fail qemu=$qemu armed=$armed states=$states"
	fi
	dmesg | grep apfint_host | tail -n 2 | sed 's/^/# /'
	exit 0
fi

wait $l2
if grep -q "doesn't support requested feature" /tmp/l2.log; then
	result "host-feature-offered fail $(grep -m1 "doesn't support" /tmp/l2.log)"
else
	result "host-feature-offered ok"
fi
wake=$(host_counter wake_all) inj=$(host_counter irqs_injected)
if [ "$wake" != none ] && [ "$wake" -gt 0 ] && [ "$inj" -ge "$wake" ]; then
	result "host-wake-all ok wake_all=$wake irqs_injected=$inj"
else
	result "host-wake-all fail wake_all=$wake irqs_injected=$inj"
fi
hyp=$(log_metric /tmp/l2.log l2 hyp_total) hyp2=$(log_metric /tmp/l2.log l2 hyp_total2)
snap=$(cat /tmp/inj_at_read 2>/dev/null)
# Everything injected went to this one guest, boot included.
if [ -z "$hyp" ] || [ "$hyp" != "$hyp2" ]; then
	result "host-none-lost skip guest still taking page-readies: $hyp then $hyp2"
elif [ "$hyp" = "$snap" ] && [ "$hyp" -gt 1 ]; then
	result "host-none-lost ok guest HYP $hyp = injected $snap at that moment; $inj by the end"
else
	result "host-none-lost fail guest HYP $hyp, injected ${snap:-none} at that moment, $inj by the end"
fi
dump_counters $D host
sed 's/^/# hooks: /' $D/hooks 2>/dev/null

# Every vCPU of the finished VM went through teardown: no state is left.
states=$(host_counter vcpu_states)
if [ "$states" = 0 ]; then
	result "host-no-state-left ok"
else
	result "host-no-state-left fail vcpu_states=$states after the VM exited"
fi

if [ "$(host_counter armed_vcpus)" = 0 ] && rmmod apfint_host; then
	result "host-unload ok"
else
	result "host-unload fail armed_vcpus=$(host_counter armed_vcpus)"
fi
dmesg | grep apfint_host | tail -n 3 | sed 's/^/# /'
