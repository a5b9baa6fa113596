#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/vm/conformance.sh HOST: the ABI conformance probe (tests/probe) in
# an L1 VM running HOST (debian-6.1, or a version in $APFINT_KERNELS).
# Prints one TAP line per scenario, "conformance/<host>/<scenario>", and
# then, per scenario whose event log differs from the Debian 6.1 one
# (tests/probe/golden-6.1.txt), a line "conformance/<host>/diff/<scenario>"
# that passes only if expect.tbl documents that difference for HOST.
# For a cached kernel, apfint_host.ko is built for it and loaded in L1
# when it builds; otherwise the stock kernel runs and the gap shows.
#
# Environment: PROBE_BREAK=<item,...> (items: all, <scenario>, or
# <scenario>:<check>) inverts those expectations (each named scenario must
# then fail); PROBE_ONLY=<apf_x_test,...>; PROBE_REPEAT=N runs each
# scenario up to N times, stopping at its first failure (flake hunting;
# the L1 time limit grows with it);
# PROBE_UPDATE_GOLDEN=1 (debian-6.1 only) rewrites the golden log;
# PROBE_LOG=<file> puts the console log there instead of
# build/test-out/conformance/HOST/; PROBE_NO_MODULE=1 runs stock;
# PROBE_NO_TABLE=1 ignores expect.tbl; PROBE_KICK_LEGACY=1 runs the kick
# measurement over the legacy #PF protocol (old hosts: no kick there);
# HOST_MODULE_ARGS=<params> for apfint_host (unverified=1 when porting);
# CONFORMANCE_FIRST_LIMIT=<s> cuts the first boot short (tests the resume
# after frozen boots, below).
# Exit status: 0 when the run completed (failures are in the TAP lines),
# non-zero on a harness or build error.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/build.sh"
. "$here/../lib/tap.sh"
top=$(cd "$here/../.." && pwd)
probe=$top/tests/probe
golden=$probe/golden-6.1.txt
host=${1:?usage: conformance.sh HOST}
K=${APFINT_KERNELS:-/var/cache/apfint/kernels}

if [ "$host" != debian-6.1 ] && [ ! -f "$K/$host/vmlinuz" ]; then
	echo "ok - conformance/$host # SKIP $host not in \$APFINT_KERNELS"
	exit 0
fi

# Kept after the run (console.log, harness.out): a failure's only witness.
work=$APFINT_OUT/conformance/$host
rm -rf "$work"
mkdir -p "$work"
pay=$work/payload
mkdir -p "$pay/probe"

if ! make -s -C "$probe" O="$pay/probe" >"$work/build.log" 2>&1; then
	echo "not ok - conformance/$host/build # the probe does not build"
	sed 's/^/#   /' "$work/build.log" | tail -n 20
	exit 1
fi
rm -rf "$pay/probe/lib"
# PROBE_NO_TABLE=1: upstream expectations everywhere (shows that the
# documented differences really are differences).
[ -n "${PROBE_NO_TABLE:-}" ] && rm -f "$pay/probe/expect.tbl"
# The probe's settings in the VM: only those given (a probe reads an
# empty variable as set).
sets=()
for v in PROBE_BREAK PROBE_ONLY PROBE_REPEAT PROBE_KICK_LEGACY PROBE_KICK_DEBUG \
	 HOST_MODULE_ARGS; do
	[ -n "${!v:-}" ] && sets+=(--set "$v=${!v}")
done

module=stock
if [ "$host" != debian-6.1 ] && [ -z "${PROBE_NO_MODULE:-}" ]; then
	if build_modules "$host" && [ -f "$MODDIR/host_kmod/apfint_host.ko" ]; then
		mkdir -p "$pay/kmod"
		cp "$MODDIR/host_kmod/apfint_host.ko" "$pay/kmod/"
		module=apfint_host.ko
	else
		echo "# apfint_host.ko does not build for $host: running stock"
		tail -n 5 "$MODDIR/build.log" 2>/dev/null | tap_comment
	fi
fi
echo "# conformance/$host: probe in L1, host module: $module"

log=${PROBE_LOG:-$work/console.log}
# 6.1 passes in well under a minute; a broken host may use up every
# test's watchdog (15 s each).
limit=150
[ "$host" = debian-6.1 ] || limit=360
limit=$((limit * ${PROBE_REPEAT:-1}))
# Every scenario prints within its 15 s watchdog, so a console silent for
# a minute is a frozen emulation (seen with 6.1 in many_spin about one run
# in twenty; the harness then logs where each CPU was and boots again).
# Multi-threaded TCG freezes now and then when L1 patches code another
# CPU runs (a CPU left at int3; 5.7 L1s at VM creation, kvm's static keys,
# 3 of 6 boots on 2026-11-26): up to three more boots.  Single-threaded
# TCG does not freeze there but delivers an interrupt twice now and then
# (an extra page-ready, stock 6.1 too: 1 run in 6), which the probe
# rightly fails, so it is not used.  A soft lockup or RCU stall of L1 is
# booted again only where L1 runs no module of ours (the reference host).
ours=none
[ "$module" = stock ] || ours=l1
run_l1() {	# run_l1 LOG TIME-LIMIT [--set NAME=VALUE...]
	local log=$1 limit=$2
	shift 2
	"$top/tests/harness/vm" --host "$host" --payload "$pay" \
		--ours $ours --stall 60 ${sets[@]+"${sets[@]}"} "$@" \
		--l1 "$pay/probe/run-in-l1.sh" --timeout "$limit" --log "$log" \
		>"$work/harness.out" 2>&1
}

# Every boot's console, in boot order, as lines to match (console_lines).
boots() {
	local f
	for f in $(ls "$log".retry* 2>/dev/null | sort -V) "$log" \
		 $(ls "$log".resume.retry* 2>/dev/null | sort -V) "$log".resume; do
		[ -f "$f" ] && console_lines "$f"
	done
}

# The scenarios to report, and those no boot gave a result for.
scenarios=$(ls "$pay/probe" | sed -n 's/^apf_\(.*\)_test$/\1/p')
if [ -n "${PROBE_ONLY:-}" ]; then
	scenarios=$(echo "$PROBE_ONLY" | tr ',' '\n' |
		    sed -n 's/^apf_\(.*\)_test$/\1/p')
fi
unfinished() {
	local s
	for s in $scenarios; do
		boots | grep -aq "^RESULT $s " || echo "apf_${s}_test"
	done
}

run_l1 "$log" "${CONFORMANCE_FIRST_LIMIT:-$limit}"
rc=$?
if [ $rc = 77 ]; then
	echo "ok - conformance/$host # SKIP $(grep -m1 SKIP "$work/harness.out")"
	exit 0
fi
# Boots the emulator froze (the retries used up) may each have finished
# part of the list: one more boot runs only what none finished (a 5.7 L1
# froze four boots in a row at int3, the first after 17 of 18 scenarios).
# Not when no scenario ever finished: that is no freeze to ride out.
todo=$(unfinished | tr '\n' ',' | sed 's/,$//')
if [ $rc != 0 ] && [ -n "$todo" ] && boots | grep -aq '^PROBE end '; then
	echo "# conformance/$host: the boots ended early (exit $rc); resuming with $todo"
	run_l1 "$log".resume $limit --set PROBE_ONLY="$todo"
	rc=$?
fi

# console_from LINE: a dozen console lines from LINE on (the end of the
# log if LINE never came), for a scenario without a result: in CI the
# report is the only witness.
console_from() {
	local shown
	shown=$(console_lines "$log" | awk -v l="$1" '$0 == l { f = 1 } f && n++ < 12')
	[ -n "$shown" ] || shown=$(echo "(never started; the log ends:)";
				   console_lines "$log" | tail -n 8)
	echo "$shown" | sed 's/^/#   /'
}

# One TAP line per scenario the probe has.
boots >"$work/boots.txt"
r=$(result_of "$work/boots.txt" module_load)
[ -z "$r" ] || tap_verdict "conformance/$host/module_load" fail "${r#* }"
for s in $scenarios; do
	r=$(result_of "$work/boots.txt" "$s")
	v=${r%% *} t=${r#"${r%% *}"}
	tap_verdict "conformance/$host/$s" "${v:-none}" "${t# }"
	[ -n "$r" ] || console_from "PROBE start apf_${s}_test"
done
boots | grep -a '^PROBE retry ' | sed 's/^/# /'
boots | grep -a '^LAT \|^METRIC ' | sed 's/^/# /'
# Where a faulting thread was when its async work never completed.
boots | grep -a '^# \(note: \)\?page [0-9]*: ' | sed 's/^#/#  /'

# The event log, left of the '|': what every host must agree on.  Per
# scenario its last finished run, over every boot (with PROBE_REPEAT or a
# resume, the run its verdict comes from).
boots | awk '
	/^PROBE start apf_.*_test$/ {
		s = $3; sub(/^apf_/, "", s); sub(/_test$/, "", s)
		if (!(s in seen)) { order[k++] = s; seen[s] = 1 }
		bn = 0
	}
	/^EV / { sub(/ *\|.*$/, ""); b[bn++] = $0 }
	/^PROBE end apf_.*_test / {
		s = $3; sub(/^apf_/, "", s); sub(/_test$/, "", s)
		for (j = 0; j < bn; j++) ev[s, j] = b[j]
		n[s] = bn; bn = 0
	}
	END {
		for (i = 0; i < k; i++)
			for (j = 0; j < n[order[i]]; j++)
				print ev[order[i], j]
	}' >"$work/events.txt"

if [ "$host" = debian-6.1 ] && [ -n "${PROBE_UPDATE_GOLDEN:-}" ]; then
	if [ $rc = 0 ]; then
		{
			echo "# Event log of the probe on Debian 6.1 native" \
			     "(tests/vm/conformance.sh debian-6.1):"
			echo "# the reference other hosts are compared with."
			cat "$work/events.txt"
		} >"$golden"
		echo "# golden log rewritten: $golden"
	fi
fi

# Differences from the 6.1 log, per scenario.
tbl_hosts_match() {	# tbl_hosts_match HOSTS: does HOSTS cover $host?
	local h=$1 v
	[ "$h" = all ] && return 0
	[ "$host" = debian-6.1 ] && v=6.1 || v=$host
	case $h in
	"<"*) kernel_is_before "$v" "${h#<}" ;;
	">="*) ! kernel_is_before "$v" "${h#>=}" ;;
	*) case $v in "$h"*) return 0 ;; esac; return 1 ;;
	esac
}
documented() {	# documented SCENARIO: prints the table's reasons
	local s=$1 sc key hosts why
	[ -f "$pay/probe/expect.tbl" ] || return 0
	while read -r sc key hosts _ why; do
		case $sc in ''|'#'*) continue ;; esac
		[ "$sc" = "$s" ] || continue
		tbl_hosts_match "$hosts" && echo "$key: $why"
	done <"$pay/probe/expect.tbl"
}
if [ -f "$golden" ] && [ -z "$(unfinished)" ]; then
	for s in $scenarios; do
		grep -a "^EV $s " "$golden" | tr -d '\r' >"$work/g.$s"
		grep -a "^EV $s " "$work/events.txt" >"$work/e.$s"
		cmp -s "$work/g.$s" "$work/e.$s" && continue
		# documented: the table has entries for this scenario and host,
		# and the scenario passed with them (its checks pin the old
		# behaviour down; a failing scenario explains nothing)
		why=$(documented "$s" | head -n 3 | tr '\n' ';')
		boots | grep -a "^RESULT $s " | tail -n 1 | grep -aq "^RESULT $s ok" || why=
		if [ -n "$why" ]; then
			echo "ok - conformance/$host/diff/$s # documented difference (expect.tbl): $why"
		else
			echo "not ok - conformance/$host/diff/$s # differs from the Debian 6.1 event log"
		fi
		diff "$work/g.$s" "$work/e.$s" | grep '^[<>]' | head -n 12 |
			sed 's/^</#   6.1:/; s/^>/#   '"$host"':/'
	done
elif [ ! -f "$golden" ]; then
	echo "# no golden log ($golden): differences not checked"
fi

# Where the CPUs were when a boot was killed (see tests/harness/README.md).
boots | grep -a '^HARNESS cpu: \(CPU\|RIP\)' |
	sed 's/^/# /'
case $rc in
0) exit 0 ;;
124) echo "not ok - conformance/$host/harness # timeout: $(grep -a HARNESS "$work/harness.out")"
     exit 1 ;;
*) echo "not ok - conformance/$host/harness # $(grep -a HARNESS "$work/harness.out" | tail -n 1) (exit $rc, log $log)"
   exit 1 ;;
esac
