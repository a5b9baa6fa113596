# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash  # busybox sh, in the VM
# Smoke, either level: load and unload whichever apfint module is in
# /payload, say what the kernel printed, and boot L2 from L1 if one is packed.
refused=
# apfint_host holds the vendor module whose table it wraps (host_kmod/ops.c)
vendor=/sys/module/kvm_amd/refcnt
vref0=$(cat $vendor 2>/dev/null)
for m in apfint_host apfint_guest; do
	[ -f /payload/$m.ko ] || continue
	if insmod /payload/$m.ko; then
		echo "RESULT $m-load ok"
	else
		# No version number decides: a refusal names what the module
		# found in this kernel that it cannot work with, and fails here.
		echo "RESULT $m-load fail $(dmesg | grep "$m" | tail -n 2 | tr '\n' ' ')"
		refused=$m
		continue
	fi
	v=$(dmesg | sed -n "s/.*$m: version \([^ ]*\).*/\1/p" | tail -n 1)
	echo "RESULT $m-version $([ -n "$v" ] && echo "ok $v" || echo fail)"
	if [ $m = apfint_guest ] && [ -x /payload/apfint-status ]; then
		# What an admin sees: every online CPU in interrupt mode, as the
		# module's own stats file says.
		st=$(/payload/apfint-status)
		rows=$(echo "$st" | grep -c '^[0-9]* *interrupt ')
		cpus=$(grep -c '^cpu=[0-9]* online=1 active=1' /sys/kernel/debug/apfint_guest/stats)
		online=$(grep -c ^processor /proc/cpuinfo)
		if echo "$st" | grep -q "^apfint_guest $v: active," &&
		   [ "$rows" = "$online" ] && [ "$cpus" = "$online" ]; then
			echo "RESULT apfint-status-guest ok $rows of $online CPUs in interrupt mode, as the stats file"
		else
			echo "RESULT apfint-status-guest fail rows=$rows stats=$cpus online=$online: $(echo "$st" | head -n 2 | tr '\n' ' ')"
		fi
	fi
	[ $m = apfint_host ] || continue
	vref1=$(cat $vendor)
	if [ "$vref1" = $((vref0 + 1)) ] && ! rmmod kvm_amd 2>/tmp/rmmod.err; then
		echo "RESULT apfint_host-holds-vendor ok kvm_amd refcnt $vref0 -> $vref1; $(tr '\n' ' ' </tmp/rmmod.err)"
	else
		echo "RESULT apfint_host-holds-vendor fail kvm_amd refcnt $vref0 -> $vref1, loaded: $(grep -c '^kvm_amd ' /proc/modules)"
	fi
done
if [ "$APFINT_LEVEL" = 1 ]; then
	echo "RESULT kvm $([ -c /dev/kvm ] && echo ok || echo fail)"
	# With the host module refused there is nothing of ours for L2 to run.
	if [ -f /l2/vmlinuz ] && [ "$refused" != apfint_host ]; then
		run_l2
		echo "RESULT l2-run $([ $? = 0 ] && echo ok || echo fail)"
	fi
fi
for m in apfint_host apfint_guest; do
	grep -q "^$m " /proc/modules || continue
	if rmmod $m; then
		echo "RESULT $m-unload ok"
		[ $m = apfint_host ] || continue
		vref2=$(cat $vendor)
		echo "RESULT apfint_host-vendor-released $([ "$vref2" = "$vref0" ] && echo ok || echo fail) kvm_amd refcnt $vref2, $vref0 before the load"
	else
		echo "RESULT $m-unload fail"
	fi
done
