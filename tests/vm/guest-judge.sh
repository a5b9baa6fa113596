#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tests/vm/guest-judge.sh WORK: the verdicts of one tests/vm/guest-test.sh
# run, from what it left in WORK (out, console.log, run.env), as TAP lines.
# Run it again by hand to re-judge a run without booting anything.
# name, rc, host_ko and L2_SMP come from WORK/run.env:
# shellcheck disable=SC2154
set -u
. "$(dirname "$0")/../lib/kernels.sh"
. "$(dirname "$0")/../lib/tap.sh"
work=${1:?usage: guest-judge.sh WORK}
. "$work/run.env"

grep '^HARNESS' "$work/out" | sed 's/^/# /'
case $rc in
0) echo "ok - $name/harness (no oops, hung task or lockup at either level)" ;;
77) echo "ok - $name # SKIP $(head -n 1 "$work/out")"; exit 0 ;;
*) echo "not ok - $name/harness (rc $rc, log $work/console.log)" ;;
esac

# Script results, as TAP.
results_to_tap "$name" "$work/out"

# get LEVEL PHASE KEY: a cumulative count at the end of a phase.
get() { metric "$work/out" "$1" "$3" "$2"; }
# delta LEVEL FROM TO KEY: what a phase added.
delta() {
	local a b
	a=$(get "$1" "$2" "$4") b=$(get "$1" "$3" "$4")
	case "$a$b" in
	*[!0-9]*|"") echo "?" ;;
	*) echo $((b - a)) ;;
	esac
}
num() { case $1 in ''|*[!0-9]*) return 1 ;; esac; }
check() { tap_check "$name/$1" "$2" "$3"; }

prev=boot
for p in nomod load mod reload fallback; do
	[ -n "$(get l2 $p piw)" ] || continue
	[ $p = load ] && { prev=load; continue; }
	np=$(delta l1 $prev $p kvm_async_pf_not_present)
	rd=$(delta l1 $prev $p kvm_async_pf_ready)
	inj=$(delta l1 $prev $p injected)
	piw=$(delta l2 $prev $p piw)
	waits=$(delta l2 $prev $p waits)
	irqs=$(delta l2 $prev $p irqs)
	late=$(delta l2 $prev $p late)
	wakes=$(delta l2 $prev $p wakes)
	wall=$(delta l2 $prev $p wake_alls)
	spur=$(delta l2 $prev $p spurious)
	echo "# phase $p: L1 not_present=$np ready=$rd injected(vec 0xf1)=$inj;" \
		"L2 PIW=$piw apf_waits=$waits irqs=$irqs wakes=$wakes wake_alls=$wall spurious=$spur late=$late"
	num "$np" && [ "$np" -gt 0 ]
	check "$p/async-pf-produced" "L1 not_present=$np" $?
	if [ $p = nomod ] && [ -z "$host_ko" ]; then
		[ "$piw" = 0 ] && [ "$inj" = 0 ] && { [ "$waits" = 0 ] || [ "$waits" = "?" ]; }
		check nomod/gap-shown "without the module the guest received nothing: PIW=$piw injected=$inj apf_waits=$waits" $?
	elif [ $p = nomod ]; then
		# An old host (with apfint_host) still speaks the #PF protocol.
		[ "$piw" = 0 ] && [ "$inj" = 0 ] && { [ "$waits" = "?" ] || [ "$waits" -gt 0 ]; }
		check nomod/legacy-kept "without apfint_guest: #PF delivery, no interrupt: PIW=$piw injected=$inj apf_waits=$waits" $?
	fi
	prev=$p
	[ $p = nomod ] && continue
	# Mostly the kernel's own mode once the stand-in kvm_intel is in.
	[ $p = fallback ] && continue
	# Without kprobe events in the guest kernel the waits are unknown.
	num "$irqs" && [ "$irqs" -gt 0 ] && { [ "$waits" = "?" ] || [ "$waits" -gt 0 ]; }
	check "$p/page-ready-handled" "irqs=$irqs for $waits not-present #PFs" $?
	# A spurious interrupt (token 0) is a delivery the host did not
	# inject (seen once under emulation); losses come from a CPU that
	# goes offline with the interrupt pending.
	# Phase edges are a snapshot apart at the two levels: allow 2.
	num "$inj" && num "$piw" && num "$spur" && [ "$piw" -gt 0 ] &&
		[ "$piw" -le $((inj + spur + 2)) ] && [ $((inj - piw)) -le $((inj / 100 + 2)) ]
	check "$p/injected-received" "host injected $inj, guest PIW $piw, spurious $spur" $?
	if [ $p = mod ]; then
		num "$irqs" && num "$late" && [ $((irqs + late)) = "$piw" ]
		check mod/none-lost "irqs $irqs + late $late = PIW $piw" $?
	fi
	# Every page-ready (ready) needs an interrupt except those whose
	# not-present the host could not inject (kernel mode without
	# SEND_ALWAYS): it halted the vCPU instead.  So, up to phase edges,
	# irqs = ready - (not_present - guest waits).
	if [ "$waits" = "?" ]; then
		echo "ok - $name/$p/consistent-with-ready # SKIP guest waits unknown (no kprobe events)"
		continue
	fi
	# On an old host apfint_host's own counts are the reference (the
	# all/host-* checks below): old kvm also traces page-readies that
	# need no interrupt (wake-alls of EN writes superseded at CPU online,
	# #PF deliveries in the kernel's own mode), which upstream does not.
	if [ -n "$host_ko" ]; then
		echo "ok - $name/$p/consistent-with-ready # SKIP old host: checked against apfint_host's counters instead"
		continue
	fi
	if num "$rd" && num "$irqs" && num "$np" && num "$waits"; then
		want=$((rd - (np - waits)))
		d=$((irqs - want))
		[ "${d#-}" -le $((want / 100 + 3)) ]
	else
		false
	fi
	check "$p/consistent-with-ready" "irqs $irqs vs L1 ready $rd - (not_present $np - guest waits $waits) = ${want:-?}" $?
done
# The whole run: what the host injected with the vector reached the guest.
inj=$(delta l1 boot unload injected)
piw=$(get l2 unload piw)
spur=$(get l2 unload spurious)
seen=$(( $(get l2 unload irqs | grep . || echo 0) + $(get l2 unload late | grep . || echo 0) ))
echo "# whole run: host injected $inj with vector 0xf1; guest PIW $piw, apfint_guest irqs+late $seen, spurious ${spur:-?}"
num "$inj" && num "$piw" && num "$spur" && [ "$piw" -gt 0 ] &&
	[ "$piw" -le $((inj + spur)) ] && [ $((inj - piw)) -le $((inj / 100 + 2)) ]
check all/injected-received "host injected $inj, guest PIW $piw, spurious $spur" $?
# Reloads can lose a few: a late interrupt after banking, or one taken by
# the kernel's dummy handler after the module let go.
num "$piw" && [ "$seen" -le "$piw" ] && [ $((piw - seen)) -le 10 ]
check all/handled "apfint_guest irqs+late $seen of PIW $piw" $?
en=$(delta l2 boot load enables)
check load/host-wake-all "enables=$en wake_alls=$(delta l2 boot load wake_alls) after insmod" \
	"$([ "$en" = "${L2_SMP:-2}" ] && echo 0 || echo 1)"
b=$(metric "$work/out" l2 blocked_tasks)
check unload/no-blocked-task "D-state tasks after unload and 50 s: ${b:-none}" \
	"$([ "$b" = 0 ] && echo 0 || echo 1)"
console_lines "$work/console.log" | grep -q '^L2: .*apfint_guest: shutdown (code'
check poweroff/reboot-notifier "module loaded at power-off left interrupt mode" $?
if [ -n "$host_ko" ]; then
	# Both modules, at the end of the unload phase (quiet: no module in
	# L2): every interrupt apfint_host raised reached L2's LAPIC
	# (kvm_apic_accept_irq with the vector), every ACK apfint_guest wrote
	# reached apfint_host, and nothing was invented on either side.
	hinj=$(get l1 unload host_irqs_injected)
	hack=$(get l1 unload host_acks)
	hspare=$(get l1 unload host_spare_acks)
	inj=$(get l1 unload injected)
	gack=$(get l2 unload acks)
	echo "# at unload: apfint_host injected $hinj, saw $hack ACKs; L1 accepted $inj with the vector; apfint_guest wrote $gack ACKs"
	num "$hinj" && [ "$hinj" -gt 0 ] && [ "$hinj" = "$inj" ]
	check all/host-injected-accepted "apfint_host injected $hinj, L1 accepted $inj" $?
	# Every injection ACKed, except interrupts apfint_guest never saw
	# (around a reload: taken by the kernel's handler once it let go);
	# and no ACK the guest module did not write, beyond those it wrote
	# after its counters were banked for the unload.  apfint_guest ACKs
	# spurious interrupts too, which apfint_host counts as spare.
	piw=$(get l2 unload piw)
	gi=$(get l2 unload irqs) gl=$(get l2 unload late)
	seen=$(( ${gi:-0} + ${gl:-0} ))
	num "$hack" && num "$gack" && num "$piw" && [ "$hack" -le "$hinj" ] &&
		[ $((hinj - hack)) -le $((piw - seen)) ] && [ $((hack + ${hspare:-0})) -ge "$gack" ] &&
		[ $((hack - gack)) -le $((piw - seen)) ]
	check all/host-acks-match "apfint_host saw $hack ACKs of $hinj injected (${hspare:-no} spare); apfint_guest wrote $gack, missed $((piw - seen)) of $piw interrupts" $?
fi
grep -E '^(L2: )?METRIC (workload|hotplug|reload) ' "$work/out" | sed 's/^/# /'
