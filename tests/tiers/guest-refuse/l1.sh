# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash  # busybox sh, in the VM
# guest-refuse, L1 side: a stock L1 boots the L2 (its CPU model from the
# settings, L2_CPU).
run_l2
