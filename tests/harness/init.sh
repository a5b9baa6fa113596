#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash  # busybox sh
# /init of every harness VM (L1 and L2).  The harness puts the level's
# settings in /etc/apfint/settings, the modules to load in
# /etc/apfint/modules, the test script in /etc/apfint/script.sh and the
# in-VM library in /lib/apfint/.

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

# Every setting is in the environment of the script and what it starts.
set -a
. /etc/apfint/settings
set +a
# 40 s: under a loaded emulator a CPU hotplug step or a swap-in can take
# 20 s without anything being stuck.
echo 40 >/proc/sys/kernel/hung_task_timeout_secs 2>/dev/null
echo -1 >/proc/sys/kernel/hung_task_warnings 2>/dev/null

# With the <module>.<param>=<value> of the command line, as modprobe would.
while read -r m; do
	[ -n "$m" ] || continue
	name=$(basename "$m" .ko | tr - _)
	args=
	# shellcheck disable=SC2013  # the command line's words
	for a in $(cat /proc/cmdline); do
		case $a in "$name".*=*) args="$args ${a#"$name".}" ;; esac
	done
	# shellcheck disable=SC2086  # one word per parameter
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

# l2_shutdown_watch: with APFINT_L2_DEBUG=1 the L2 QEMU pauses instead of
# exiting when L2 shuts down on its own (a triple fault looks like that
# under -no-reboot); this prints its CPUs' registers then ("L2MON" lines)
# and lets it go.  A run with no such end prints nothing.
l2_shutdown_watch() {
	local mon=/tmp/l2mon n from
	: >$mon.log
	cat $mon.out >>$mon.log &
	exec 8<>$mon.in
	while [ ! -f /tmp/l2.rc ]; do
		echo "info status" >&8
		if grep -q 'paused (shutdown)' $mon.log; then
			# its own power-off, after its script: nothing to see
			if scan-log -c /tmp/l2.console | grep -q '^APFINT-DONE level=2'; then
				echo quit >&8
				break
			fi
			echo "L2MON L2 shut down by itself (-no-shutdown): its CPUs"
			n=$(grep -c 'VM status' $mon.log)
			from=$(($(wc -l <$mon.log) + 1))
			echo "info registers -a" >&8
			echo "info status" >&8
			# the status after the dump: the dump is complete
			while [ "$(grep -c 'VM status' $mon.log)" -le "$n" ]; do
				sleep 1	# polls QEMU's reply
			done
			tail -n +$from $mon.log | tr -d '\r' |
				grep -a -E '^(CPU#|RIP|RAX|RSI|R8 |R12|ES |CS |SS |DS |FS |GS |TR |GDT|IDT|CR0|EFER)' |
				sed 's/^/L2MON /'
			echo quit >&8
			break
		fi
		sleep 2	# a watchdog's poll
	done
	exec 8>&-
}

# l2_qemu MONITOR [qemu args...]: the L2 QEMU, its exit status in /tmp/l2.rc.
l2_qemu() {
	local monitor=$1
	shift
	# shellcheck disable=SC2086  # "-monitor X": two words
	timeout "${L2_TIMEOUT:-900}" /usr/bin/qemu-system-x86_64 \
		-enable-kvm -cpu "${L2_CPU:-host}" \
		-smp "${L2_SMP:-1}" -m "${L2_MEM:-512}" \
		-nodefaults -display none $monitor -serial stdio \
		-no-reboot -L /usr/share/qemu \
		-kernel /l2/vmlinuz -initrd /l2/initrd \
		-append "console=ttyS0 panic=-1 no_timer_check ${L2_KASLR-nokaslr} noxsave $L2_APPEND" \
		"$@" </dev/null 2>&1
	echo $? >/tmp/l2.rc
}

# run_l2 [qemu args...]: boots the L2 guest packed into this initramfs.
run_l2() {
	local watch
	rm -f /tmp/l2.rc /tmp/l2.console
	if [ "$APFINT_L2_DEBUG" = 1 ]; then
		rm -f /tmp/l2mon.*
		mkfifo /tmp/l2mon.in /tmp/l2mon.out
		l2_shutdown_watch &
		watch=$!
		l2_qemu "-monitor pipe:/tmp/l2mon -no-shutdown" "$@" |
			tee /tmp/l2.console | sed 's/^/L2: /'
		wait $watch
	else
		l2_qemu "-monitor none" "$@" | sed 's/^/L2: /'
	fi
	return "$(cat /tmp/l2.rc 2>/dev/null || echo 1)"
}

# kmemleak (debug kernels): what is unreferenced after the boot is not the
# test's; what the script leaves is listed ("unreferenced object", a kernel
# problem for scan-log) before the power-off.
kmemleak=/sys/kernel/debug/kmemleak
if [ -w $kmemleak ]; then
	echo scan >$kmemleak
	echo clear >$kmemleak
fi

echo "APFINT-START level=$APFINT_LEVEL kernel=$(uname -r)"
(
	cd /tmp || exit
	. /etc/apfint/script.sh
)
rc=$?
if [ -w $kmemleak ]; then
	# It reports only objects older than 5 s (MSECS_MIN_AGE), so what
	# the script's last step freed too late needs that long to count;
	# and an object whose contents changed since the previous scan (a
	# new one: its first checksum) is held back a scan, so scan twice.
	sleep 6
	echo scan >$kmemleak
	echo scan >$kmemleak
	cat $kmemleak
fi
echo "APFINT-DONE level=$APFINT_LEVEL rc=$rc"
sync
poweroff -f
