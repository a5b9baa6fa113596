# SPDX-License-Identifier: GPL-2.0
#
# The stress tier's VMM programs over the probe's library:
#   make -C tests/probe -f $PWD/tests/tiers/stress/stress.mk O=DIR
# Kept apart from the probe's Makefile so that run-in-l1.sh, which runs
# every apf_*_test, never sees them.
STRESS_DIR := $(dir $(lastword $(MAKEFILE_LIST)))
include Makefile

.PHONY: stress
stress: $(O)/apf_hold
.DEFAULT_GOAL := stress

$(O)/apf_hold: $(STRESS_DIR)hold.c $(LIB_OBJ) $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(LIB_OBJ) -lpthread -lm
