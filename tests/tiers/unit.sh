#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Unit tier: each tests/unit/test_*.c is compiled in userspace together with
# the module sources named on its "unit-sources:" line (the very files the
# modules build from) and run; its TAP lines are kept as comments.  Each
# tests/unit/test_*.sh (the harness's own tests) is run as it is.
set -u
. "$(dirname "$0")/../lib/kernels.sh"
out=$APFINT_OUT/unit
mkdir -p "$out"
found=0
for t in "$APFINT_TOP"/tests/unit/test_*.c; do
	[ -f "$t" ] || continue
	found=1
	name=unit/$(basename "$t" .c)
	srcs=$(sed -n 's/.*unit-sources:\(.*\)/\1/p' "$t" | head -n 1)
	bin=$out/$(basename "$t" .c)
	# shellcheck disable=SC2046  # one word per source file
	if ! cc -std=gnu11 -O1 -g -Wall -Wextra -Werror -fsanitize=address,undefined \
		-I"$APFINT_TOP/tests/unit/shim" -I"$APFINT_TOP/include" \
		-o "$bin" "$t" $(for s in $srcs; do echo "$APFINT_TOP/$s"; done) \
		>"$bin.log" 2>&1; then
		echo "not ok - $name (does not compile)"
		sed 's/^/#   /' "$bin.log" | head -n 30
		continue
	fi
	if "$bin" >"$bin.out" 2>&1; then
		echo "ok - $name ($(grep -c '^ok ' "$bin.out") assertions)"
	else
		echo "not ok - $name"
		grep -v '^ok ' "$bin.out" | sed 's/^/#   /' | head -n 40
	fi
done
# Each tests/unit/test_*.sh prints its own TAP lines.
for t in "$APFINT_TOP"/tests/unit/test_*.sh; do
	[ -x "$t" ] || continue
	"$t"
done
[ $found = 1 ] || echo "not ok - unit (no tests/unit/test_*.c found)"
