# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash  # busybox sh, in the VM
# L1 on a native kernel: both modules as built for it (refusals only, as
# DKMS installs them there) refuse to load with ENODEV, which boot-time
# loaders take as "not for this machine", and say why in dmesg, at info
# level: boot-time loading tries them everywhere, and a machine that does
# not need them must not log an error.
for m in apfint_host apfint_guest; do
	if err=$(insmod /payload/$m.ko 2>&1); then
		echo "RESULT $m-refuses fail it loaded"
		rmmod $m
		continue
	fi
	why=$(dmesg | sed -n "s/.*$m: \(.*\); not loading$/\1/p" | tail -n 1)
	# dmesg -r keeps each line's <level>: 0-4 are emerg to warning.
	errs=$(dmesg -r | grep "$m: .*not loading" | grep -c '^<[0-4]>')
	case $err in
	*"No such device"*)
		if [ -z "$why" ]; then
			echo "RESULT $m-refuses fail ENODEV but no reason in dmesg"
		elif [ "$errs" != 0 ]; then
			echo "RESULT $m-refuses fail ENODEV, but the reason is logged as an error or warning: $why"
		else
			echo "RESULT $m-refuses ok ENODEV, at info level: $why"
		fi ;;
	*) echo "RESULT $m-refuses fail $err" ;;
	esac
done
