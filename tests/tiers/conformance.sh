#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Conformance tier: the ABI probe (tests/probe) in an L1 running HOST.
set -u
. "$(dirname "$0")/../lib/kernels.sh"
if [ ! -x "$APFINT_TOP/tests/vm/conformance.sh" ]; then
	echo "not ok - conformance/${HOST:-debian-6.1} (tests/vm/conformance.sh is missing)"
	exit 0
fi
"$APFINT_TOP/tests/vm/conformance.sh" "${HOST:-debian-6.1}" ||
	echo "not ok - conformance/${HOST:-debian-6.1}/harness (exit $?)"
