# SPDX-License-Identifier: GPL-2.0
# Included by both modules' Kbuild files: the build-time facts about the
# target kernel, each decided here once, and the flags old trees need.
ccflags-y += -I$(src)/../include -DAPFINT_VERSION=\"$(APFINT_VERSION)\"

# Does the kernel have the feature itself?  The headers decide, never the
# version: enterprise kernels backport it under old version numbers.
#  host:  the uapi KVM_CAP_ASYNC_PF_INT (v5.8, commit 2635b5c4a0e4);
#  guest: the page-ready interrupt's handler declared: upstream's
#         sysvec_kvm_asyncpf_interrupt (v5.9, commit b1d405751cd5), or
#         kvm_async_pf_intr where it was backported onto the old entry
#         code (RHEL 8.5's 4.18 has no idtentry.h).
# Such a kernel, or one older than the oldest the code compiles for, gets
# the module built from refuse.c alone: it loads nowhere and says why.
# Building something (rather than excluding the kernel from DKMS) keeps
# `dkms autoinstall` at exit 0, which a kernel package's postinst needs.
apfint_has = $(shell grep -qs '$(1)' $(srctree)/$(2) && echo 1 || echo 0)
APFINT_HOST_NATIVE := $(call apfint_has,KVM_CAP_ASYNC_PF_INT,include/uapi/linux/kvm.h)
APFINT_GUEST_NATIVE := $(if $(filter 1,$(call apfint_has,sysvec_kvm_asyncpf_interrupt,arch/x86/include/asm/idtentry.h) \
	$(call apfint_has,kvm_async_pf_intr,arch/x86/include/asm/kvm_para.h)),1,0)
# The oldest kernel is a build fact, not a load gate: the sources were
# written against 4.14's kernel and kvm interfaces and never made to
# compile for older ones, and a compile failure there would fail `dkms
# autoinstall`.  It decides only whether the real code is compiled; a
# module compiled for real is judged at load, by content alone.
APFINT_TOO_OLD := $(shell [ $$(($(VERSION) * 256 + $(PATCHLEVEL))) -lt $$((4 * 256 + 14)) ] && echo 1 || echo 0)

# apfint_host's private vCPU request bit (APFINT_REQ_APF_READY in
# apfint_compat.h): 23 before v4.18 (room for arch requests 0-23), 30
# after.  It must be one the target's kvm does not define itself, from
# its own header: a backport that took it would have kvm's request
# consumed by apfint_host.  Such a kernel gets the refusal, with a reason.
APFINT_REQ_NR := $(shell [ $$(($(VERSION) * 256 + $(PATCHLEVEL))) -lt $$((4 * 256 + 18)) ] && echo 23 || echo 30)
apfint_req_sed := s/.*KVM_ARCH_REQ\(_FLAGS\)\{0,1\}( *\([0-9][0-9]*\).*/\2/p
APFINT_KVM_REQS := $(shell sed -n '$(apfint_req_sed)' \
	$(srctree)/arch/x86/include/asm/kvm_host.h 2>/dev/null)
APFINT_REQ_TAKEN := $(if $(filter $(APFINT_REQ_NR),$(APFINT_KVM_REQS)),1,0)

# Does kvm create its vCPU cache with a usercopy region (v4.16)?
# apfint_host reads kvm's vCPU layout from that call at load
# (APFINT_VCPU_CACHE_CREATE in apfint_compat.h).
APFINT_HAVE_USERCOPY := $(call apfint_has,kmem_cache_create_usercopy,include/linux/slab.h)

ccflags-y += -DAPFINT_HOST_NATIVE=$(APFINT_HOST_NATIVE) \
	-DAPFINT_HAVE_USERCOPY=$(APFINT_HAVE_USERCOPY) \
	-DAPFINT_GUEST_NATIVE=$(APFINT_GUEST_NATIVE) \
	-DAPFINT_TOO_OLD=$(APFINT_TOO_OLD) \
	-DAPFINT_REQ_NR=$(APFINT_REQ_NR) -DAPFINT_REQ_TAKEN=$(APFINT_REQ_TAKEN)

# The test tiers build with APFINT_TESTING=1 (tests/lib/build.sh), which
# adds the modules' testing-only parameters; DKMS and `make` leave it out.
ifeq ($(APFINT_TESTING),1)
ccflags-y += -DAPFINT_TESTING
endif

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
