# SPDX-License-Identifier: GPL-2.0
#
# The benchmark programs over the probe's library (tests/tiers/bench/bench):
#   make -f bench.mk [O=DIR]     builds apf_*_bench into out/ (or DIR)
# Kept apart from the conformance Makefile so that the conformance tier
# (tests/tiers/conformance/l1.sh), which runs every apf_*_test, never
# sees them.
include Makefile

BENCHES := $(patsubst %.c,$(O)/%,$(wildcard apf_*_bench.c))

.PHONY: bench
bench: $(BENCHES)
.DEFAULT_GOAL := bench

$(O)/%_bench: %_bench.c $(LIB_OBJ) $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(LIB_OBJ) -lpthread -lm
