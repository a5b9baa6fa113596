# SPDX-License-Identifier: GPL-2.0
# apfint_host checks, L2 side (an unmodified 5.9+ guest): did the kernel
# enable async PF, and how many page-ready interrupts (HYP) did it take.
. /payload/common.sh
if dmesg | grep -qi 'setup async PF'; then
	echo "METRIC l2 kernel_apf=on"
else
	echo "METRIC l2 kernel_apf=off"
fi
dmesg | grep -i 'async pf\|kvm-guest\|kvm-clock' | sed 's/^/# /'
if [ -x /payload/touch ]; then
	/payload/touch 300 2 | grep METRIC
fi
echo "METRIC l2 hyp_total=$(irq_count HYP)"
