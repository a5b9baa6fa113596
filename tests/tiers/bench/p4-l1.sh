#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the L1 VM (busybox sh) for tests/tiers/bench/p4: the
# measured VM's page-ready latency (P2's loop) and exit cost (P3's loop)
# alone, beside a crowd of VMS VMs x VCPUS vCPUs armed in interrupt mode
# and idle (apf_crowd_bench), and beside as many vCPUs with the legacy
# protocol (the control), with apfint_host loaded; ROUNDS rounds, the
# three cases' order rotating each round (FIRST shifts it).  Reads N, ITERS,
# BATCHES, VMS, VCPUS, ROUNDS and FIRST from the VM's settings.
# "p4-l1.sh measure CASE" is the measured VM itself (what the crowd runs);
# the payload carries this file as /payload/p4-l1.sh.
P=/payload
o=/tmp/bench-$$.out
b() {
	$P/apf_latency_bench "$@" >$o 2>&1
	cat $o
}
if [ "${1:-}" = measure ]; then
	b lat "$2" int "$N"
	b exits "$2" "$ITERS" "$BATCHES"
	exit 0
fi
for t in /sys/kernel/tracing /sys/kernel/debug/tracing; do
	[ -d $t/events ] && echo 16384 >$t/buffer_size_kb && break
done
echo "BENCHK $(uname -r) $(grep -c ^processor /proc/cpuinfo)cpu"
if ! insmod $P/kmod/apfint_host.ko; then
	echo "BENCHERR insmod apfint_host.ko failed"
	echo "BENCHEND"
	exit 0
fi
alone() { sh $P/p4-l1.sh measure p4-alone; }
crowd() {	# crowd CASE [--legacy]
	# shellcheck disable=SC2086  # the option, absent or one word
	$P/apf_crowd_bench ${2:-} "$VMS" "$VCPUS" /bin/sh $P/p4-l1.sh measure "$1" >$o.c 2>&1 ||
		echo "BENCHERR crowd $1 exited $?"
	cat $o.c
}
run_case() {
	case $1 in
	0) alone ;;
	1) crowd p4-crowd ;;
	2) crowd p4-legacy --legacy ;;
	esac
}
r=0
while [ $r -lt "$ROUNDS" ]; do
	echo "P4ROUND $r"
	i=0
	while [ $i -lt 3 ]; do
		run_case $(( (r + FIRST + i) % 3 ))
		i=$((i + 1))
	done
	r=$((r + 1))
done
rmmod apfint_host || echo "BENCHERR rmmod apfint_host failed"
echo "BENCHEND"
