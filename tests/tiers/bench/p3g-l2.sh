#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs in L2 (busybox sh) for tests/tiers/bench/bench, P3's guest side: ROUNDS
# rounds of the p3g workload with and without apfint_guest.ko in ABBA
# order (insmod/rmmod in between), after one warm-up run.  Each run is labelled by whether the
# module really was loaded at that time (/proc/modules), not by intent.
. /lib/apfint/common.sh
P=/payload
echo "BENCHK2 $(uname -r)"

state() {
	grep -q '^apfint_guest ' /proc/modules && echo with || echo without
}

side() {
	if [ "$1" = with ]; then
		if ! grep -q '^apfint_guest ' /proc/modules; then
			loads=$((loads + 1))
			insmod $P/apfint_guest.ko ||
				echo "BENCHERR insmod apfint_guest.ko failed"
		fi
	else
		grep -q '^apfint_guest ' /proc/modules && { rmmod apfint_guest ||
			echo "BENCHERR rmmod apfint_guest failed"; }
	fi
	# printed after the run, away from the kernel's console messages
	$P/p3g "$(state)" "$LOOPS" "$MIB" >/tmp/p3g.out
	cat /tmp/p3g.out
}

# warm-up, not counted: L1 backs L2's memory on first use
$P/p3g warmup "$LOOPS" "$MIB" >/dev/null
r=0 loads=0
while [ $r -lt "$ROUNDS" ]; do
	if [ $((r % 2)) = 0 ]; then
		side with
		side without
	else
		side without
		side with
	fi
	r=$((r + 1))
done
# page-ready interrupts taken (one wake-all per insmod; more would mean
# the guest did fault asynchronously after all)
echo "BENCHPIW $(irq_count PIW) after $loads loads"
echo "BENCHEND2"
