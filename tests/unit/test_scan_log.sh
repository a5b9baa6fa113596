#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The console scanner (tests/harness/scan-log) and the harness's reading of
# a console through it, on hand-written logs in tests/unit/console/: a
# marker must be found wherever it falls in a line (a console line cut off
# without its newline glues the next marker to it).  TAP lines.
set -u
. "$(dirname "$0")/../harness/lib.sh"
scan=$APFINT_TOP/tests/harness/scan-log
logs=$APFINT_TOP/tests/unit/console
t=unit/scan-log

# L2 died in early boot, its last line cut off: L1's end marker follows.
out=$("$scan" -c "$logs/l2-cut-off.log")
if echo "$out" | grep -qx 'APFINT-DONE level=1 rc=0' &&
   echo "$out" | grep -qx 'L2: \[    0.052000\] LSM: Securi'; then
	echo "ok - $t/marker-after-cut-off-line"
else
	echo "not ok - $t/marker-after-cut-off-line"
	echo "$out" | tail -n 3 | sed 's/^/#   /'
fi

# Markers glued at either level, in a console with carriage returns.
if out=$(diff "$logs/glued-markers.expected" <("$scan" -c "$logs/glued-markers.log")); then
	echo "ok - $t/glued-markers"
else
	echo "not ok - $t/glued-markers"
	echo "$out" | sed 's/^/#   /'
fi

# No kernel problem in either; the problem scan still reads glued lines.
if [ -z "$("$scan" "$logs/l2-cut-off.log")" ] &&
   [ -z "$("$scan" "$logs/glued-markers.log")" ] &&
   [ "$(printf 'L2: cut offAPFINT-DONE level=2\nL2: [    2.0] BUG: kernel NULL pointer dereference\n' |
	"$scan" /dev/stdin)" = "L2: BUG: kernel NULL pointer dereference" ]; then
	echo "ok - $t/problems"
else
	echo "not ok - $t/problems"
fi

# tests/harness/vm itself, with a stand-in for QEMU that prints the logs
# above, one per boot: the early end of the first boot must be recognised
# and booted again, the second boot judged ok.
name=unit/harness/l2-early-end-retried
if ! kernel_resolve debian-6.1; then
	echo "ok - $name # SKIP $KMISSING"
	exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/bin"
cat >"$work/bin/qemu-system-x86_64" <<EOS
#!/bin/sh
# the VMs read consoles with scan-log too
while [ "\$1" != -initrd ]; do shift; done
cpio -it --quiet <"\$2" | grep -qx bin/scan-log ||
	{ echo "HARNESS fake: no bin/scan-log in L1's initramfs"; exit 1; }
n=\$(ls "$work"/boot.* 2>/dev/null | wc -l)
: >"$work/boot.\$n"
case \$n in
0) cat "$logs/l2-cut-off.log" ;;
*) cat "$logs/glued-markers.log" ;;
esac
EOS
chmod +x "$work/bin/qemu-system-x86_64"
: >"$work/l1.sh"
: >"$work/l2.sh"
PATH=$work/bin:$PATH APFINT_RETRIES=1 "$APFINT_TOP/tests/harness/vm" \
	--host debian-6.1 --guest debian-6.1 --l1 "$work/l1.sh" \
	--l2 "$work/l2.sh" --timeout 60 --log "$work/console.log" \
	>"$work/out" 2>&1
rc=$?
if [ $rc = 0 ] &&
   grep -q '^HARNESS note: L2 ended before its script started (last line: L2: \[    0.052000\] LSM: Securi)' "$work/out" &&
   grep -q '^L2: RESULT refused ok ' "$work/out" &&
   grep -q '^HARNESS ok ' "$work/out"; then
	echo "ok - $name"
else
	echo "not ok - $name (exit $rc)"
	sed 's/^/#   /' "$work/out"
fi
