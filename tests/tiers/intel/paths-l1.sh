# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash  # busybox sh, in L1 (tests/harness/init.sh)
# In an L1 under Bochs with kvm_intel and apfint_host: which of
# apfint_host's Intel paths run, counted while probe scenarios make async
# page faults.  Prints "PATH <name> <count>" lines for the tier to judge,
# and "PATHINFO" lines that show what was counted.
T=/sys/kernel/debug/tracing
P=/payload/probe
D=/sys/kernel/debug/apfint_host
# PATHS_SCENARIOS: the tier's INTEL_PATHS_SCENARIOS, in the settings

echo "PATHINFO cpus: $(grep -c '^processor' /proc/cpuinfo)"
echo "PATHINFO vendor: $(grep -o '^kvm_[a-z]*' /proc/modules | tr '\n' ' ')"
echo "PATHINFO kvm_intel: enable_apicv=$(cat /sys/module/kvm_intel/parameters/enable_apicv 2>/dev/null) ept=$(cat /sys/module/kvm_intel/parameters/ept 2>/dev/null) refcnt=$(cat /sys/module/kvm_intel/refcnt)"
if ! insmod /payload/kmod/apfint_host.ko; then
	echo "RESULT paths fail insmod apfint_host.ko"
	exit 1
fi
echo "PATHINFO kvm_intel refcnt with apfint_host: $(cat /sys/module/kvm_intel/refcnt)"

# Exact counts that the probe's own tracing (which clears the buffer and
# switches events) cannot disturb: a hist trigger per event.
hist() {	# hist EVENT KEY [FILTER]
	echo "hist:keys=$2${3:+ if $3}" >"$T/events/$1/trigger" ||
		echo "PATHINFO no hist trigger on $1"
}
# writes of MSR_KVM_ASYNC_PF_INT, which only apfint_host knows on 5.4
hist kvm/kvm_msr write,exception "ecx == 0x4b564d06"
hist kvm/kvm_inj_virq irq
hist kvm/kvm_exit exit_reason
hist kvm/kvm_apic_accept_irq vec
hist apfint_host/apfint_async_pf_ready_irq vector
hist apfint_host/apfint_async_pf_ack paired
hist apfint_host/apfint_async_pf_kick common_cpu

for t in ${PATHS_SCENARIOS:-apf_page_ready_test apf_many_multi_test apf_kick_test}; do
	echo "PROBE start $t"
	PROBE_EXPECT=$P/expect.tbl "$P/$t" >/tmp/out 2>&1
	rc=$?
	grep -a -E '^(ok|not ok|RESULT|METRIC kick|LAT kick spinning|# check|#.*not checked)' /tmp/out
	echo "PROBE end $t rc=$rc"
done

# total EVENT [FILTER-AWK]: the sum of a hist's hitcounts
total() {
	awk -v f="${2:-}" '/hitcount:/ && (f == "" || $0 ~ f) {
		for (i = 1; i < NF; i++) if ($i == "hitcount:") s += $(i + 1)
	} END { print s + 0 }' "$T/events/$1/hist"
}
for e in kvm/kvm_msr kvm/kvm_inj_virq kvm/kvm_exit kvm/kvm_apic_accept_irq \
	 apfint_host/apfint_async_pf_ready_irq apfint_host/apfint_async_pf_ack \
	 apfint_host/apfint_async_pf_kick; do
	grep -a 'hitcount:' "$T/events/$e/hist" | sed "s|^|PATHINFO $e |"
done
for c in irqs_injected acks kicks armed_vcpus deferred; do
	echo "PATHINFO debugfs $c $(cat "$D/$c")"
done
sed 's/^/PATHINFO hooks /' "$D/hooks"
sed 's/^/PATHINFO vcpus /' "$D/vcpus"

# The MSR wrapper in kvm_intel's kvm_x86_ops: vmx's handle_wrmsr traces
# the write (kvm_msr), then calls kvm_x86_ops->set_msr; a write of the
# INT MSR that did not #GP was taken by our wrapper (5.4's kvm alone
# refuses it).
echo "PATH msr_wrapper_vmx $(total kvm/kvm_msr 'write: *1, exception: *0 ')"
# The page-ready interrupts apfint_host raised, injected through VMX's
# path: kvm_inj_virq (its vector) is traced in vmx_inject_irq.
vec=$(awk '/^\{.*hitcount:/ { print $3; exit }' \
	"$T/events/apfint_host/apfint_async_pf_ready_irq/hist")
echo "PATH ready_irq $(total apfint_host/apfint_async_pf_ready_irq)"
echo "PATH vmx_inject_ready $(total kvm/kvm_inj_virq "irq: *${vec:-none} ")"
echo "PATH apic_accept_ready $(total kvm/kvm_apic_accept_irq "vec: *${vec:-none} ")"
# The kick: apfint_host kicked on completion; that a kick's IPI took
# the vCPU out of VMX guest mode is the kick scenario's timeline (its
# METRIC kick_ipi kicked=, with two L1 CPUs); VMX exits for external
# interrupts (reason 1) for the record.
echo "PATH kick $(total apfint_host/apfint_async_pf_kick)"
echo "PATH vmx_exit_extint $(total kvm/kvm_exit "exit_reason: *1 ")"
echo "RESULT paths ok counted"
