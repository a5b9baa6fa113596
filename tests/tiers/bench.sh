#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Bench tier: one short run of 'make bench' (native case: P1 with APF on
# and off, and a tiny P2), so that the benchmark cannot rot.  It checks
# that figures come out, not what they are: performance lives in
# 'make bench' alone.
set -u
. "$(dirname "$0")/../lib/kernels.sh"
out=$("$APFINT_TOP/tests/bench/run" --smoke 2>&1)
p1=$(echo "$out" | grep '^BENCH native p1 ')
p2=$(echo "$out" | grep '^BENCH native p2-spin ')
if [ -n "$p1" ] && [ -n "$p2" ]; then
	echo "ok - bench/smoke ($p1; $p2)"
else
	missing=
	[ -n "$p1" ] || missing="$missing P1"
	[ -n "$p2" ] || missing="$missing P2"
	echo "not ok - bench/smoke (no BENCH line for$missing)"
	echo "$out" | tail -n 15 | sed 's/^/#   /'
fi
