/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The KVM async page fault ABI as upstream Linux 5.8 (host) and 5.9 (guest)
 * define it; see Documentation/virt/kvm/msr.rst upstream.  Plain macros
 * only, so that the modules, the unit tests and the userspace probe share
 * this one file.  Each name is guarded: newer kernel headers define some.
 */
#ifndef APFINT_ABI_H
#define APFINT_ABI_H

#ifndef MSR_KVM_ASYNC_PF_EN
#define MSR_KVM_ASYNC_PF_EN		0x4b564d02
#endif
#ifndef MSR_KVM_ASYNC_PF_INT
#define MSR_KVM_ASYNC_PF_INT		0x4b564d06
#endif
#ifndef MSR_KVM_ASYNC_PF_ACK
#define MSR_KVM_ASYNC_PF_ACK		0x4b564d07
#endif

/* MSR_KVM_ASYNC_PF_EN bits; 63:6 hold the 64-byte aligned area GPA. */
#ifndef KVM_ASYNC_PF_ENABLED
#define KVM_ASYNC_PF_ENABLED		(1 << 0)
#endif
#ifndef KVM_ASYNC_PF_SEND_ALWAYS
#define KVM_ASYNC_PF_SEND_ALWAYS	(1 << 1)
#endif
#ifndef KVM_ASYNC_PF_DELIVERY_AS_PF_VMEXIT
#define KVM_ASYNC_PF_DELIVERY_AS_PF_VMEXIT	(1 << 2)
#endif
#ifndef KVM_ASYNC_PF_DELIVERY_AS_INT
#define KVM_ASYNC_PF_DELIVERY_AS_INT	(1 << 3)
#endif
#define APFINT_EN_RESERVED_BITS		0x30ULL
#define APFINT_EN_GPA_MASK		(~0x3fULL)

/* MSR_KVM_ASYNC_PF_INT: bits 7:0 the vector, 63:8 reserved. */
#ifndef KVM_ASYNC_PF_VEC_MASK
#define KVM_ASYNC_PF_VEC_MASK		0xffULL
#endif
/* MSR_KVM_ASYNC_PF_ACK: bit 0 says "the slot is free, rescan". */
#define APFINT_ACK_BIT			0x1ULL

/* CPUID 0x40000001 EAX feature bits. */
#ifndef KVM_CPUID_FEATURES
#define KVM_CPUID_FEATURES		0x40000001
#endif
#ifndef KVM_FEATURE_ASYNC_PF
#define KVM_FEATURE_ASYNC_PF		4
#endif
#ifndef KVM_FEATURE_ASYNC_PF_VMEXIT
#define KVM_FEATURE_ASYNC_PF_VMEXIT	10
#endif
#ifndef KVM_FEATURE_ASYNC_PF_INT
#define KVM_FEATURE_ASYNC_PF_INT	14
#endif

#ifndef KVM_CAP_ASYNC_PF_INT
#define KVM_CAP_ASYNC_PF_INT		183
#endif

#ifndef KVM_PV_REASON_PAGE_NOT_PRESENT
#define KVM_PV_REASON_PAGE_NOT_PRESENT	1
#endif
#ifndef KVM_PV_REASON_PAGE_READY
#define KVM_PV_REASON_PAGE_READY	2
#endif
#define APFINT_WAKE_ALL_TOKEN		0xffffffffU

/*
 * The per-vCPU area: 'flags' (old kernels: 'reason') at 0, the page-ready
 * token at 4, 'enabled' at 64.  Old and new layouts are byte-compatible.
 */
#define APFINT_AREA_FLAGS_OFFSET	0
#define APFINT_AREA_TOKEN_OFFSET	4
#define APFINT_AREA_ENABLED_OFFSET	64
#define APFINT_AREA_SIZE		68

#endif /* APFINT_ABI_H */
