# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash  # busybox sh, in the VM
# guest-refuse, L2 side: apfint_guest must refuse to load, and say why.
if insmod /payload/apfint_guest.ko; then
	echo "RESULT refused fail it loaded"
	rmmod apfint_guest
else
	echo "RESULT refused ok $(dmesg | sed -n 's/.*apfint_guest: //p' | tail -n 1)"
fi
