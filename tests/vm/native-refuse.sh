# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash  # busybox sh, in the VM
# L1 on a native kernel: both modules as built for it (refusals only, as
# DKMS installs them there) refuse to load with ENODEV, which boot-time
# loaders take as "not for this machine", and say why in dmesg.
for m in apfint_host apfint_guest; do
	if err=$(insmod /payload/$m.ko 2>&1); then
		echo "RESULT $m-refuses fail it loaded"
		rmmod $m
		continue
	fi
	why=$(dmesg | sed -n "s/.*$m: \(.*\); not loading$/\1/p" | tail -n 1)
	case $err in
	*"No such device"*)
		if [ -n "$why" ]; then
			echo "RESULT $m-refuses ok ENODEV: $why"
		else
			echo "RESULT $m-refuses fail ENODEV but no reason in dmesg"
		fi ;;
	*) echo "RESULT $m-refuses fail $err" ;;
	esac
done
