// SPDX-License-Identifier: GPL-2.0
/*
 * The guest runtime: exception/interrupt dispatch, the async PF handlers
 * and the ucall channel.  Runs only in the guest, at CPL0, with the
 * interrupt gates' IF=0 inside handlers.
 */
#include "guest.h"

void guest_ucall(uint64_t cmd, uint64_t a0, uint64_t a1, const char *msg)
{
	struct gvcpu *g = me();
	int i = 0;

	g->arg[0] = a0;
	g->arg[1] = a1;
	if (msg)
		for (; msg[i] && i < (int)sizeof(g->msg) - 1; i++)
			g->msg[i] = msg[i];
	g->msg[i] = 0;
	g->cmd = cmd;
	asm volatile("outl %%eax, %%dx" :: "a"(0), "d"(UCALL_PORT) : "memory");
}

void guest_done(void)
{
	guest_ucall(UC_DONE, 0, 0, 0);
	for (;;)
		asm volatile("cli; hlt");
}

void guest_fail(const char *msg, uint64_t a0, uint64_t a1)
{
	guest_ucall(UC_FAIL, a0, a1, msg);
	for (;;)
		asm volatile("cli; hlt");
}

void g_log(const char *msg, uint64_t a0, uint64_t a1)
{
	guest_ucall(UC_LOG, a0, a1, msg);
}

void g_exits(int n)
{
	while (n-- > 0)
		guest_ucall(UC_NOP, 0, 0, 0);
}

void g_resolve(uint32_t page)
{
	guest_ucall(UC_RESOLVE, page, 0, 0);
}

void g_wait_done(uint32_t page)
{
	guest_ucall(UC_WAIT_DONE, page, 0, 0);
}

/* Appends run with IF=0, so they never nest on one vCPU. */
void g_ev(uint32_t type, uint32_t token, uint64_t a, uint64_t b)
{
	struct gvcpu *g = me();
	uint64_t rflags;
	uint32_t n;

	asm volatile("pushfq; popq %0; cli" : "=r"(rflags) :: "memory");
	if (g->ev_hook) {
		g->ev_hook(g, type, token, a, b);
		goto out;
	}
	n = g->nr_ev;
	if (n >= MAX_EV) {
		g->unexpected++;
		goto out;
	}
	g->ev[n].type = type;
	g->ev[n].token = token;
	g->ev[n].tsc = rdtsc_g();
	g->ev[n].a = a;
	g->ev[n].b = b;
	asm volatile("" ::: "memory");
	g->nr_ev = n + 1;
out:
	if (rflags & 0x200)
		g_sti();
}

void g_lapic_enable(void)
{
	g_apic_write(APIC_SPIV, 0x100 | SPURIOUS_VECTOR);
}

void g_lapic_disable(void)
{
	g_apic_write(APIC_SPIV, SPURIOUS_VECTOR);
}

void g_apf_enable(uint64_t en_flags)
{
	struct gvcpu *g = me();
	int v;

	v = g_wrmsr_safe(MSR_KVM_ASYNC_PF_INT, g->vector);
	if (v)
		guest_fail("wrmsr MSR_KVM_ASYNC_PF_INT faulted", v, g->vector);
	v = g_wrmsr_safe(MSR_KVM_ASYNC_PF_EN, g->area_gpa | en_flags);
	if (v)
		guest_fail("wrmsr MSR_KVM_ASYNC_PF_EN faulted", v,
			   g->area_gpa | en_flags);
}

static int is_ready(uint32_t type)
{
	return type == GEV_RDY_INT || type == GEV_RDY_PF;
}

int g_ready_seen(uint32_t token, uint32_t from_ev)
{
	struct gvcpu *g = me();
	uint32_t i, n = g->nr_ev;

	for (i = from_ev; i < n; i++)
		if (is_ready(g->ev[i].type) && g->ev[i].token == token)
			return 1;
	return 0;
}

uint32_t g_count(uint32_t type, uint32_t from_ev)
{
	struct gvcpu *g = me();
	uint32_t i, c = 0, n = g->nr_ev;

	for (i = from_ev; i < n; i++)
		if (g->ev[i].type == type)
			c++;
	return c;
}

static int timed_out(struct gvcpu *g, uint64_t start)
{
	/* guest TSC; the host watchdog covers halted waits */
	return g->tsc_khz &&
	       rdtsc_g() - start > g->tsc_khz * 1000 * GUEST_TIMEOUT_S;
}

/*
 * A halted wait checks its condition with interrupts off and halts with
 * sti;hlt: a page-ready taken between an interrupts-on check and the hlt
 * would leave the vCPU asleep for good (the probe's guests have no timer).
 */
static void wait_begin(enum wait_mode mode)
{
	if (mode == WAIT_HLT)
		g_cli();
}

static void wait_end(enum wait_mode mode)
{
	if (mode == WAIT_HLT)
		g_sti();
}

static void wait_step(enum wait_mode mode)
{
	switch (mode) {
	case WAIT_HLT:
		g_safe_halt();
		g_cli();
		break;
	case WAIT_SPIN:
		g_sti();
		break;
	case WAIT_EXIT:
		g_sti();
		guest_ucall(UC_NOP, 0, 0, 0);
		break;
	}
}

/* Returns 0 once a page-ready for token is logged, -1 on timeout. */
int g_wait_ready(uint32_t token, enum wait_mode mode, uint32_t from_ev)
{
	struct gvcpu *g = me();
	uint64_t start = rdtsc_g();

	wait_begin(mode);
	while (!g_ready_seen(token, from_ev)) {
		if (timed_out(g, start))
			break;
		wait_step(mode);
	}
	wait_end(mode);
	return g_ready_seen(token, from_ev) ? 0 : -1;
}

static int all_ready(const uint32_t *tokens, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		if (!g_ready_seen(tokens[i], 0))
			return 0;
	return 1;
}

/*
 * Waits for a page-ready of each of tokens[0..n) (by token, not by count:
 * a duplicate must not stand in for a lost one).  0, or -1 on timeout.
 */
int g_wait_tokens(const uint32_t *tokens, uint32_t n, enum wait_mode mode)
{
	struct gvcpu *g = me();
	uint64_t start = rdtsc_g();

	wait_begin(mode);
	while (!all_ready(tokens, n)) {
		if (timed_out(g, start))
			break;
		wait_step(mode);
	}
	wait_end(mode);
	return all_ready(tokens, n) ? 0 : -1;
}

static void apf_pf(struct gvcpu *g, struct ex_regs *r)
{
	uint64_t cr2 = g_read_cr2();
	volatile uint32_t *flags = g_area_flags(g);
	uint32_t reason = *flags;
	uint32_t from;

	if (reason == KVM_PV_REASON_PAGE_NOT_PRESENT) {
		*flags = 0;
		g->nr_np++;
		g_ev(GEV_NP, (uint32_t)cr2, reason, r->error_code);
		if (r->r10 == FIXUP_MAGIC) {
			/* g_touch_safe(): skip the access, report the token */
			r->rip = r->r11;
			r->r9 = 14;
			r->r8 = (uint32_t)cr2;
			r->r10 = 0;
			return;
		}
		/* A blocking access: wait here, then retry it. */
		from = g->nr_ev;
		if (g_wait_ready((uint32_t)cr2, WAIT_HLT, from - 1))
			guest_fail("timeout waiting for page ready", cr2, 0);
		g_cli();
		return;
	}
	if (reason == KVM_PV_REASON_PAGE_READY) {
		/* the legacy (pre-5.8 host) 'page ready' */
		*flags = 0;
		g->nr_ready++;
		g_ev(GEV_RDY_PF, (uint32_t)cr2, reason, r->error_code);
		return;
	}
	g->unexpected++;
	guest_fail("unexpected #PF (cr2, rip)", cr2, r->rip);
}

static void apf_irq(struct gvcpu *g)
{
	volatile uint32_t *tok = g_area_token(g);
	uint32_t token = *tok;
	uint32_t mode = g->irq_mode;

	g->nr_ready++;
	g_ev(GEV_RDY_INT, token, g->vector, *g_area_flags(g));
	if (!(mode & IRQ_NO_EOI))
		g_apic_write(APIC_EOI, 0);
	if (!(mode & IRQ_NO_CLEAR))
		*tok = 0;
	if (!(mode & IRQ_NO_ACK))
		g_wrmsr(MSR_KVM_ASYNC_PF_ACK, 1);
}

void guest_exception(struct ex_regs *r)
{
	struct gvcpu *g = me();

	if (r->vector == 14) {
		apf_pf(g, r);
		return;
	}
	if (r->vector < 32 && r->r10 == FIXUP_MAGIC) {
		r->rip = r->r11;
		r->r9 = r->vector;
		r->r10 = 0;
		return;
	}
	if (r->vector < 32) {
		g->unexpected++;
		guest_fail("unexpected exception (vector, rip)", r->vector,
			   r->rip);
	}
	if (g->vector && r->vector == g->vector) {
		apf_irq(g);
		return;
	}
	g_ev(GEV_INT, 0, r->vector, 0);
	if (r->vector != SPURIOUS_VECTOR)
		g_apic_write(APIC_EOI, 0);
}

/*
 * The usual start: LAPIC on, MSR_KVM_ASYNC_PF_INT then _EN (upstream
 * order), interrupts on; then give the wake-all queued by the EN write a
 * few exits to arrive.  Returns whether it did.
 */
int g_std_setup(void)
{
	int i;

	g_lapic_enable();
	g_apf_enable(EN_INT_FLAGS);
	g_sti();
	for (i = 0; i < 20 && !g_ready_seen(APFINT_WAKE_ALL_TOKEN, 0); i++)
		g_exits(1);
	return g_ready_seen(APFINT_WAKE_ALL_TOKEN, 0);
}

/*
 * The timed loop of the kick test and the latency bench: 2 * n faults on
 * the userfaultfd pages, waited for halted and spinning in turn.  Before
 * each, UC_TEST 3 (the VMM moves this vCPU's thread); after each, UC_TEST
 * 1 with the TSC ticks from its page-ready handler to here.  legacy: the
 * pre-5.8 protocol, old hosts' #PF delivery.
 */
void g_ready_samples(uint32_t n, bool legacy)
{
	struct gvcpu *g = me();
	uint32_t i, tok;
	uint64_t v;

	if (legacy) {
		g_lapic_enable();
		g_wrmsr(MSR_KVM_ASYNC_PF_EN, g->area_gpa | EN_LEGACY_FLAGS);
		g_sti();
		g_exits(3);
	} else {
		g_std_setup();
	}
	for (i = 0; i < 2 * n; i++) {
		enum wait_mode mode = (i & 1) ? WAIT_SPIN : WAIT_HLT;
		uint32_t from = g->nr_ev, j;

		guest_ucall(UC_TEST, 3, 0, 0);
		if (g_touch_safe(UFFD_PAGE_GPA(i), &v, &tok) != 14)
			guest_fail("no async #PF", i, 0);
		if (g_wait_ready(tok, mode, from))
			guest_fail("no page ready", i, tok);
		for (j = from; j < g->nr_ev; j++)
			if ((g->ev[j].type == GEV_RDY_INT ||
			     g->ev[j].type == GEV_RDY_PF) &&
			    g->ev[j].token == tok)
				break;
		guest_ucall(UC_TEST, 1, rdtsc_g() - g->ev[j].tsc, 0);
	}
}
