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

# make install names the release the tree was built as, for the modules
# and for depmod alike, not the one its Makefile would compute (a
# distribution's: Ubuntu's 5.4.0-216-generic tree says 5.4.291).
name=unit/makefile/install-release
t=$(mktemp -d)
mkdir -p "$t/include/config"
echo 5.4.0-216-generic >"$t/include/config/kernel.release"
# shellcheck disable=SC2016  # $(KERNELRELEASE) is make's, in the file
printf 'kernelrelease:\n\t@echo 5.4.291\nmodules_install:\n\t@echo INSTALL $(KERNELRELEASE)\n' >"$t/Makefile"
got=$("${mk[@]}" -n -o modules install KDIR="$t" SBINDIR="$t/sbin" 2>&1 |
      sed -n 's/^\(echo \)\{0,1\}\(INSTALL .*\|depmod .*\)/\2/p' | sort -u | tr '\n' ' ')
rm -rf "$t"
if [ "$got" = "INSTALL 5.4.0-216-generic depmod -a 5.4.0-216-generic " ]; then
	echo "ok - $name ($got)"
else
	echo "not ok - $name (want the modules and depmod for 5.4.0-216-generic, got: $got)"
fi
