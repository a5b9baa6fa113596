#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# /init of every harness VM (L1 and L2).  The harness puts the level's
# settings in /etc/apfint/env, the modules to load in /etc/apfint/modules
# and the test script in /etc/apfint/script.sh.

/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mkdir -p /proc /sys /dev /tmp /run
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts
mount -t tmpfs tmp /tmp
mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs /sys/kernel/debug/tracing 2>/dev/null
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null

. /etc/apfint/env
export APFINT_LEVEL APFINT_KERNEL
# 40 s: under a loaded emulator a CPU hotplug step or a swap-in can take
# 20 s without anything being stuck.
echo 40 >/proc/sys/kernel/hung_task_timeout_secs 2>/dev/null
echo -1 >/proc/sys/kernel/hung_task_warnings 2>/dev/null

# With the <module>.<param>=<value> of the command line, as modprobe would.
while read -r m; do
	[ -n "$m" ] || continue
	name=$(basename "$m" .ko | tr - _)
	args=
	for a in $(cat /proc/cmdline); do
		case $a in "$name".*=*) args="$args ${a#"$name".}" ;; esac
	done
	insmod "$m" $args || echo "HARNESS insmod failed: $m"
done </etc/apfint/modules
# APFINT_PIN=1 (an experiment): in L1, an idle VM keeps kvm's LAPIC static
# keys on (kvm-pin.c says why).
if [ "$APFINT_LEVEL" = 1 ] && [ -c /dev/kvm ] && [ "$APFINT_PIN" = 1 ]; then
	/bin/kvm-pin &
fi
# Where they sit (nokaslr boots): the harness names a stuck RIP with these.
awk '{ print "APFINT-MODULE " $1 " " $6 }' /proc/modules

if [ -b /dev/vda ] && [ "$APFINT_SWAP" = 1 ]; then
	mkswap /dev/vda >/dev/null && swapon /dev/vda ||
		echo "HARNESS swap setup failed"
fi

# run_l2 [qemu args...]: boots the L2 guest packed into this initramfs.
run_l2() {
	local rcfile=/tmp/l2.rc
	rm -f $rcfile
	{
		timeout "${L2_TIMEOUT:-900}" /usr/bin/qemu-system-x86_64 \
			-enable-kvm -cpu "${L2_CPU:-host}" \
			-smp "${L2_SMP:-1}" -m "${L2_MEM:-512}" \
			-nodefaults -display none -monitor none -serial stdio \
			-no-reboot -L /usr/share/qemu \
			-kernel /l2/vmlinuz -initrd /l2/initrd \
			-append "console=ttyS0 panic=-1 no_timer_check ${L2_KASLR-nokaslr} noxsave $L2_APPEND" \
			"$@" </dev/null 2>&1
		echo $? >$rcfile
	} | sed 's/^/L2: /'
	return "$(cat $rcfile 2>/dev/null || echo 1)"
}

echo "APFINT-START level=$APFINT_LEVEL kernel=$(uname -r)"
(
	cd /tmp
	. /etc/apfint/script.sh
)
echo "APFINT-DONE level=$APFINT_LEVEL rc=$?"
sync
poweroff -f
