# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash  # busybox sh, in the VM
# The noharm tier in L1 (busybox sh): every KVM selftest in /payload/kvm
# without apfint_host, then apfint_host loaded and every test again, then
# the module unloaded.  One RESULT line per test:
#   RESULT <test> ok|fail|skip without=<rc> with=<rc> ...
# ok: both runs passed, or failed at the same assertion; skip: the test
# cannot run here, either way (KSFT_SKIP, or the same failure without the
# module: the stock kernel under the emulator); fail: the two differ.
# Settings (NOHARM_TESTS, NOHARM_TIMEOUT) come from the harness (--set).
. /lib/apfint/common.sh
: "${NOHARM_TESTS:=}" "${NOHARM_TIMEOUT:=120}"
O=/tmp/noharm
mkdir -p $O

tests=
for t in /payload/kvm/*; do
	[ -x "$t" ] || continue
	t=${t##*/}
	if [ -n "$NOHARM_TESTS" ]; then
		case " $NOHARM_TESTS " in *" $t "*) ;; *) continue ;; esac
	fi
	tests="$tests $t"
done
if [ -z "$tests" ]; then
	result "selftests fail none in /payload/kvm${NOHARM_TESTS:+ named $NOHARM_TESTS}"
	exit 0
fi

# run_all PHASE: each test once, its output in $O/<test>.PHASE, its exit
# status in $O/<test>.PHASE.rc and its seconds in $O/<test>.PHASE.s.
run_all() {
	local phase=$1 t s rc
	for t in $tests; do
		echo "NOHARM start $t $phase"
		s=$(date +%s)
		timeout "$NOHARM_TIMEOUT" "/payload/kvm/$t" >"$O/$t.$phase" 2>&1
		rc=$?
		echo $rc >"$O/$t.$phase.rc"
		echo $(($(date +%s) - s)) >"$O/$t.$phase.s"
		echo "NOHARM end $t $phase rc=$rc"
		if [ $rc != 0 ]; then
			tail -n 8 "$O/$t.$phase" | sed "s/^/# $t $phase: /"
		fi
	done
}

# failure FILE: where a failed test stopped: its first assertion's
# file:line, "timeout", or its last line of output.
failure() {
	local f=$1 at
	[ "$(cat "$f.rc")" = 143 ] && { echo timeout; return; }
	at=$(sed -n '/Test Assertion Failure/{n;s/^ *//;s/: .*//;p;q}' "$f")
	[ -n "$at" ] || at=$(grep -v '^ *$' "$f" | tail -n 1 | cut -c1-80)
	echo "${at:-no output}"
}

run_all without

if ! insmod /payload/apfint_host.ko; then
	result "host-load fail $(dmesg | grep apfint_host | tail -n 3 | tr '\n' ' ')"
	exit 0
fi
result "host-load ok"
dmesg | grep apfint_host | sed 's/^/# /'

run_all with

for t in $tests; do
	a=$(cat "$O/$t.without.rc") b=$(cat "$O/$t.with.rc")
	times="$(cat "$O/$t.without.s")s/$(cat "$O/$t.with.s")s"
	r="without=$a with=$b $times"
	if [ "$a" = 0 ] && [ "$b" = 0 ]; then
		result "$t ok $r"
	elif [ "$a" = 4 ] && [ "$b" = 4 ]; then
		result "$t skip $r: skipped both ways: $(grep -v '^ *$' "$O/$t.with" | tail -n 1 | cut -c1-80)"
	elif [ "$a" = "$b" ] &&
	     [ "$(failure "$O/$t.without")" = "$(failure "$O/$t.with")" ]; then
		result "$t skip $r: fails without the module too (the stock kernel under the emulator): $(failure "$O/$t.with")"
	elif [ "$a" = 0 ] || [ "$a" = 4 ]; then
		result "$t fail $r: with the module: $(failure "$O/$t.with")"
	else
		result "$t fail $r: without: $(failure "$O/$t.without"); with: $(failure "$O/$t.with")"
	fi
done

# Nothing of the tests' VMs may be left holding the module.
if rmmod apfint_host 2>/tmp/rmmod.err; then
	result "host-unload ok"
else
	result "host-unload fail $(tr '\n' ' ' </tmp/rmmod.err)"
fi
