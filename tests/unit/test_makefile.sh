#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The Makefile: 'make help' lists every target, once, and only the .PHONY
# ones (each target's "## " text is its line); every target in it exists.
set -u
. "$(dirname "$0")/../lib/kernels.sh"
name=unit/makefile/help
mk=(make -s --no-print-directory -C "$APFINT_TOP")
phony=$("${mk[@]}" -pRrq : 2>/dev/null | sed -n 's/^\.PHONY: //p' | tr ' ' '\n' | sed '/^$/d' | sort)
helped=$("${mk[@]}" help | sed -n 's/^  \([a-z-]*\) .*/\1/p' | sort)
rules=$("${mk[@]}" -pRrq : 2>/dev/null | sed -n 's/^\([a-z-]*\):.*/\1/p' | sort -u)
missing=$(comm -23 <(echo "$phony") <(echo "$rules") | tr '\n' ' ')
if [ -n "$phony" ] && [ "$phony" = "$helped" ] && [ -z "$missing" ] &&
   [ -z "$(echo "$helped" | uniq -d)" ]; then
	echo "ok - $name ($(echo "$phony" | wc -l) targets)"
else
	echo "not ok - $name"
	diff <(echo "$phony") <(echo "$helped") | sed 's/^/#   .PHONY vs help: /'
	[ -z "$missing" ] || echo "#   .PHONY without a rule: $missing"
fi
