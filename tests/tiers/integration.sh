#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Integration tier: HOST in L1 (with apfint_host.ko where it lacks the
# feature), GUEST in L2 (with apfint_guest.ko likewise), L2 under memory
# pressure so that L1 produces async page faults; then what each level saw.
# MODULES=no runs without the modules, to show the gap they close.
# The benchmarks reuse it: TAG names a run, WORKLOAD replaces the L2
# program (the bench: touch --counter), L2_APPEND adds to L2's command line, SWAP_IOPS throttles swap,
# HOST_MODULE_ARGS are apfint_host's parameters (unverified=1 when porting).
set -u
. "$(dirname "$0")/../lib/build.sh"
. "$(dirname "$0")/../lib/tap.sh"
HOST=${HOST:-debian-6.1} GUEST=${GUEST:-debian-6.1} MODULES=${MODULES:-yes}
name=integration/$HOST-$GUEST
[ "$MODULES" = no ] && name=$name-nomodules
name=$name${TAG:+-$TAG}

kernels_or_skip "$name" "$HOST" "$GUEST" || exit 0

work=$APFINT_OUT/$name
rm -rf "$work"
mkdir -p "$work/l1" "$work/l2/during"
host_mod=no guest_mod=no
kernel_is_before "$HOST" 5.8 && [ "$MODULES" = yes ] && host_mod=yes
kernel_is_before "$GUEST" 5.9 && [ "$MODULES" = yes ] && guest_mod=yes
for k in $([ $host_mod = yes ] && echo "$HOST") $([ $guest_mod = yes ] && echo "$GUEST"); do
	if ! build_modules "$k"; then
		build_fail "$name/build-$k" "$MODDIR"
		exit 0
	fi
	[ "$k" = "$HOST" ] && [ $host_mod = yes ] &&
		cp "$MODDIR/host_kmod/apfint_host.ko" "$APFINT_TOP/tools/apfint-status" "$work/l1/"
	[ "$k" = "$GUEST" ] && [ $guest_mod = yes ] &&
		cp "$MODDIR/guest_kmod/apfint_guest.ko" "$work/l2/"
done
for s in ${INTEGRATION_DURING:-}; do
	cp "$s" "$work/l2/during/"
done

if ! bin=$(payload_prog touch); then
	echo "not ok - $name/workload-build"
	exit 0
fi
cp "$bin" "$work/l2/touch"
# Where a module of ours runs, for the harness's retry policy.
ours=none
[ $guest_mod = yes ] && ours=l2
[ $host_mod = yes ] && ours=l1
"$APFINT_TOP/tests/harness/vm" --host "$HOST" --guest "$GUEST" --ours $ours \
	--set CGROUP_MAX="${CGROUP_MAX:-250M}" --set L2_MEM="${L2_MEM:-512}" \
	--set L2_SMP="${L2_SMP:-1}" \
	--set L2_CPU="${L2_CPU:-host,+kvm-asyncpf,+kvm-asyncpf-int}" \
	--set WORKLOAD="${WORKLOAD:-/payload/touch ${TOUCH_MIB:-300} ${TOUCH_PASSES:-2}}" \
	--set HOST_MODULE_ARGS="${HOST_MODULE_ARGS:-}" \
	--l1 "$APFINT_TOP/tests/vm/integration.l1.sh" \
	--l2 "$APFINT_TOP/tests/vm/integration.l2.sh" \
	--payload "$work/l1" --l2-payload "$work/l2" \
	--swap 2048 ${SWAP_IOPS:+--swap-iops $SWAP_IOPS} \
	${L2_APPEND:+--l2-append "$L2_APPEND"} \
	--timeout "${VM_TIMEOUT:-900}" --log "$work/console.log" >"$work/out"
rc=$?
harness_to_tap "$name" "$rc" "$work/out" || exit 0

out=$work/out
not_present=$(metric "$out" l1 kvm_async_pf_not_present)
ready=$(metric "$out" l1 kvm_async_pf_ready)
hyp=$(metric "$out" l2 hyp_irqs)
piw=$(metric "$out" l2 piw_irqs)
echo "# L1 async PF: not_present=$not_present ready=$ready completed=$(metric "$out" l1 kvm_async_pf_completed)"
echo "# L2 received: hyp_irqs=$hyp piw_irqs=$piw; workload $(metric "$out" workload seconds)s"
grep -E '^(L2: )?METRIC (host|guest) ' "$work/out" | sed 's/^/#   /'

if [ "${not_present:-0}" -gt 0 ] 2>/dev/null; then
	echo "ok - $name/async-pf-produced ($not_present not-present in L1)"
else
	echo "not ok - $name/async-pf-produced (L1 saw ${not_present:-no} async PF: nothing was tested)"
fi
if grep -q "doesn't support requested feature" "$work/console.log"; then
	echo "not ok - $name/feature-offered ($(grep -m1 "doesn't support requested feature" "$work/console.log" | tr -d '\r'))"
else
	echo "ok - $name/feature-offered (QEMU asked for kvm-asyncpf-int without a warning)"
fi

# What the guest must have received depends on who delivers 'page ready'.
if [ "$MODULES" = no ] && kernel_is_before "$GUEST" 5.9; then
	# An old guest on a 5.8+ host (or our host module) gets no interrupt.
	if [ "${hyp:-0}" = 0 ] && [ "${piw:-0}" = 0 ]; then
		echo "ok - $name/gap-shown (old guest received no page-ready interrupt)"
	else
		echo "not ok - $name/gap-shown (hyp=$hyp piw=$piw)"
	fi
elif kernel_is_before "$GUEST" 5.9; then
	got=$(metric "$out" guest irqs)
	if [ "${got:-0}" -gt 0 ] 2>/dev/null && [ "$got" -le "${ready:-0}" ]; then
		echo "ok - $name/page-ready-delivered (apfint_guest handled $got, L1 ready $ready)"
	else
		echo "not ok - $name/page-ready-delivered (apfint_guest handled ${got:-none}, L1 ready ${ready:-none})"
	fi
else
	if [ "${hyp:-0}" -gt 0 ] 2>/dev/null && [ "$hyp" -le "${ready:-0}" ]; then
		echo "ok - $name/page-ready-delivered (guest HYP +$hyp, L1 ready $ready)"
	else
		echo "not ok - $name/page-ready-delivered (guest HYP +${hyp:-none}, L1 ready ${ready:-none})"
	fi
fi
if [ $host_mod = yes ]; then
	# None lost: the guest's handler writes MSR_KVM_ASYNC_PF_ACK once per
	# interrupt it took, so every interrupt apfint_host raised was handled
	# iff the ACKs that cleared a pending mark equal its injections (both
	# read after L2 exits).  Spare ACKs (nothing pending: legal, a guest
	# may ACK to force a rescan) acknowledge nothing and are only shown.
	# None invented: the guest's own HYP total, read at the end of its
	# script (a few interrupts may still come during its shutdown), never
	# exceeds them.
	injected=$(metric "$out" host irqs_injected)
	acks=$(metric "$out" host acks)
	spare=$(metric "$out" host spare_acks)
	total=$(metric "$out" l2 hyp_total)
	if [ -n "$injected" ] && [ "$injected" = "$acks" ] &&
	   [ "${total:-0}" -gt 0 ] && [ "$total" -le "$injected" ]; then
		echo "ok - $name/none-lost (apfint_host injected $injected, guest ACKed $acks, ${spare:-no} spare; guest HYP total $total at its last look)"
	else
		echo "not ok - $name/none-lost (apfint_host injected ${injected:-none}, guest ACKed ${acks:-none}, ${spare:-no} spare, guest HYP total ${total:-none})"
	fi
fi
if [ $host_mod = yes ]; then
	# apfint_host's tracepoints count what its counters count.
	t_inj=$(metric "$out" trace apfint_async_pf_ready_irq)
	t_kick=$(metric "$out" trace apfint_async_pf_kick)
	t_paired=$(metric "$out" trace ack_paired) t_spare=$(metric "$out" trace ack_spare)
	kicks=$(metric "$out" host kicks)
	if [ "${t_inj:-0}" -gt 0 ] 2>/dev/null && [ "$t_inj" = "$injected" ] &&
	   [ "$t_paired" = "$acks" ] && [ "$t_spare" = "${spare:-0}" ] &&
	   [ "$t_kick" = "$kicks" ]; then
		echo "ok - $name/tracepoints (ready_irq $t_inj, ack paired $t_paired spare $t_spare, kick $t_kick: as the counters)"
	else
		echo "not ok - $name/tracepoints (ready_irq ${t_inj:-none} vs injected ${injected:-none}, ack paired ${t_paired:-none} vs ${acks:-none}, spare ${t_spare:-none} vs ${spare:-none}, kick ${t_kick:-none} vs ${kicks:-none})"
	fi
	# apfint-status reads the same counters an admin would.
	status=$(metric "$out" status json)
	s_inj=$(echo "$status" | python3 -c 'import json, sys; print(json.load(sys.stdin)["host"]["irqs_injected"])' 2>/dev/null)
	s_ack=$(echo "$status" | python3 -c 'import json, sys; print(json.load(sys.stdin)["host"]["acks"])' 2>/dev/null)
	if [ -n "$s_inj" ] && [ "$s_inj" = "$injected" ] && [ "$s_ack" = "$acks" ]; then
		echo "ok - $name/apfint-status (injected $s_inj, ACKed $s_ack: as debugfs)"
	else
		echo "not ok - $name/apfint-status (injected ${s_inj:-none} vs ${injected:-none}, ACKed ${s_ack:-none} vs ${acks:-none})"
	fi
fi
