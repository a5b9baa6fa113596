# SPDX-License-Identifier: GPL-2.0
#
# apfint: out-of-tree modules plus their tests.  'make help' lists the
# targets (each target's "## " text); README.md says the rest.

APFINT_KERNELS ?= /var/cache/apfint/kernels
export APFINT_KERNELS

ifneq ($(KVER),)
KDIR ?= $(APFINT_KERNELS)/$(KVER)/build
else
KDIR ?= /lib/modules/$(shell uname -r)/build
endif

TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
APFINT_VERSION ?= $(shell cat $(TOP)/VERSION)$(shell git -C $(TOP) rev-parse --short HEAD 2>/dev/null | sed 's/^/-g/')
export APFINT_VERSION

MODULE_DIRS ?= host_kmod guest_kmod

.PHONY: all modules clean distclean check unit build-test vm integration conformance \
	guest-vm guest-matrix hotplug-control lint demo bench dkms-test help print-version

all: modules ## both modules (the default)

modules: ## both modules: for KDIR, KVER, or the running kernel
	@test -f $(KDIR)/Makefile || { \
		echo "error: no kernel build tree at $(KDIR)"; \
		echo "  use KDIR=<tree> or KVER=<version in $(APFINT_KERNELS)>"; exit 2; }
	@for d in $(MODULE_DIRS); do \
		$(MAKE) -C $(KDIR) M=$(TOP)/$$d APFINT_VERSION=$(APFINT_VERSION) modules || exit; \
	done

clean: ## remove what builds make; keep build/test-out (test logs)
	@for d in $(MODULE_DIRS); do \
		rm -rf $$d/*.o $$d/.*.cmd $$d/*.ko $$d/*.mod $$d/*.mod.c \
			$$d/modules.order $$d/Module.symvers $$d/.tmp_versions; \
	done
	@# build/test-out keeps the test logs; 'make distclean' drops them too.
	rm -rf $(filter-out build/test-out,$(wildcard build/*))

distclean: clean ## clean, and the test logs too
	rm -rf build

# The test tiers (tests/tiers/): tests/run prints one TAP line per test and
# the summary line.  make check runs what CI runs.
check: ## the tiers CI runs: unit lint build dkms vm bench
	@$(TOP)/tests/run unit lint build dkms vm bench

unit: ## unit tier: module logic and the harness, in userspace
	@$(TOP)/tests/run unit

build-test: ## build tier: both modules, Debian 6.1 and each cached kernel
	@$(TOP)/tests/run build

dkms-test: ## dkms tier: DKMS build, install and autoinstall, thrown away
	@$(TOP)/tests/run dkms

vm: ## vm tier: 6.1 reference, smoke, probe, integration per cache
	@$(TOP)/tests/run vm

HOST ?= debian-6.1
GUEST ?= debian-6.1
integration: ## HOST in L1, GUEST in L2 under memory pressure, counted
	@$(TOP)/tests/run integration HOST=$(HOST) GUEST=$(GUEST)

conformance: ## the ABI probe in an L1 running HOST
	@$(TOP)/tests/run conformance HOST=$(HOST)

guest-vm: ## apfint_guest end to end: GUEST (before 5.9) on HOST
	@$(TOP)/tests/run guest-vm HOST=$(HOST) GUEST=$(GUEST)

# Not in make check: their L2s freeze or end in stock code under the
# emulator often enough to fail it on the emulation (tests/tiers/vm.sh).
guest-matrix: ## guest-vm for each cached guest, on 6.1 and on a 5.4
	@$(TOP)/tests/run guest-matrix

hotplug-control: ## stock kernels' CPU hotplug under the emulator (control)
	@$(TOP)/tests/run hotplug-control HOST=$(HOST) GUEST=$(GUEST)

lint: ## lint tier: checkpatch, sparse and shellcheck
	@$(TOP)/tests/run lint

demo: ## apfint_host at work on the newest cached old host
	@$(TOP)/tests/demo

bench: ## the benchmarks (tests/bench/run; slow)
	@$(TOP)/tests/bench/run

print-version: ## the version the modules are built with
	@echo $(APFINT_VERSION)

help: ## this list
	@echo 'make [target] [KDIR=<tree> | KVER=<version>] [HOST=<kernel>] [GUEST=<kernel>]'
	@echo 'kernels: debian-6.1 or a version in $(APFINT_KERNELS)'
	@sed -n 's/^\([a-z-]*\):.*## \(.*\)/  \1\t\2/p' $(TOP)/Makefile | expand -t 18
