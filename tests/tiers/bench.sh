#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Bench tier: one short run of 'make bench' (native case, APF on and off),
# so that the benchmark cannot rot.  It checks that figures come out, not
# what they are: performance lives in 'make bench' alone.
set -u
. "$(dirname "$0")/../harness/lib.sh"
out=$("$APFINT_TOP/tests/bench/run" --smoke 2>&1)
line=$(echo "$out" | grep '^BENCH native p1 ')
if [ -n "$line" ]; then
	echo "ok - bench/smoke ($line)"
else
	echo "not ok - bench/smoke (no BENCH line)"
	echo "$out" | tail -n 15 | sed 's/^/#   /'
fi
