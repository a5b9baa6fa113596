# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash  # busybox sh, in the VM
# apfint_host with an old (pre-5.9) guest in L2: it never sets EN bit 3, so
# it must get stock kvm's legacy 'page ready' #PF, pin nothing, and let the
# module unload while it runs.  Run by host-check K OLD-GUEST.
. /lib/apfint/common.sh
L2_SMP=${L2_SMP:-1}
D=/sys/kernel/debug/apfint_host

l2_memory_limit 250M
L2_CPU=host L2_MEM=512
export L2_CPU L2_MEM L2_SMP
run_l2_limited | tee /tmp/l2.log &
l2=$!

# Load under the running guest (it keeps its legacy protocol), cycle
# unload/load a few times while it faults, then wait for legacy
# page-readies to flow through our hooks and unload under it for good.
T=/sys/kernel/debug/tracing
# Page-readies so far, from the trace event itself (a hist trigger needs
# CONFIG_HIST_TRIGGERS, which the cached 5.4 lacks).
echo 1 >$T/events/kvm/kvm_async_pf_ready/enable
readies() {
	local n
	n=$(grep -c ' kvm_async_pf_ready: ' $T/trace 2>/dev/null)
	echo "${n:-0}"
}
i=0
while [ $i -lt 300 ] && kill -0 $l2 2>/dev/null; do
	[ "$(readies)" -gt 20 ] && break
	sleep 1
	i=$((i + 1))
done
cycles=0
while [ $cycles -lt 3 ] && kill -0 $l2 2>/dev/null; do
	insmod /payload/apfint_host.ko || break
	sleep 2
	rmmod apfint_host || break
	cycles=$((cycles + 1))
done
if ! kill -0 $l2 2>/dev/null; then
	result "host-load fail L2 ended first: $(readies) page-readies in ${i}s, $cycles cycles"
	exit 0
elif [ $cycles = 3 ] && insmod /payload/apfint_host.ko; then
	result "host-load ok under a faulting legacy guest ($(readies) page-readies), after $cycles load/unload cycles"
else
	result "host-load fail at cycle $cycles: $(dmesg | grep apfint_host | tail -n 3 | tr '\n' ' ')"
	wait $l2
	exit 0
fi
legacy=0 i=0
while [ $i -lt 400 ] && kill -0 $l2 2>/dev/null; do
	legacy=$(host_counter legacy)
	[ "$legacy" != none ] && [ "$legacy" -gt 20 ] && break
	sleep 1
	i=$((i + 1))
done
inj=$(host_counter irqs_injected) armed=$(host_counter armed_vcpus)
if [ "$legacy" != none ] && [ "$legacy" -gt 20 ] && [ "$inj" = 0 ] && [ "$armed" = 0 ]; then
	result "host-legacy-delivery ok legacy=$legacy irqs_injected=$inj after ${i}s"
else
	result "host-legacy-delivery fail legacy=$legacy irqs_injected=$inj armed=$armed"
fi
dump_counters $D host
if ! kill -0 $l2 2>/dev/null; then
	rmmod apfint_host
	result "host-unload-under-legacy-vm fail L2 had ended"
elif rmmod apfint_host; then
	result "host-unload-under-legacy-vm ok"
else
	result "host-unload-under-legacy-vm fail"
fi

wait $l2
if grep -q 'L2: RESULT workload fail' /tmp/l2.log ||
   ! grep -q 'L2: METRIC workload' /tmp/l2.log; then
	result "host-legacy-guest-workload fail"
else
	result "host-legacy-guest-workload ok"
fi
