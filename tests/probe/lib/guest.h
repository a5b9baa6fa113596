/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest side of the probe: helpers the guest code of a test calls.
 * Everything here runs in the guest at CPL0 (no libc, no syscalls).
 */
#ifndef PROBE_GUEST_H
#define PROBE_GUEST_H

#include <stdbool.h>
#include <stdint.h>
#include "shared.h"
#include "../../../include/apfint_abi.h"

struct ex_regs {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;
	uint64_t rip, cs, rflags, rsp, ss;
};

static inline struct gvcpu *me(void)
{
	struct gvcpu *g;

	asm volatile("mov %%gs:0, %0" : "=r"(g));
	return g;
}

static inline uint64_t rdtsc_g(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline void g_sti(void) { asm volatile("sti" ::: "memory"); }
static inline void g_cli(void) { asm volatile("cli" ::: "memory"); }
/* sti;hlt: the one-instruction shadow makes the pair atomic. */
static inline void g_safe_halt(void) { asm volatile("sti; hlt" ::: "memory"); }

static inline uint64_t g_read_cr2(void)
{
	uint64_t v;

	asm volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline void g_wrmsr(uint32_t msr, uint64_t v)
{
	asm volatile("wrmsr" :: "c"(msr), "a"((uint32_t)v),
		     "d"((uint32_t)(v >> 32)) : "memory");
}

/* Returns the exception vector (0: none). */
static inline int g_wrmsr_safe(uint32_t msr, uint64_t v)
{
	uint64_t vec = 0;

	asm volatile("movabs %[magic], %%r10\n\t"
		     "lea 1f(%%rip), %%r11\n\t"
		     "xor %%r9, %%r9\n\t"
		     "wrmsr\n\t"
		     "1: mov %%r9, %[vec]\n\t"
		     "xor %%r10, %%r10\n\t"
		     : [vec] "=r"(vec)
		     : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)),
		       [magic] "i"(FIXUP_MAGIC)
		     : "r9", "r10", "r11", "memory");
	return (int)vec;
}

static inline int g_rdmsr_safe(uint32_t msr, uint64_t *val)
{
	uint64_t vec = 0;
	uint32_t lo = 0, hi = 0;

	asm volatile("movabs %[magic], %%r10\n\t"
		     "lea 1f(%%rip), %%r11\n\t"
		     "xor %%r9, %%r9\n\t"
		     "rdmsr\n\t"
		     "1: mov %%r9, %[vec]\n\t"
		     "xor %%r10, %%r10\n\t"
		     : [vec] "=r"(vec), "+a"(lo), "+d"(hi)
		     : "c"(msr), [magic] "i"(FIXUP_MAGIC)
		     : "r9", "r10", "r11", "memory");
	*val = ((uint64_t)hi << 32) | lo;
	return (int)vec;
}

/*
 * Read 8 bytes at addr.  If an async 'page not present' #PF arrives
 * instead, the #PF handler records it and resumes after the access:
 * returns 14 and the token in *token.  Returns 0 when the read completed.
 */
static inline int g_touch_safe(uint64_t addr, uint64_t *val, uint32_t *token)
{
	uint64_t vec = 0, tok = 0, v = 0;

	asm volatile("movabs %[magic], %%r10\n\t"
		     "lea 1f(%%rip), %%r11\n\t"
		     "xor %%r9, %%r9\n\t"
		     "xor %%r8, %%r8\n\t"
		     "mov (%[addr]), %[v]\n\t"
		     "1: mov %%r9, %[vec]\n\t"
		     "mov %%r8, %[tok]\n\t"
		     "xor %%r10, %%r10\n\t"
		     : [vec] "=&r"(vec), [tok] "=&r"(tok), [v] "+&r"(v)
		     : [addr] "r"(addr), [magic] "i"(FIXUP_MAGIC)
		     : "r8", "r9", "r10", "r11", "memory");
	*val = v;
	*token = (uint32_t)tok;
	return (int)vec;
}

static inline uint64_t g_read64(uint64_t addr)
{
	return *(volatile uint64_t *)addr;
}

static inline uint32_t g_apic_read(uint32_t reg)
{
	return *(volatile uint32_t *)(APIC_GPA + reg);
}

static inline void g_apic_write(uint32_t reg, uint32_t v)
{
	*(volatile uint32_t *)(APIC_GPA + reg) = v;
}

static inline volatile uint32_t *g_area_flags(struct gvcpu *g)
{
	return (volatile uint32_t *)(g->area_gpa + APFINT_AREA_FLAGS_OFFSET);
}

static inline volatile uint32_t *g_area_token(struct gvcpu *g)
{
	return (volatile uint32_t *)(g->area_gpa + APFINT_AREA_TOKEN_OFFSET);
}

#define EN_INT_FLAGS	(KVM_ASYNC_PF_ENABLED | KVM_ASYNC_PF_SEND_ALWAYS | \
			 KVM_ASYNC_PF_DELIVERY_AS_INT)
#define EN_LEGACY_FLAGS	(KVM_ASYNC_PF_ENABLED | KVM_ASYNC_PF_SEND_ALWAYS)

int g_std_setup(void);
void guest_ucall(uint64_t cmd, uint64_t a0, uint64_t a1, const char *msg);
void guest_done(void);
void guest_fail(const char *msg, uint64_t a0, uint64_t a1);
void g_log(const char *msg, uint64_t a0, uint64_t a1);
void g_ev(uint32_t type, uint32_t token, uint64_t a, uint64_t b);
void g_exits(int n);
void g_lapic_enable(void);
void g_lapic_disable(void);
/* MSR_KVM_ASYNC_PF_INT then _EN (upstream order); fails the test on #GP. */
void g_apf_enable(uint64_t en_flags);
int g_ready_seen(uint32_t token, uint32_t from_ev);
int g_wait_ready(uint32_t token, enum wait_mode mode, uint32_t from_ev);
int g_wait_tokens(const uint32_t *tokens, uint32_t n, enum wait_mode mode);
uint32_t g_count(uint32_t type, uint32_t from_ev);
void g_resolve(uint32_t page);
void g_wait_done(uint32_t page);
void g_ready_samples(uint32_t n, bool legacy);

#define STR2(x) #x
#define STR(x) STR2(x)
#define GUEST_ASSERT(c, a0, a1) do {					\
	if (!(c))							\
		guest_fail(__FILE__ ":" STR(__LINE__) ": " #c, a0, a1);\
} while (0)

#endif /* PROBE_GUEST_H */
