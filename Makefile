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
	guest-vm guest-matrix hotplug-control lint demo bench dkms-test package-test help print-version

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
	@$(TOP)/tests/run unit build dkms package vm bench

unit:
	@$(TOP)/tests/run unit

build-test:
	@$(TOP)/tests/run build

dkms-test:
	@$(TOP)/tests/run dkms

# make deb and make rpm, installed, upgraded and purged in a Debian 12 root
package-test:
	@$(TOP)/tests/run package

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
	@$(TOP)/tests/lint

demo:
	@$(TOP)/tests/demo

bench:
	@$(TOP)/tests/bench/run

print-version:
	@echo $(APFINT_VERSION)

help:
	@sed -n '3,9p' $(TOP)/Makefile

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

.PHONY: install dkms-install dkms-uninstall deb rpm
install: modules
	@for d in $(MODULE_DIRS); do \
		$(MAKE) -C $(KDIR) M=$(TOP)/$$d INSTALL_MOD_DIR=updates modules_install || exit; \
	done
	install -D -m 0755 $(TOP)/tools/apfint-status $(DESTDIR)$(SBINDIR)/apfint-status
	depmod -a $(notdir $(patsubst %/build,%,$(abspath $(KDIR))))

dkms-install:
	rm -rf /usr/src/apfint-$(PKG_VERSION)
	mkdir -p /usr/src/apfint-$(PKG_VERSION)
	tar -C $(TOP) $(PKG_TAR_EXCLUDES) -cf - $(PKG_SOURCES) | \
		tar -C /usr/src/apfint-$(PKG_VERSION) -xf -
	dkms install -m apfint -v $(PKG_VERSION)
	install -D -m 0755 $(TOP)/tools/apfint-status $(DESTDIR)$(SBINDIR)/apfint-status

dkms-uninstall:
	-dkms remove -m apfint -v $(PKG_VERSION) --all
	rm -rf /usr/src/apfint-$(PKG_VERSION) $(DESTDIR)$(SBINDIR)/apfint-status

# build/pkg/apfint-dkms_<version>_all.deb (and the native source package)
deb:
	@v=$$(dpkg-parsechangelog -l $(TOP)/debian/changelog -S Version); \
	[ "$$v" = "$(PKG_VERSION)" ] || { \
		echo "error: debian/changelog is at $$v, VERSION at $(PKG_VERSION)"; exit 2; }
	rm -rf $(PKG_OUT)/deb && mkdir -p $(PKG_OUT)/deb/apfint-$(PKG_VERSION)
	tar -C $(TOP) $(PKG_TAR_EXCLUDES) -cf - $(PKG_SOURCES) debian | \
		tar -C $(PKG_OUT)/deb/apfint-$(PKG_VERSION) -xf -
	cd $(PKG_OUT)/deb/apfint-$(PKG_VERSION) && dpkg-buildpackage -us -uc
	@ls $(PKG_OUT)/deb/*.deb

# build/pkg/rpm/RPMS/noarch/apfint-dkms-<version>-1.noarch.rpm
rpm:
	rm -rf $(PKG_OUT)/rpm && mkdir -p $(PKG_OUT)/rpm/SOURCES $(PKG_OUT)/rpm/src
	mkdir -p $(PKG_OUT)/rpm/src/apfint-$(PKG_VERSION)
	tar -C $(TOP) $(PKG_TAR_EXCLUDES) -cf - $(PKG_SOURCES) | \
		tar -C $(PKG_OUT)/rpm/src/apfint-$(PKG_VERSION) -xf -
	tar -C $(PKG_OUT)/rpm/src -czf $(PKG_OUT)/rpm/SOURCES/apfint-$(PKG_VERSION).tar.gz \
		apfint-$(PKG_VERSION)
	rpmbuild --define "_topdir $(PKG_OUT)/rpm" --define "pkgversion $(PKG_VERSION)" \
		-ba $(TOP)/packaging/apfint-dkms.spec
	@ls $(PKG_OUT)/rpm/RPMS/noarch/*.rpm
