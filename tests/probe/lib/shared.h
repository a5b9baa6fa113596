/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the probe's VMM and its guest code share: the fixed guest-physical
 * layout (guest virtual == guest physical, identity mapped), the per-vCPU
 * control block and the event record.  Guest and host see the same bytes.
 */
#ifndef PROBE_SHARED_H
#define PROBE_SHARED_H

#include <stdint.h>

#define MAX_VCPUS		8

/* Guest-physical layout; slot 0 spans [0, MEM_SIZE). */
#define MEM_SIZE		(64ULL << 20)
#define PT_PML4_GPA		0x1000ULL
#define PT_PDPT_GPA		0x2000ULL
#define PT_PD_GPA		0x3000ULL	/* 4 PDs: 0-4 GiB */
#define GDT_GPA			0x10000ULL
#define IDT_GPA			0x11000ULL
#define TSS_GPA			0x12000ULL
#define APF_AREA_GPA(i)		(0x20000ULL + (i) * 0x80ULL)
#define SHARED_GPA		0x30000ULL	/* test-specific data page */
#define GVCPU_GPA(i)		(0x200000ULL + (i) * 0x20000ULL)
#define STACK_TOP(i)		(0x300000ULL + ((i) + 1) * 0x10000ULL)
#define IMAGE_MIN_GPA		0x400000ULL	/* the static binary's text */

/* Slot 1: the userfaultfd region. */
#define UFFD_GPA		(1ULL << 30)
#define UFFD_MAX_PAGES		1024
#define PAGE_SIZE_4K		4096ULL
#define UFFD_PAGE_GPA(n)	(UFFD_GPA + (uint64_t)(n) * PAGE_SIZE_4K)
/* Every resolved page holds this pattern in its first 8 bytes. */
#define UFFD_PATTERN(n)		(0x5afe000000000000ULL | (uint64_t)(n))

#define APIC_GPA		0xfee00000ULL
#define APIC_SPIV		0xf0
#define APIC_EOI		0xb0
#define APIC_ICR_LO		0x300
#define APIC_ICR_HI		0x310
#define APIC_ID			0x20
#define SPURIOUS_VECTOR		0xff

#define UCALL_PORT		0x1000

/*
 * Time limits: a test normally takes a second or two under emulation.
 * The guest gives up a wait (with a message) after GUEST_TIMEOUT_S, the
 * VMM's watchdog stops a test after TEST_TIMEOUT_S, so a host that never
 * delivers fails each scenario quickly and the next ones still run.
 */
#define GUEST_TIMEOUT_S		8
#define TEST_TIMEOUT_S		15

/* The vector the probe programs into MSR_KVM_ASYNC_PF_INT. */
#define APF_VECTOR		0xec

/* A byte register value telling an exception handler "fix me up". */
#define FIXUP_MAGIC		0xfeedf00dcafe1234ULL

enum ucall_cmd {
	UC_NONE,
	UC_DONE,	/* guest finished */
	UC_FAIL,	/* msg, arg[0..1] */
	UC_LOG,		/* msg, arg[0..1]: printed by the host */
	UC_NOP,		/* just an exit */
	UC_RESOLVE,	/* arg[0] = page: UFFDIO_COPY it now */
	UC_WAIT_DONE,	/* arg[0] = page: until its async work completed */
	UC_TEST,	/* test-specific, arg[0] = sub-command */
};

enum ev_type {
	GEV_NONE,
	GEV_NP,		/* #PF, flags = 1: token in CR2 */
	GEV_RDY_INT,	/* page ready by interrupt: token at offset 4 */
	GEV_RDY_PF,	/* page ready by #PF, reason 2: token in CR2 */
	GEV_INT,		/* another interrupt (a = vector) */
	GEV_MARK,	/* a guest step marker (a = id) */
	GEV_OBS,		/* a guest observation (a = id, b = value) */
};

struct gevent {
	uint32_t type;
	uint32_t token;
	uint64_t tsc;
	uint64_t a;
	uint64_t b;
};

#define MAX_EV		1024

/* Interrupt handler behaviour (gvcpu.irq_mode bits). */
#define IRQ_NO_CLEAR	(1u << 0)	/* leave the token at offset 4 */
#define IRQ_NO_ACK	(1u << 1)	/* don't write MSR_KVM_ASYNC_PF_ACK */
#define IRQ_NO_EOI	(1u << 2)

/* How the guest waits for a page-ready. */
enum wait_mode { WAIT_HLT, WAIT_SPIN, WAIT_EXIT };

struct gvcpu {
	uint64_t self;			/* %gs:0 */
	uint32_t id;
	uint32_t vector;		/* the INT vector to program */
	uint64_t area_gpa;
	uint64_t tsc_khz;		/* for guest-side timeouts */
	/* ucall */
	volatile uint64_t cmd;
	volatile uint64_t arg[4];
	volatile uint64_t ret;
	char msg[96];
	/* guest state */
	volatile uint32_t irq_mode;
	volatile uint32_t nr_ev;
	volatile uint32_t nr_ready;	/* page-ready events of any kind */
	volatile uint32_t nr_np;
	volatile uint32_t unexpected;	/* unexpected exceptions */
	volatile uint32_t pad;
	volatile uint64_t params[8];	/* test parameters from the host */
	/*
	 * Guest code: when set, g_ev() hands every event to it instead of
	 * appending to ev[] (scenarios with more events than MAX_EV).
	 */
	void (*ev_hook)(struct gvcpu *g, uint32_t type, uint32_t token,
			uint64_t a, uint64_t b);
	struct gevent ev[MAX_EV];
};

#endif /* PROBE_SHARED_H */
