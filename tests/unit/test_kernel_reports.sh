#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The harness's kernel-problem scan (tests/harness/scan-log LOG) on the
# reports a debug kernel prints (KASAN, lockdep, UBSAN, debugobjects, list
# corruption, refcount, kmemleak, atomic sleep, lockups), at either level:
# each must fail the run and be named by the line it prints.  A clean boot
# of a debug kernel, with lockdep's and kmemleak's banners, must not.
set -u
scan=$(cd "$(dirname "$0")/../harness" && pwd)/scan-log
logs=$(cd "$(dirname "$0")/console" && pwd)
t=unit/kernel-reports

while read -r f want; do
	got=$("$scan" "$logs/reports/$f.log")
	if [ "$got" = "$want" ]; then
		echo "ok - $t/$f"
	else
		echo "not ok - $t/$f"
		echo "#   want: $want"
		echo "#   got:  $got"
	fi
done <<'TABLE'
kasan BUG: KASAN: use-after-free in apfint_async_pf_execute+0x1a2/0x260 [apfint_host]
lockdep-circular L2: WARNING: possible circular locking dependency detected
lockdep-rcu WARNING: suspicious RCU usage
atomic-sleep BUG: sleeping function called from invalid context at kernel/workqueue.c:3034
ubsan L2: UBSAN: Undefined behaviour in guest_kmod/irq.c:77:9
odebug ODEBUG: free active (active state 0) object type: work_struct hint: async_pf_execute+0x0/0x2a0 [kvm]
list-corruption list_del corruption. prev->next should be ffff88806a1b0e30, but was dead000000000100
refcount refcount_t: increment on 0; use-after-free.
kmemleak unreferenced object 0xffff88806b4e3c00 (size 256):
hung-task L2: INFO: task touch:212 blocked for more than 40 seconds.
hard-lockup NMI watchdog: Watchdog detected hard LOCKUP on cpu 1
non-static-key INFO: trying to register non-static key.
TABLE

got=$("$scan" "$logs/clean-debug-boot.log")
if [ -z "$got" ]; then
	echo "ok - $t/clean-debug-boot"
else
	echo "not ok - $t/clean-debug-boot"
	echo "#   reported: $got"
fi
