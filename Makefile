# SPDX-License-Identifier: GPL-2.0
#
# apfint: out-of-tree modules plus their tests.
#   make                      both modules against the running kernel
#   make KDIR=<tree>          against any configured kernel tree
#   make KVER=<version>       against $(APFINT_KERNELS)/<version>/build
#   make check                every test tier that can run here
# See README.md for the rest.

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

# Module builds happen in a copy per kernel (objects of one kernel must
# never be linked against another), under build/<kernel>/.
KTAG = $(subst /,_,$(patsubst /%,%,$(abspath $(KDIR))))

.PHONY: all modules clean distclean check unit build-test vm integration conformance \
	guest-vm guest-matrix hotplug-control lint demo bench dkms-test help print-version

all: modules

modules:
	@test -f $(KDIR)/Makefile || { \
		echo "error: no kernel build tree at $(KDIR)"; \
		echo "  use KDIR=<tree> or KVER=<version in $(APFINT_KERNELS)>"; exit 2; }
	@for d in $(MODULE_DIRS); do \
		$(MAKE) -C $(KDIR) M=$(TOP)/$$d APFINT_VERSION=$(APFINT_VERSION) modules || exit; \
	done

clean:
	@for d in $(MODULE_DIRS); do \
		rm -rf $$d/*.o $$d/.*.cmd $$d/*.ko $$d/*.mod $$d/*.mod.c \
			$$d/modules.order $$d/Module.symvers $$d/.tmp_versions; \
	done
	@# build/test-out keeps the test logs; 'make distclean' drops them too.
	rm -rf $(filter-out build/test-out,$(wildcard build/*))

distclean: clean
	rm -rf build

# The test tiers: tests/run prints one line per test and the summary line.
check:
	@$(TOP)/tests/run unit lint build dkms vm bench

unit:
	@$(TOP)/tests/run unit

build-test:
	@$(TOP)/tests/run build

dkms-test:
	@$(TOP)/tests/run dkms

vm:
	@$(TOP)/tests/run vm

HOST ?= debian-6.1
GUEST ?= debian-6.1
integration:
	@$(TOP)/tests/run integration HOST=$(HOST) GUEST=$(GUEST)

conformance:
	@$(TOP)/tests/run conformance HOST=$(HOST)

# apfint_guest end to end (tests/vm/guest-test.sh): GUEST a cached kernel
# before 5.9, HOST debian-6.1 or a cached 5.4 (then with apfint_host).
guest-vm:
	@$(TOP)/tests/run guest-vm HOST=$(HOST) GUEST=$(GUEST)

# guest-vm for every cached guest kernel, on 6.1 and on the cached 5.4 with
# apfint_host (make check does the second for the 5.4 guest only).
guest-matrix:
	@$(TOP)/tests/run guest-matrix

# The emulator's own CPU hotplug, stock kernels only: the control for the
# L2 deaths that keep apfint_guest's end-to-end runs out of make check.
hotplug-control:
	@$(TOP)/tests/run hotplug-control HOST=$(HOST) GUEST=$(GUEST)

lint:
	@$(TOP)/tests/run lint

demo:
	@$(TOP)/tests/demo

bench:
	@$(TOP)/tests/bench/run

print-version:
	@echo $(APFINT_VERSION)

help:
	@sed -n '3,9p' $(TOP)/Makefile
