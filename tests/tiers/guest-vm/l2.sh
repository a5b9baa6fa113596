# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash  # busybox sh, in the VM
# apfint_guest VM test, L2 side (run by tests/tiers/guest-vm/run).  Phases,
# each ending with a METRIC line of cumulative counts and an
# "APFINT-PHASE name" marker on which l1.sh snapshots L1's counts:
#   nomod   the workload without the module: the gap (nothing received)
#   load    insmod: every CPU in interrupt mode, the host's wake-all seen
#   mod     the workload with the module, CPU hotplug cycles beside it
#   reload  the workload with unload/load cycles beside it
#   fallback  a stand-in kvm_intel loads during the workload
#   unload  rmmod, then a quiet wait longer than the hung-task timeout
# NOMOD=no, RELOAD_CYCLES=0 and FALLBACK=no leave a phase out.
# Then it loads the module once more and powers off with it loaded, which
# takes the reboot notifier path (its line in the console log).
. /lib/apfint/guest.sh
T=/sys/kernel/debug/tracing
KP=$T/events/apfint/apf_wait

# Not-present #PFs the guest takes all pass through kvm_async_pf_task_wait
# (kvm_async_pf_task_wait_schedule from 5.8 on).
for f in kvm_async_pf_task_wait kvm_async_pf_task_wait_schedule; do
	echo "p:apfint/apf_wait $f" >>$T/kprobe_events 2>/dev/null && break
done
if [ -d "$KP" ] && echo 'hist:keys=common_pid' >"$KP/trigger"; then
	waits() { awk '/^ *Hits:/ { print $2; f = 1 } END { if (!f) print 0 }' "$KP/hist"; }
else
	echo "RESULT guest-kprobe skip no kprobe event on kvm_async_pf_task_wait"
	waits() { echo none; }
fi

phase() {
	echo "METRIC l2 phase=$1 piw=$(irq_count PIW) waits=$(waits)$(guest_counts)"
	echo "APFINT-PHASE $1"
	sleep 1
}

# workload NAME [STOP]: the touch workload; with STOP it runs until that
# file exists.
workload() {
	if /payload/touch "$TOUCH_MIB" "$TOUCH_PASSES" ${2:+"$2"}; then
		echo "RESULT workload-$1 ok"
	else
		echo "RESULT workload-$1 fail"
	fi
}

echo "METRIC l2 cpus=$(grep -c ^processor /proc/cpuinfo) kernel=$(uname -r)"
phase boot

# workload_phase NAME [SCRIPT...]: the workload with SCRIPT(s) and the
# progress lines beside it, then the phase's counts.  The workload runs
# until the scripts are done, so all their cycles happen during it.
workload_phase() {
	local name=$1 stop=/tmp/workload-stop s pids= wl progress
	shift
	rm -f $stop
	for s in "$@"; do
		sh "/payload/$s" &
		pids="$pids $!"
	done
	sh /payload/during-progress.sh &
	progress=$!
	if [ -n "$pids" ]; then
		workload "$name" $stop &
		wl=$!
		# shellcheck disable=SC2086  # one word per pid
		wait $pids
		: >$stop
		wait $wl
	else
		workload "$name"
	fi
	kill $progress 2>/dev/null
	wait $progress 2>/dev/null
	[ -r "$G/stats" ] && cat "$G/stats"
	phase "$name"
}

# NOMOD_HOTPLUG=yes: the hotplug cycles in the no-module phase too, the
# control for anything hotplug does with the module loaded.
# shellcheck disable=SC2046  # no word, or the one script
[ "${NOMOD:-yes}" = yes ] &&
	workload_phase nomod $([ "${NOMOD_HOTPLUG:-no}" = yes ] && echo during-hotplug.sh)

if guest_load; then
	echo "RESULT guest-load ok"
else
	echo "RESULT guest-load fail"
	dmesg | grep apfint_guest | tail -n 5
fi
sleep 2
cat "$G/stats"
if guest_all_active; then
	echo "RESULT guest-all-active ok"
else
	echo "RESULT guest-all-active fail"
fi
phase load

workload_phase mod during-hotplug.sh

# What an admin sees after real traffic: apfint-status's HANDLED column
# sums to the module's own total, read just before and just after it
# (page-readies may still trickle in).
if [ -x /payload/apfint-status ]; then
	t0=$(sed -n 's/^total irqs=\([0-9]*\).*/\1/p' "$G/stats")
	sum=$(/payload/apfint-status | awk '$2 == "interrupt" || $2 == "kernel" || $2 == "offline" { n += $(NF - 2) } END { print n + 0 }')
	t1=$(sed -n 's/^total irqs=\([0-9]*\).*/\1/p' "$G/stats")
	if [ "${t0:-0}" -gt 0 ] && [ "$sum" -ge "$t0" ] && [ "$sum" -le "$t1" ]; then
		echo "RESULT guest-apfint-status ok HANDLED sums to $sum (module total $t0..$t1)"
	else
		echo "RESULT guest-apfint-status fail HANDLED sums to $sum, module total $t0..$t1"
	fi
fi

RELOAD_CYCLES=${RELOAD_CYCLES:-3}
[ "$RELOAD_CYCLES" -gt 0 ] && workload_phase reload during-reload.sh

# kvm_intel loading (a stand-in: emulation has no VMX) must hand the
# vector back while tasks wait, and block a load while it is there.
if [ -f /payload/kvm_intel.ko ] && [ "${FALLBACK:-yes}" = yes ]; then
	guest_unload
	if insmod "$GUEST_KO" test_assume_vmx=1; then
		/payload/touch "$TOUCH_MIB" "$TOUCH_PASSES" >/tmp/fb.out 2>&1 &
		wl=$!
		sh /payload/during-progress.sh &
		sleep "${RELOAD_GAP:-3}"
		insmod /payload/kvm_intel.ko
		state=$(sed -n 's/^state //p' "$G/stats")
		active=$(grep -c '^cpu=.* active=1' "$G/stats")
		dmesg | grep -q 'apfint_guest: kvm_intel is loading' && warned=1 || warned=0
		if wait $wl; then
			echo "RESULT workload-fallback ok"
		else
			echo "RESULT workload-fallback fail"
		fi
		cat /tmp/fb.out
		if [ "$state" = fallback ] && [ "$active" = 0 ] && [ "$warned" = 1 ]; then
			echo "RESULT guest-fallback ok state=$state, no CPU in interrupt mode, warning logged"
		else
			echo "RESULT guest-fallback fail state=$state active_cpus=$active warned=$warned"
		fi
		guest_unload
		if insmod "$GUEST_KO" test_assume_vmx=1 2>/dev/null; then
			echo "RESULT guest-refuse-kvm-intel fail loaded beside kvm_intel"
			guest_unload
		else
			echo "RESULT guest-refuse-kvm-intel ok"
		fi
		rmmod kvm_intel
	else
		echo "RESULT guest-fallback fail insmod test_assume_vmx=1"
	fi
	dmesg | grep -E 'apfint_guest|kvm_intel' | tail -n 6
	if guest_load; then
		echo "RESULT guest-load-after-kvm-intel ok"
	else
		echo "RESULT guest-load-after-kvm-intel fail"
	fi
	phase fallback
fi

if guest_unload; then
	echo "RESULT guest-unload ok"
else
	echo "RESULT guest-unload fail"
fi
dmesg | grep apfint_guest | tail -n 3
# Longer than hung_task_timeout_secs (40): a task left waiting is reported.
sleep "${QUIET_WAIT:-50}"
blocked=$(grep -l '^State:.*(disk sleep)' /proc/[0-9]*/status 2>/dev/null | wc -l)
echo "METRIC l2 blocked_tasks=$blocked"
phase unload

if guest_load; then
	echo "RESULT guest-load-for-poweroff ok"
else
	echo "RESULT guest-load-for-poweroff fail"
fi
