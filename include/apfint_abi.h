/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The KVM async page fault ABI as upstream Linux 5.8 (host) and 5.9 (guest)
 * define it; see Documentation/virt/kvm/msr.rst upstream.  Macros and
 * static inline helpers on plain C types (the kernel's u64 is unsigned long
 * long), so that the modules, the unit tests and the userspace probe share
 * this one file.  Each macro is guarded: newer kernel headers define some.
 */
#ifndef APFINT_ABI_H
#define APFINT_ABI_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#endif

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

/* EN bits 5:4 are reserved: a host refuses (#GP) a write that sets them. */
static inline bool apfint_en_reserved(unsigned long long en)
{
	return en & APFINT_EN_RESERVED_BITS;
}

/* The per-vCPU area's guest physical address, EN bits 63:6. */
static inline unsigned long long apfint_en_area_gpa(unsigned long long en)
{
	return en & APFINT_EN_GPA_MASK;
}

/* Where the host posts a page-ready token. */
static inline unsigned long long apfint_en_token_gpa(unsigned long long en)
{
	return apfint_en_area_gpa(en) + APFINT_AREA_TOKEN_OFFSET;
}

/*
 * EN bit 3, 'page ready' as an interrupt: a guest kernel before 5.9 never
 * sets it, a host before 5.8 refuses it as reserved.
 */
static inline unsigned long long apfint_en_add_int(unsigned long long en)
{
	return en | KVM_ASYNC_PF_DELIVERY_AS_INT;
}

static inline unsigned long long apfint_en_strip_int(unsigned long long en)
{
	return en & ~(unsigned long long)KVM_ASYNC_PF_DELIVERY_AS_INT;
}

/* MSR_KVM_ASYNC_PF_INT: a host refuses (#GP) a value with bits 63:8 set. */
static inline bool apfint_int_msr_reserved(unsigned long long val)
{
	return val & ~KVM_ASYNC_PF_VEC_MASK;
}

static inline unsigned int apfint_int_msr_vector(unsigned long long val)
{
	return val & KVM_ASYNC_PF_VEC_MASK;
}

static inline unsigned long long apfint_int_msr_value(unsigned int vector)
{
	return vector & KVM_ASYNC_PF_VEC_MASK;
}

/*
 * Vectors 0-31 are exceptions: a host would inject one that the guest
 * never services as an interrupt.
 */
static inline bool apfint_vector_ok(unsigned int vector)
{
	return vector >= 32 && vector <= 255;
}

#endif /* APFINT_ABI_H */
