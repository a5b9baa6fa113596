#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the L1 VM (busybox sh) for tests/tiers/bench/bench: P2 (page-ready
# latency) and P3 (exit rate with and without apfint_host.ko).  Reads from
# the VM's settings: N (P2 samples per mode; 0: no P2), P3ROUNDS, ITERS,
# BATCHES (P3) and FIRST (0: the module side goes first, 1: the stock
# side).  With /payload/kmod/apfint_host.ko (an old host): P2 with the
# module loaded (interrupt mode) and without it (stock, the legacy #PF
# protocol), then P3ROUNDS rounds of P3 alternating the two sides in
# ABBA order (insmod/rmmod in between).  Without it (a 5.8+ host): P2
# only.  Output: the program's P2/P3 lines.
P=/payload
# Each run's lines go to a file first, printed once the program has
# exited: kernel messages on the shared console (insmod, rmmod, process
# exit) would otherwise cut samples in half.
o=/tmp/bench.out
b() {
	$P/apf_latency_bench "$@" >$o 2>&1
	cat $o
}
for t in /sys/kernel/tracing /sys/kernel/debug/tracing; do
	[ -d $t/events ] && echo 16384 >$t/buffer_size_kb && break
done
echo "BENCHK $(uname -r) $(grep -c ^processor /proc/cpuinfo)cpu"

load() {
	insmod $P/kmod/apfint_host.ko && return 0
	echo "BENCHERR insmod apfint_host.ko failed"
	return 1
}

unload() {
	rmmod apfint_host || echo "BENCHERR rmmod apfint_host failed"
}

p2_with() { load && { b lat apfint int "$N"; unload; }; }
p2_without() { b lat stock-legacy legacy "$N"; }
p3_with() { load && { b exits p3-apfint "$ITERS" "$BATCHES"; unload; }; }
p3_without() { b exits p3-stock "$ITERS" "$BATCHES"; }

if [ ! -f $P/kmod/apfint_host.ko ]; then
	[ "$N" -gt 0 ] && b lat native int "$N"
	echo "BENCHEND"
	exit 0
fi
if [ "$N" -gt 0 ]; then
	if [ "${FIRST:-0}" = 0 ]; then
		p2_with
		p2_without
	else
		p2_without
		p2_with
	fi
fi
r=0
while [ $r -lt "${P3ROUNDS:-0}" ]; do
	# ABBA: the side that goes first alternates every round
	if [ $(( (r + ${FIRST:-0}) % 2 )) = 0 ]; then
		p3_with
		p3_without
	else
		p3_without
		p3_with
	fi
	r=$((r + 1))
done
echo "BENCHEND"
