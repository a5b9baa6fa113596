#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# guest-vm tier: apfint_guest end to end (tests/vm/guest-test.sh) with
# GUEST in L2 on HOST.
exec "$(dirname "$0")/../vm/guest-test.sh" "${GUEST:?}" "${HOST:-debian-6.1}"
