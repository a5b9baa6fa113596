# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash  # busybox sh, in the VM
# hotplug-control, L1 side: a stock L1 boots the L2 with 2 vCPUs, in a
# memory cgroup if CGROUP_MAX is set.
. /lib/apfint/common.sh
L2_CPU=host L2_MEM=512 L2_SMP=2
export L2_CPU L2_MEM L2_SMP
if [ -n "$CGROUP_MAX" ]; then
	l2_memory_limit "$CGROUP_MAX"
	run_l2_limited
else
	run_l2
fi
echo "RESULT l2-exit $([ $? = 0 ] && echo ok || echo fail)"
