#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The console scanner (tests/harness/scan-log) and the harness's reading of
# a console through it, on hand-written logs in tests/unit/console/: a
# marker must be found wherever it falls in a line (a console line cut off
# without its newline glues the next marker to it).  TAP lines.
set -u
. "$(dirname "$0")/../lib/kernels.sh"
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

# Each kind of marker, as the scripts print it, glued after a cut-off line
# at either level.
bad=
while IFS= read -r m; do
	for pfx in "" "L2: "; do
		want=$(printf '%scut off\n%s%s' "$pfx" "$pfx" "$m")
		got=$(printf '%scut off%s\n' "$pfx" "$m" | "$scan" -c /dev/stdin)
		[ "$got" = "$want" ] || bad="$bad [$pfx$m]"
	done
done <<'MARKERS'
APFINT-START level=2 kernel=5.4.286
APFINT-DONE level=2 rc=0
APFINT-MODULE apfint_host 0xffffffffc0a00000
RESULT host-load ok
RESULT module_load fail insmod apfint_host.ko
RESULT hist-kvm_async_pf_ready skip no such event
METRIC l2 hyp_total=12
METRIC kick_ipi spinning_in_guest=3 kicked=2 of=5
L2MON RIP=ffffffff81000000
PROBE start apf_kick_test
PROBE end apf_kick_test rc=0
PROBE retry apf_many_multi_test: every page-ready taken, vCPU left halted
PROBE repeat apf_kick_test runs=3 rc=0
PROBE finished
PROBE host=5.4.286
PROBE module=loaded
LAT kick spinning->handler n=10 min=1.0
PROGRESS t=10s cpus=0-1 piw=3
PROGRESS stuck? touch 42 wchan 0
HP 10 12s
BENCHERR no kvm
BENCHK 5.4.286
BENCHK2 5.4.286
BENCHPIW 12 after 3 loads
P3G with 1234 5678
MARKERS
# level 1's own, and the harness's, leave an L2 line behind
for m in "APFINT-DONE level=1 rc=0" "APFINT-START level=1 kernel=5.4.286" "HARNESS cpu: RIP=ffffffff81000000"; do
	want=$(printf 'L2: cut off\n%s' "$m")
	got=$(printf 'L2: cut off%s\n' "$m" | "$scan" -c /dev/stdin)
	[ "$got" = "$want" ] || bad="$bad [L2: $m]"
done
# a marker's own text, and text that only looks like one, stay whole
for l in "RESULT x fail dmesg: RESULT y" "RESULTS are in" "a METRIC is a measure" "PROBEs probe"; do
	got=$(printf '%s\n' "$l" | "$scan" -c /dev/stdin)
	[ "$got" = "$l" ] || bad="$bad [$l]"
done
if [ -z "$bad" ]; then
	echo "ok - $t/every-marker"
else
	echo "not ok - $t/every-marker (not split as expected:$bad)"
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
# and booted again, the second boot judged ok.  Every L1 carries the
# in-VM library and the one settings file, with --set's values intact.
name=unit/harness/l2-early-end-retried
if ! kernel_resolve debian-6.1; then
	echo "ok - $name # SKIP $KMISSING"
	exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/bin"
# The stand-in prints $work/console.N at boot N, or the last one there is.
cat >"$work/bin/qemu-system-x86_64" <<EOS
#!/bin/sh
# the VMs read consoles with scan-log too
while [ "\$1" != -initrd ]; do shift; done
cpio -it --quiet <"\$2" | grep -qx bin/scan-log ||
	{ echo "HARNESS fake: no bin/scan-log in L1's initramfs"; exit 1; }
cpio -it --quiet <"\$2" | grep -qx lib/apfint/common.sh ||
	{ echo "HARNESS fake: no lib/apfint/common.sh in L1's initramfs"; exit 1; }
n=\$(ls "$work"/boot.* 2>/dev/null | wc -l)
: >"$work/boot.\$n"
cpio -i --quiet --to-stdout etc/apfint/settings <"\$2" >"$work/settings.\$n"
c=\$n
while [ ! -f "$work/console.\$c" ]; do c=\$((c - 1)); done
cat "$work/console.\$c"
EOS
chmod +x "$work/bin/qemu-system-x86_64"
: >"$work/l1.sh"
: >"$work/l2.sh"
# fake_run CONSOLE... -- HARNESS-ARGS...: the harness over those boots.
fake_run() {
	local i=0
	rm -f "$work"/boot.* "$work"/console.* "$work"/settings.*
	while [ "$1" != -- ]; do
		cp "$logs/$1" "$work/console.$i"
		i=$((i + 1))
		shift
	done
	shift
	PATH=$work/bin:$PATH APFINT_RETRIES=1 "$APFINT_TOP/tests/harness/vm" \
		--host debian-6.1 --guest debian-6.1 --l1 "$work/l1.sh" \
		--l2 "$work/l2.sh" --timeout 60 --log "$work/console.log" "$@" \
		>"$work/out" 2>&1
}
fake_run l2-cut-off.log glued-markers.log -- --ours none \
	--set T_PLAIN=1 --set "T_WORDS=a b'c \$x" --set T_PLAIN=2
rc=$?
if [ $rc = 0 ] &&
   grep -q '^HARNESS note: L2 ended before its script started (last line: L2: \[    0.052000\] LSM: Securi)' "$work/out" &&
   grep -q '^L2: RESULT refused ok ' "$work/out" &&
   grep -q '^HARNESS ok ' "$work/out" &&
   [ "$(sh -c '. "$1"; echo "$APFINT_LEVEL|$T_PLAIN|$T_WORDS"' sh "$work/settings.0")" = "1|2|a b'c \$x" ]; then
	echo "ok - $name"
else
	echo "not ok - $name (exit $rc)"
	sed 's/^/#   /' "$work/out"
fi

# The retry policy from --ours: an L2 that ended mid-script is booted
# again only where nothing of ours had run in it yet.
# l2_end_case NAME CONSOLE OURS RETRIED(yes|no)
l2_end_case() {
	local n=unit/harness/l2-end-$1 rc
	fake_run "$2" glued-markers.log -- --ours "$3"
	rc=$?
	if [ "$4" = yes ] && [ $rc = 0 ] &&
	   grep -q '^HARNESS note: L2 ended in the middle of its script' "$work/out"; then
		echo "ok - $n (booted again)"
	elif [ "$4" = no ] && [ $rc = 1 ] && ! grep -q '^HARNESS note' "$work/out" &&
	     grep -q '^HARNESS problem after [0-9]*s: L2 never finished its script' "$work/out"; then
		echo "ok - $n (a verdict)"
	else
		echo "not ok - $n (exit $rc, retried: want $4)"
		sed 's/^/#   /' "$work/out"
	fi
}
l2_end_case stock l2-end-loaded.log none yes
l2_end_case guest-not-yet-loaded l2-end-unloaded.log l2 yes
l2_end_case guest-loaded l2-end-loaded.log l2 no
l2_end_case host-module l2-end-unloaded.log l1 no
