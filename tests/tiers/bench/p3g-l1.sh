#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs in L1 for tests/tiers/bench/bench, P3's guest side: boots L2 (the old
# guest kernel) with p3g-l2.sh and nothing else going on, so that L2 never
# takes an async PF.
run_l2 || echo "BENCHERR L2 exited $?"
echo "BENCHEND"
