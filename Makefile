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
	guest-vm guest-matrix hotplug-control intel stress noharm lint demo bench dkms-test \
	package-test help print-version

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
check: ## the tiers CI runs: unit lint build dkms package vm stress:short bench
	@$(TOP)/tests/run unit lint build dkms package vm stress:short bench

unit: ## unit tier: module logic and the harness, in userspace
	@$(TOP)/tests/run unit

build-test: ## build tier: both modules, Debian 6.1 and each cached kernel
	@$(TOP)/tests/run build

dkms-test: ## dkms tier: DKMS build, install and autoinstall, thrown away
	@$(TOP)/tests/run dkms

package-test: ## package tier: deb and rpm built, installed, upgraded, purged
	@$(TOP)/tests/run package

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
# emulator often enough to fail it on the emulation (tests/tiers/vm/run).
guest-matrix: ## guest-vm for each cached guest, on 6.1 and on a 5.4
	@$(TOP)/tests/run guest-matrix

hotplug-control: ## stock kernels' CPU hotplug under the emulator (control)
	@$(TOP)/tests/run hotplug-control HOST=$(HOST) GUEST=$(GUEST)

# Not in make check: L1 under Bochs (VMX), far slower than QEMU.
intel: ## the probe under kvm_intel (L1 under Bochs), 6.1 and each cache
	@$(TOP)/tests/run intel

stress: ## reliability on the cached debug kernels (slow; docs/RELIABILITY.md)
	@$(TOP)/tests/run stress

# Not in make check: the selftests are built by hand into the kernel cache
# (docs/TESTING.md, "The kernel cache"); about 15 minutes per kernel.
noharm: ## the kernel's KVM selftests with and without apfint_host, per old host
	@$(TOP)/tests/run noharm

lint: ## lint tier: checkpatch, sparse and shellcheck
	@$(TOP)/tests/run lint

demo: ## apfint_host at work on the newest cached old host
	@$(TOP)/tests/tiers/integration/demo

bench: ## the benchmarks (tests/tiers/bench/bench; slow)
	@$(TOP)/tests/tiers/bench/bench

print-version: ## the version the modules are built with
	@echo $(APFINT_VERSION)

help: ## this list
	@echo 'make [target] [KDIR=<tree> | KVER=<version>] [HOST=<kernel>] [GUEST=<kernel>]'
	@echo 'kernels: debian-6.1 or a version in $(APFINT_KERNELS)'
	@sed -n 's/^\([a-z-]*\):.*## \(.*\)/  \1\t\2/p' $(TOP)/Makefile | expand -t 18

# ---- Installing and packaging ----
# What a package or an install carries: the module sources DKMS builds,
# plus the status tool and the boot-time loading files.
PKG_SOURCES := Makefile VERSION dkms.conf host_kmod guest_kmod include tools packaging
PKG_VERSION := $(shell cat $(TOP)/VERSION)
PKG_OUT := $(TOP)/build/pkg
# Kbuild's outputs never go into a package.
PKG_TAR_EXCLUDES := --exclude='*.o' --exclude='*.ko' --exclude='*.mod' \
	--exclude='*.mod.c' --exclude='.*.cmd' --exclude=modules.order \
	--exclude=Module.symvers --exclude=.tmp_versions --exclude=.gitignore
SBINDIR ?= /usr/local/sbin
# The release the modules are installed for and depmod'ed under: the
# folder's name for /lib/modules/<release>/build, else what the tree was
# built as.  Not 'make kernelrelease', which recomputes it from the tree's
# Makefile: distribution builds override that (Ubuntu's 5.4.0-216-generic
# reads 5.4.291 there, Debian's 6.1.0-57-amd64 6.1.192).
KREL ?= $(or $(patsubst /lib/modules/%/build,%,$(filter /lib/modules/%/build,$(KDIR))),$(shell cat $(KDIR)/include/config/kernel.release 2>/dev/null))

.PHONY: install dkms-install dkms-uninstall deb rpm
install: modules ## both modules into /lib/modules/<kernel>/updates, apfint-status
	@for d in $(MODULE_DIRS); do \
		$(MAKE) -C $(KDIR) M=$(TOP)/$$d INSTALL_MOD_DIR=updates \
			KERNELRELEASE=$(KREL) modules_install || exit; \
	done
	install -D -m 0755 $(TOP)/tools/apfint-status $(DESTDIR)$(SBINDIR)/apfint-status
	depmod -a $(KREL)

dkms-install: ## this checkout into /usr/src, built and installed by DKMS (KVER= another kernel)
	rm -rf /usr/src/apfint-$(PKG_VERSION)
	mkdir -p /usr/src/apfint-$(PKG_VERSION)
	tar -C $(TOP) $(PKG_TAR_EXCLUDES) -cf - $(PKG_SOURCES) | \
		tar -C /usr/src/apfint-$(PKG_VERSION) -xf -
	dkms add -m apfint -v $(PKG_VERSION)
	dkms install -m apfint -v $(PKG_VERSION) $(if $(KVER),-k $(KVER))
	install -D -m 0755 $(TOP)/tools/apfint-status $(DESTDIR)$(SBINDIR)/apfint-status

dkms-uninstall: ## undo dkms-install
	-dkms remove -m apfint -v $(PKG_VERSION) --all
	rm -rf /usr/src/apfint-$(PKG_VERSION) $(DESTDIR)$(SBINDIR)/apfint-status

# The native source package too, under build/pkg/deb.
deb: ## build/pkg/deb/apfint-dkms_<version>_all.deb
	@v=$$(dpkg-parsechangelog -l $(TOP)/debian/changelog -S Version); \
	[ "$$v" = "$(PKG_VERSION)" ] || { \
		echo "error: debian/changelog is at $$v, VERSION at $(PKG_VERSION)"; exit 2; }
	rm -rf $(PKG_OUT)/deb && mkdir -p $(PKG_OUT)/deb/apfint-$(PKG_VERSION)
	tar -C $(TOP) $(PKG_TAR_EXCLUDES) -cf - $(PKG_SOURCES) debian | \
		tar -C $(PKG_OUT)/deb/apfint-$(PKG_VERSION) -xf -
	cd $(PKG_OUT)/deb/apfint-$(PKG_VERSION) && dpkg-buildpackage -us -uc
	@ls $(PKG_OUT)/deb/*.deb

rpm: ## build/pkg/rpm/RPMS/noarch/apfint-dkms-<version>-1.noarch.rpm
	rm -rf $(PKG_OUT)/rpm && mkdir -p $(PKG_OUT)/rpm/SOURCES $(PKG_OUT)/rpm/src
	mkdir -p $(PKG_OUT)/rpm/src/apfint-$(PKG_VERSION)
	tar -C $(TOP) $(PKG_TAR_EXCLUDES) -cf - $(PKG_SOURCES) | \
		tar -C $(PKG_OUT)/rpm/src/apfint-$(PKG_VERSION) -xf -
	tar -C $(PKG_OUT)/rpm/src -czf $(PKG_OUT)/rpm/SOURCES/apfint-$(PKG_VERSION).tar.gz \
		apfint-$(PKG_VERSION)
	rpmbuild --define "_topdir $(PKG_OUT)/rpm" --define "pkgversion $(PKG_VERSION)" \
		-ba $(TOP)/packaging/apfint-dkms.spec
	@ls $(PKG_OUT)/rpm/RPMS/noarch/*.rpm
