# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash  # busybox sh, in the VM
# apfint_host checks, L2 side (an unmodified 5.9+ guest): the workload under
# memory pressure, then how many page-ready interrupts (HYP) it took.
. /lib/apfint/common.sh
# TOUCH_PASSES: the legacy run needs a longer workload
if [ -x /payload/touch ]; then
	/payload/touch 300 "${TOUCH_PASSES:-2}" | grep METRIC
fi
# Page-readies for pages touched just before (this shell, busybox, awk)
# may still arrive: report once the count has stopped moving for 3 s.
prev=-1 same=0 i=0
while [ $same -lt 3 ] && [ $i -lt 30 ]; do
	hyp=$(irq_count HYP)
	if [ "$hyp" = "$prev" ]; then
		same=$((same + 1))
	else
		same=0
	fi
	prev=$hyp
	sleep 1
	i=$((i + 1))
done
echo "METRIC l2 hyp_total=$hyp"
# L1 reads its injected counter when it sees the line above; a second
# reading shows whether anything arrived around that moment.  run_l2's
# sed buffers what it passes on to L1: push the line through with filler.
i=0
while [ $i -lt 120 ]; do
	echo "# flush ........................................................................"
	i=$((i + 1))
done
sleep 5
echo "METRIC l2 hyp_total2=$(irq_count HYP)"
