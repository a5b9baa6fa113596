# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash  # busybox sh, in the VM
# apfint_guest VM test, L1 side (run by tests/tiers/guest-vm/run): a host
# kernel with the feature, natively or through apfint_host.ko.  Arms exact
# counters on L1's async PF tracepoints and on the LAPIC accepting
# apfint_guest's vector for L2, puts the L2 QEMU in a memory cgroup
# smaller than L2's RAM, and prints the cumulative counts each time L2
# ends a phase ("APFINT-PHASE name").
. /lib/apfint/common.sh
# apfint_guest's vector, 0xf1
GUEST_VECTOR=241
# A host without the feature: apfint_host provides it.
host_module_load
T=/sys/kernel/debug/tracing
H=/sys/kernel/debug/apfint_host
EV="kvm_try_async_get_page kvm_async_pf_not_present kvm_async_pf_ready
kvm_async_pf_completed kvm_async_pf_repeated_fault"
for e in $EV; do
	# Before 5.8 kvm_async_pf_repeated_fault is kvm_async_pf_doublefault.
	[ "$e" = kvm_async_pf_repeated_fault ] && [ ! -d "$T/events/kvm/$e" ] &&
		continue
	hist_arm "$T/events/kvm/$e" || echo "RESULT hist-$e fail"
done
# What the host injected with the vector: one accept per page-ready.
echo "hist:keys=common_pid if vec == $GUEST_VECTOR" \
	>"$T/events/kvm/kvm_apic_accept_irq/trigger" ||
	echo "RESULT hist-accept-irq fail"

snapshot() {
	local e line=
	for e in $EV; do
		line="$line $e=$(hist_total "$T/events/kvm/$e")"
	done
	# apfint_host's own counts at the same moment
	for e in irqs_injected acks spare_acks legacy; do
		[ -r "$H/$e" ] && line="$line host_$e=$(cat "$H/$e")"
	done
	echo "METRIC l1 phase=$1 injected=$(hist_total "$T/events/kvm/kvm_apic_accept_irq")$line"
}

l2_memory_limit "$CGROUP_MAX"
echo "METRIC l1 swap_kb=$(awk '/SwapTotal/ { print $2 }' /proc/meminfo)"

cr=$(printf '\r')
(
	# run_l2 prefixes L2's lines with sed, which block-buffers into a
	# pipe: phase markers would reach the loop below minutes late and the
	# snapshots land in the wrong phase.  Prefix line by line instead.
	# shellcheck disable=SC2317  # run_l2 calls it
	sed() {
		while IFS= read -r l; do
			echo "L2: $l"
		done
	}
	run_l2_limited
	echo "RESULT l2-exit $([ $? = 0 ] && echo ok || echo fail)"
) | while IFS= read -r line; do
	line=${line%"$cr"}
	echo "$line"
	case $line in
	*APFINT-PHASE\ *) snapshot "${line##*APFINT-PHASE }" ;;
	esac
done
echo "METRIC l1 swapped_in=$(awk '/pswpin/ { print $2 }' /proc/vmstat)"
dump_counters "$H" host
host_module_unload
