#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernel_is_before (tests/lib/kernels.sh) on the cache names the tiers
# meet: stable releases, and distribution releases whose name carries an
# ABI number and a flavour after the upstream version (Ubuntu's
# 5.4.0-216-generic, RHEL's 4.18.0-147.el8.x86_64).  Every limit the
# tiers pass (4.15, 5.8, 5.9) is checked on each side.
set -u
. "$(dirname "$0")/../lib/kernels.sh"
t=unit/kernels

while read -r k limit want; do
	if kernel_is_before "$k" "$limit"; then got=yes; else got=no; fi
	if [ "$got" = "$want" ]; then
		echo "ok - $t/$k-before-$limit-$want"
	else
		echo "not ok - $t/$k before $limit: want $want, got $got"
	fi
done <<'TABLE'
5.4.286 5.8 yes
5.4.286 4.15 no
5.7.14 5.8 yes
5.8.18 5.8 no
5.8.18 5.9 yes
5.10 5.9 no
4.14.67 4.15 yes
4.19.72 4.15 no
5.8 5.8 no
debian-6.1 5.8 no
debian-6.1 5.9 no
5.4.0-216-generic 5.8 yes
5.4.0-216-generic 5.9 yes
5.4.0-216-generic 4.15 no
4.18.0-147 5.8 yes
4.18.0-147 4.15 no
4.18.0-147.el8.x86_64 5.8 yes
4.18.0-147.el8.x86_64 4.15 no
4.18.0-348.el8.x86_64 5.8 yes
TABLE

# Distribution kernels are in the list the tiers iterate over, in
# version order, and are not taken for debug builds.
got=$(APFINT_KERNELS=$(mktemp -d) && for k in 5.4.286 5.4.0-216-generic \
	4.18.0-147 5.4.286-debug; do mkdir -p "$APFINT_KERNELS/$k" &&
	: >"$APFINT_KERNELS/$k/vmlinuz"; done && cached_kernels | tr '\n' ' ' &&
	rm -rf "$APFINT_KERNELS")
want="4.18.0-147 5.4.0-216-generic 5.4.286 "
if [ "$got" = "$want" ]; then
	echo "ok - $t/cached-kernels-order"
else
	echo "not ok - $t/cached-kernels-order: want '$want', got '$got'"
fi
