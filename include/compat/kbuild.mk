# SPDX-License-Identifier: GPL-2.0
# Compiler flags both modules need on old trees (included by each Kbuild).
ccflags-y += -I$(src)/../include -DAPFINT_VERSION=\"$(APFINT_VERSION)\"

# Before v4.19 there is no <linux/bits.h> (the pure-logic files include it
# so that the unit tests compile the same files): supply one.
ifeq ($(wildcard $(srctree)/include/linux/bits.h),)
ccflags-y += -I$(src)/../include/compat
endif

# Before v5.0 ("include/linux/module.h: copy __init/__exit attrs to
# init/cleanup_module"; in 4.19.y, not in 4.14.67) gcc 9+ warns on every
# module_init()/module_exit() alias.
ifeq ($(shell grep -c '__copy(initfn)' $(srctree)/include/linux/module.h),0)
ccflags-y += $(call cc-disable-warning,missing-attributes)
endif
