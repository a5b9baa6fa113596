// SPDX-License-Identifier: GPL-2.0
/*
 * hostile: a seeded random guest on 2 vCPUs.  Each vCPU draws its own
 * sequence of operations from a grammar over MSR_KVM_ASYNC_PF_EN, _INT
 * and _ACK (valid values, every reserved bit, vectors 0-255, area GPAs in
 * memory, past its end, far outside, in a read-only slot, unaligned,
 * straddling a page, at the end of the memslot; ACKs with nothing
 * pending and in storms; EN rewritten and bit 3 toggled with faults in
 * flight; the token slot overwritten with garbage), interleaved with
 * userfaultfd-backed async faults.  Every access's outcome (#GP, or the
 * value read; a touch's 'page not present' or value) goes to a per-vCPU
 * log, which is printed (or, for big runs, digested) and diffed against
 * native Debian 6.1 with the same seed.  Afterwards every fault still
 * outstanding must get its page-ready, and every token exactly one,
 * except those a disabling EN write dropped, which get none.
 *
 * Determinism (tests/probe/README.md, "hostile"): each vCPU uses only its
 * own pages and logs only its own operations, in program order; the
 * choices never depend on an outcome or on timing; page-readies (whose
 * timing is the host's) are counted, not logged.  Every EN and INT write
 * of a window happens with interrupts off and the token slot busy (the guest's
 * garbage, or a page-ready already posted), so nothing is dequeued while
 * INT may hold a vector the guest cannot take or EN points elsewhere.
 * A window that disables (EN without ENABLED or without bit 3) ends with
 * EN = 0, so that both protocols drop the same faults, and then returns
 * every page it touched to the uffd (missing again).
 *
 * Settings: PROBE_HOSTILE_SEED (default 1), PROBE_HOSTILE_OPS (total over
 * both vCPUs, default 1000); PROBE_HOSTILE_LOG=digest prints only each
 * vCPU's counts and digest (the default above 4000 operations).
 */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include "probe.h"
#include "guest.h"

#define VCPUS		2
#define PAGES		64		/* uffd pages per vCPU */
#define MAXT		24		/* pages touched and not recycled */
/* 15 MiB of records per vCPU, up to the alternative areas */
#define HLOG_GPA(i)	(0x2000000ULL + (i) * 0xf00000ULL)
#define HLOG_MAX	(0xf00000ULL / sizeof(struct hrec))
#define SCRATCH_GPA	(MEM_SIZE - 0x2000)	/* alternative areas */
#define RO_GPA		0x90000000ULL		/* slot 2, read-only */
#define RO_SIZE		0x2000ULL
#define FAR_GPA		0x7c00000000ULL		/* no memslot */
#define GARBAGE_BYTE	0xa5

enum { M_EN, M_INT, M_ACK };
enum { H_WR = 1, H_RD, H_TOUCH, H_STORM };
/* EN area classes */
enum { A_HOME, A_SCRATCH, A_STRADDLE, A_END, A_PAST, A_FAR, A_RO, A_NONE };
/* touch kinds */
enum { T_FRESH, T_AGAIN };
/* touch outcomes */
enum { O_VAL = 1, O_NP, O_BAD, O_OTHER };

struct hrec {
	uint8_t op;
	uint8_t msr;
	uint8_t vec;		/* exception vector of the access, 0: none */
	uint8_t cls;		/* EN area class; touch kind */
	uint32_t n;		/* storm length */
	uint64_t val;		/* written */
	uint64_t got;		/* read; touch outcome */
	uint64_t up;		/* EN reads: the last value written (upstream stores it) */
	uint64_t kept;		/* EN reads: ... but for refused bad areas */
};

/* page states */
enum { P_FRESH, P_INFLIGHT, P_SERVED };

struct hstate {
	/* counters (host reads them) */
	uint64_t nrec, np, sync, readies, wakeall, dropped, stray, dup;
	uint64_t ready_after_drop, unexpected_int, legacy_pf, windows;
	uint64_t drops, recycles, garbage, pending_at_end;
	/* guest bookkeeping */
	uint64_t rng;
	uint64_t en_last;	/* last EN written without reserved bits */
	uint64_t en_kept;	/* the same, refused bad areas left out */
	uint64_t outside;	/* EN outside windows */
	uint32_t cur_page;	/* the page being touched */
	uint32_t first;		/* first uffd page */
	/* volatile: shared with the handlers, and no libc memmove (AVX) */
	volatile uint8_t pstate[PAGES];
	volatile uint32_t ptok[PAGES];
	volatile uint32_t touched[MAXT];	/* FIFO of touched pages */
	volatile uint32_t nt;
	volatile uint32_t dropped_tok[256];	/* ring of dropped tokens */
	uint32_t ndropped_tok;
	volatile uint32_t served_tok[256];	/* ring of served tokens */
	uint32_t nserved_tok;
	uint32_t stray_tok[8];		/* the first strays: token, record */
	uint64_t stray_at[8];
};

static struct hstate hs[VCPUS];

static inline struct hstate *H(struct gvcpu *g)
{
	return &hs[g->id];
}

static uint64_t rnd(struct hstate *s)
{
	/* xorshift64* */
	s->rng ^= s->rng >> 12;
	s->rng ^= s->rng << 25;
	s->rng ^= s->rng >> 27;
	return s->rng * 0x2545f4914f6cdd1dULL;
}

static uint32_t below(struct hstate *s, uint32_t n)
{
	return (uint32_t)((rnd(s) >> 16) % n);
}

static bool en_int_on(uint64_t v)
{
	return (v & (KVM_ASYNC_PF_ENABLED | KVM_ASYNC_PF_DELIVERY_AS_INT)) ==
	       (KVM_ASYNC_PF_ENABLED | KVM_ASYNC_PF_DELIVERY_AS_INT);
}

/* an area no host can map: past slot 0, no memslot, read-only */
static bool area_bad(int cls)
{
	return cls == A_PAST || cls == A_FAR || cls == A_RO;
}

static const uint32_t msr_of[] = {
	MSR_KVM_ASYNC_PF_EN, MSR_KVM_ASYNC_PF_INT, MSR_KVM_ASYNC_PF_ACK,
};

static struct hrec *rec(struct gvcpu *g)
{
	struct hstate *s = H(g);
	struct hrec *r = (struct hrec *)HLOG_GPA(g->id) + s->nrec;

	if (s->nrec >= HLOG_MAX)
		guest_fail("hostile: log full", s->nrec, 0);
	s->nrec++;
	r->op = r->msr = r->vec = r->cls = 0;
	r->n = 0;
	r->val = r->got = r->up = r->kept = 0;
	return r;
}

static int wr(struct gvcpu *g, int m, uint64_t v, int cls)
{
	struct hrec *r = rec(g);

	r->op = H_WR;
	r->msr = m;
	r->cls = cls;
	r->val = v;
	r->vec = g_wrmsr_safe(msr_of[m], v);
	/* upstream stores every EN value without reserved bits */
	if (m == M_EN && !(v & APFINT_EN_RESERVED_BITS)) {
		H(g)->en_last = v;
		if (!(en_int_on(v) && area_bad(cls)))
			H(g)->en_kept = v;
	}
	return r->vec;
}

static void rd(struct gvcpu *g, int m)
{
	struct hrec *r = rec(g);

	r->op = H_RD;
	r->msr = m;
	r->up = H(g)->en_last;
	r->kept = H(g)->en_kept;
	r->vec = g_rdmsr_safe(msr_of[m], &r->got);
	if (r->vec)
		r->got = 0;
}

static void storm(struct gvcpu *g, uint32_t n, uint64_t v)
{
	struct hrec *r = rec(g);
	uint32_t i, gp = 0;

	r->op = H_STORM;
	r->msr = M_ACK;
	r->n = n;
	r->val = v;
	for (i = 0; i < n; i++)
		gp += !!g_wrmsr_safe(MSR_KVM_ASYNC_PF_ACK, v);
	r->got = gp;
	r->vec = gp ? 13 : 0;
}

/* ---- fault bookkeeping: page states, tokens (interrupts off) ---- */

/*
 * Every page, not only the touched list: a page-ready can come before
 * touch() has listed the page it just faulted on.
 */
static int page_of_token(struct hstate *s, uint32_t tok)
{
	uint32_t p;

	for (p = 0; p < PAGES; p++)
		if (s->pstate[p] == P_INFLIGHT && s->ptok[p] == tok)
			return p;
	return -1;
}

static bool in_ring(const volatile uint32_t *ring, uint32_t n, uint32_t tok)
{
	uint32_t i;

	for (i = 0; i < n && i < 256; i++)
		if (ring[i] == tok)
			return true;
	return false;
}

/* g_ev() hands every event here (IF=0, in the handlers) */
static void hook(struct gvcpu *g, uint32_t type, uint32_t token, uint64_t a,
		 uint64_t b)
{
	struct hstate *s = H(g);
	int p;

	(void)a;
	(void)b;
	switch (type) {
	case GEV_NP:
		s->np++;
		if (s->cur_page < PAGES) {
			s->pstate[s->cur_page] = P_INFLIGHT;
			s->ptok[s->cur_page] = token;
		}
		break;
	case GEV_RDY_INT:
		if (token == APFINT_WAKE_ALL_TOKEN) {
			s->wakeall++;
			break;
		}
		p = page_of_token(s, token);
		if (p >= 0) {
			s->pstate[p] = P_SERVED;
			s->readies++;
			s->served_tok[s->nserved_tok++ % 256] = token;
		} else if (in_ring(s->dropped_tok, s->ndropped_tok, token)) {
			s->ready_after_drop++;
		} else if (in_ring(s->served_tok, s->nserved_tok, token)) {
			s->dup++;
		} else {
			if (s->stray < 8) {
				s->stray_tok[s->stray] = token;
				s->stray_at[s->stray] = s->nrec;
			}
			s->stray++;
		}
		break;
	case GEV_RDY_PF:
		s->legacy_pf++;
		break;
	case GEV_INT:
		s->unexpected_int++;
		break;
	}
}

static void wait_served(struct gvcpu *g, uint32_t page)
{
	struct hstate *s = H(g);
	uint64_t start = rdtsc_g();

	g_cli();
	while (s->pstate[page] == P_INFLIGHT) {
		if (g->tsc_khz &&
		    rdtsc_g() - start > g->tsc_khz * 1000 * GUEST_TIMEOUT_S) {
			g_sti();
			guest_fail("hostile: no page-ready for a fault in flight",
				   page, s->ptok[page]);
		}
		g_safe_halt();
		g_cli();
	}
	g_sti();
}

/* the VMM makes the page missing again (UC_TEST 1) */
static void recycle(struct gvcpu *g, uint32_t page)
{
	struct hstate *s = H(g);

	guest_ucall(UC_TEST, 1, s->first + page, 0);
	s->pstate[page] = P_FRESH;
	s->recycles++;
}

static void recycle_oldest(struct gvcpu *g)
{
	struct hstate *s = H(g);
	uint32_t p, i;

	if (!s->nt)
		return;
	p = s->touched[0];
	wait_served(g, p);
	recycle(g, p);
	g_cli();
	for (i = 1; i < s->nt; i++)
		s->touched[i - 1] = s->touched[i];
	s->nt--;
	g_sti();
}

static void touch(struct gvcpu *g, int kind)
{
	struct hstate *s = H(g);
	struct hrec *r;
	uint32_t p, tok = 0, i;
	uint64_t v = 0;
	int vec;

	if (kind == T_AGAIN && !s->nt)
		kind = T_FRESH;
	if (kind == T_FRESH) {
		if (s->nt == MAXT)
			recycle_oldest(g);
		/* the lowest fresh page: there are PAGES - MAXT at least */
		for (p = 0; p < PAGES; p++) {
			for (i = 0; i < s->nt && s->touched[i] != p; i++)
				;
			if (i == s->nt && s->pstate[p] == P_FRESH)
				break;
		}
		if (p == PAGES)
			guest_fail("hostile: no fresh page", s->nt, 0);
	} else {
		p = s->touched[below(s, s->nt)];
	}
	r = rec(g);
	r->op = H_TOUCH;
	r->cls = kind;
	r->val = p;
	s->cur_page = p;
	vec = g_touch_safe(UFFD_PAGE_GPA(s->first + p), &v, &tok);
	s->cur_page = ~0u;
	if (vec == 14) {
		r->got = O_NP;
	} else if (vec) {
		r->got = O_OTHER;
	} else if (v == UFFD_PATTERN(s->first + p)) {
		r->got = O_VAL;
		if (kind == T_FRESH) {
			g_cli();
			s->pstate[p] = P_SERVED;
			g_sti();
			s->sync++;
		}
	} else {
		r->got = O_BAD;
	}
	if (kind == T_FRESH) {
		g_cli();
		s->touched[s->nt++] = p;
		g_sti();
	}
}

/* ---- the grammar ---- */

/* an EN value: an area (class *cls) and flags bits 5:0 */
static uint64_t en_value(struct gvcpu *g, int *cls)
{
	struct hstate *s = H(g);
	uint64_t area, flags;
	uint32_t c = below(s, 100);

	if (c < 8) {
		*cls = A_NONE;
		return 0;
	}
	if (c < 40) {
		*cls = A_HOME;
		area = g->area_gpa;
	} else if (c < 50) {
		*cls = A_SCRATCH;
		area = SCRATCH_GPA + 64 * below(s, 63);
	} else if (c < 57) {
		*cls = A_STRADDLE;	/* 'enabled' at 64 is on the next page */
		area = SCRATCH_GPA + 0x1000 - 64;
	} else if (c < 64) {
		*cls = A_END;		/* the last 64 bytes of slot 0 */
		area = MEM_SIZE - 64;
	} else if (c < 72) {
		*cls = A_PAST;		/* just past slot 0 */
		area = MEM_SIZE + 64 * below(s, 4);
	} else if (c < 82) {
		*cls = A_FAR;		/* no memslot, or beyond MAXPHYADDR */
		area = below(s, 2) ? FAR_GPA + 64 * below(s, 1024) :
		       (1ULL << (40 + below(s, 23))) | (rnd(s) & 0xfc0);
	} else {
		*cls = A_RO;
		area = RO_GPA + 64 * below(s, RO_SIZE / 64);
	}
	switch (below(s, 4)) {
	case 0:
	case 1:
		flags = EN_INT_FLAGS;
		break;
	case 2:
		flags = below(s, 16);		/* any of bits 3:0 */
		break;
	default:
		flags = below(s, 64);		/* unaligned: bits 5:4 too */
		break;
	}
	return area | flags;
}

static uint64_t int_value(struct hstate *s)
{
	uint64_t v = below(s, 256);

	switch (below(s, 4)) {
	case 0:		/* one reserved bit */
		return v | 1ULL << (8 + below(s, 56));
	case 1:		/* random reserved bits */
		return v | (rnd(s) & ~0xffULL);
	}
	return v;
}

static uint64_t ack_value(struct hstate *s)
{
	switch (below(s, 4)) {
	case 0:
		return 0;
	case 1:
		return rnd(s);
	}
	return 1;
}

static const uint64_t outside_en[] = {
	EN_INT_FLAGS,					/* full */
	KVM_ASYNC_PF_ENABLED | KVM_ASYNC_PF_DELIVERY_AS_INT,	/* kernel mode: no */
	EN_INT_FLAGS | KVM_ASYNC_PF_DELIVERY_AS_PF_VMEXIT,
	0,						/* off */
};

/*
 * A window: interrupts off, the slot busy, 1-6 hostile accesses, then
 * INT and EN back to a state the guest can live in.
 */
static void window(struct gvcpu *g)
{
	struct hstate *s = H(g);
	volatile uint32_t *slot = g_area_token(g);
	uint32_t garbage = (uint32_t)rnd(s) | 1, holder, n, i, p;
	uint64_t target, v;
	bool dropping = false;
	int cls, t;

	target = outside_en[below(s, 10) < 7 ? 0 : 1 + below(s, 3)];
	n = 1 + below(s, 6);
	g_cli();
	s->windows++;
	/* garbage, unless the host already posted a page-ready there */
	holder = __sync_val_compare_and_swap(slot, 0, garbage);
	if (!holder)
		s->garbage++;
	for (i = 0; i < n; i++) {
		t = below(s, 100);
		if (t < 40) {
			v = en_value(g, &cls);
			if (!(v & APFINT_EN_RESERVED_BITS) && !en_int_on(v))
				dropping = true;
			wr(g, M_EN, v, cls);
		} else if (t < 62) {
			wr(g, M_INT, int_value(s), 0);
		} else if (t < 74) {
			wr(g, M_ACK, ack_value(s), 0);
		} else if (t < 80) {
			storm(g, 2 + below(s, 30), 1);
		} else if (t < 94) {
			rd(g, below(s, 3));
		} else {
			/* the token slot rewritten with other garbage */
			v = (uint32_t)rnd(s) | 1;
			if (!holder &&
			    __sync_bool_compare_and_swap(slot, garbage,
							 (uint32_t)v))
				garbage = v;
		}
	}
	if (!en_int_on(target))
		dropping = true;
	/* both protocols drop the queue here (old hosts keep it on EN without bit 3) */
	if (dropping)
		wr(g, M_EN, 0, A_NONE);
	wr(g, M_INT, APF_VECTOR, 0);
	wr(g, M_EN, target ? g->area_gpa | target : 0, target ? A_HOME : A_NONE);
	s->outside = target;
	if (!holder) {
		__sync_bool_compare_and_swap(slot, garbage, 0);
		wr(g, M_ACK, 1, 0);
	}
	if (dropping) {
		/* what was in flight and not already posted gets nothing */
		s->drops++;
		for (i = 0; i < s->nt; i++) {
			p = s->touched[i];
			if (s->pstate[p] != P_INFLIGHT || s->ptok[p] == holder)
				continue;
			s->pstate[p] = P_FRESH;
			s->dropped++;
			s->dropped_tok[s->ndropped_tok++ % 256] = s->ptok[p];
		}
	}
	g_sti();
	if (dropping) {
		/* its page-ready taken, if the holder was one of ours */
		for (i = 0; i < s->nt; i++)
			if (s->pstate[s->touched[i]] == P_INFLIGHT)
				wait_served(g, s->touched[i]);
		for (i = 0; i < s->nt; i++)
			recycle(g, s->touched[i]);
		s->nt = 0;
	}
}

static void guest(struct gvcpu *g)
{
	struct hstate *s = H(g);
	uint64_t i, n = g->params[1];
	uint32_t t;

	s->rng = g->params[0] ? g->params[0] : 1;
	s->first = g->id * PAGES;
	s->cur_page = ~0u;
	g->ev_hook = hook;
	g_lapic_enable();
	g_apf_enable(EN_INT_FLAGS);
	s->en_last = g->area_gpa | EN_INT_FLAGS;
	s->en_kept = s->en_last;
	s->outside = EN_INT_FLAGS;
	g_sti();
	for (i = 0; i < n; i++) {
		t = below(s, 100);
		if (t < 25)
			touch(g, T_FRESH);
		else if (t < 38)
			touch(g, T_AGAIN);
		else if (t < 42)
			recycle_oldest(g);
		else if (t < 50)
			wr(g, M_ACK, ack_value(s), 0);
		else if (t < 54)
			storm(g, 2 + below(s, 60), below(s, 2) ? 1 : rnd(s));
		else if (t < 64)
			rd(g, below(s, 3));
		else
			window(g);
	}
	/* the end: interrupt delivery on, every fault in flight completes */
	if (s->outside != EN_INT_FLAGS) {
		g_cli();
		wr(g, M_EN, g->area_gpa | EN_INT_FLAGS, A_HOME);
		g_sti();
	}
	for (t = 0; t < s->nt; t++)
		if (s->pstate[s->touched[t]] == P_INFLIGHT)
			wait_served(g, s->touched[t]);
	g_exits(4);	/* room for late duplicates */
	g_cli();
	for (t = 0; t < s->nt; t++)
		s->pending_at_end += s->pstate[s->touched[t]] == P_INFLIGHT;
	g->ev_hook = NULL;
}

/* ---- host side ---- */

static const char *const msr_name[] = { "EN", "INT", "ACK" };
static const char *const area_name[] = {
	"home", "scratch", "straddle", "end", "past", "far", "ro", "-",
};
static const char *const touch_name[] = { "fresh", "again" };
static const char *const outcome_name[] = { "?", "val", "NP", "BAD", "exc" };

struct counts {
	uint64_t ops, wr, rd, gp, touch, np, acks, doc;
	uint64_t digest;
};

/* documented differences (expect.tbl) that apply on this host */
static bool doc_badgpa_kept, doc_legacy_badgpa_gp;

/*
 * One record as a line; left of '|' is what hosts must agree on.  Where
 * the host differs from upstream exactly as an expect.tbl row documents,
 * the left side shows upstream's outcome and the right side the row and
 * the raw outcome: the probe checks the documented behaviour itself.
 */
static void fmt(const struct hrec *r, char *buf, size_t sz, struct counts *c)
{
	char doc[48] = "", out[40];
	int vec = r->vec;
	uint64_t got = r->got;

	switch (r->op) {
	case H_WR:
		c->wr++;
		c->acks += r->msr == M_ACK;
		if (r->msr == M_EN && doc_legacy_badgpa_gp && vec == 13 &&
		    area_bad(r->cls) && !(r->val & APFINT_EN_RESERVED_BITS) &&
		    (r->val & 9) == KVM_ASYNC_PF_ENABLED) {
			vec = 0;
			snprintf(doc, sizeof(doc), " doc=legacy_badgpa_gp raw=GP");
			c->doc++;
		}
		c->gp += !!vec;
		snprintf(out, sizeof(out), "%s", vec == 13 ? "GP" :
			 vec ? "exc" : "ok");
		snprintf(buf, sz, "wr %s %#llx %s -> %s |%s", msr_name[r->msr],
			 (unsigned long long)r->val,
			 r->msr == M_EN ? area_name[r->cls] : "-", out, doc);
		break;
	case H_RD:
		c->rd++;
		if (r->msr == M_EN && !vec && got != r->up &&
		    got == r->kept && doc_badgpa_kept) {
			snprintf(doc, sizeof(doc), " doc=badgpa_kept raw=%#llx",
				 (unsigned long long)got);
			got = r->up;
			c->doc++;
		}
		c->gp += !!vec;
		if (vec)
			snprintf(out, sizeof(out), "%s", vec == 13 ? "GP" : "exc");
		else
			snprintf(out, sizeof(out), "%#llx",
				 (unsigned long long)got);
		snprintf(buf, sz, "rd %s -> %s |%s", msr_name[r->msr], out, doc);
		break;
	case H_STORM:
		c->wr += r->n;
		c->acks += r->n;
		c->gp += r->got;
		snprintf(buf, sz, "ack-storm x%u %#llx -> gp=%llu |", r->n,
			 (unsigned long long)r->val, (unsigned long long)r->got);
		break;
	case H_TOUCH:
		c->touch++;
		c->np += r->got == O_NP;
		snprintf(buf, sz, "touch %s -> %s | page=%llu",
			 touch_name[r->cls & 1],
			 outcome_name[r->got <= O_OTHER ? r->got : 0],
			 (unsigned long long)r->val);
		break;
	default:
		snprintf(buf, sz, "? |");
	}
}

static uint64_t fnv(uint64_t h, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (uint8_t)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static void report(struct vm *vm, int i, bool lines, struct counts *c);

/* a failed run: each vCPU's last records and its pages */
static void report_failed(struct vm *vm)
{
	struct counts c;
	int i;

	for (i = 0; i < VCPUS; i++) {
		struct hstate *s = gpa_hva(vm, (uint64_t)&hs[i]);
		struct hrec *r = gpa_hva(vm, HLOG_GPA(i));
		uint64_t k = s->nrec > 12 ? s->nrec - 12 : 0;
		char buf[160];
		uint32_t j;

		report(vm, i, false, &c);
		for (; k < s->nrec; k++) {
			fmt(&r[k], buf, sizeof(buf), &c);
			printf("# v%d: record %llu: %s\n", i,
			       (unsigned long long)k, buf);
		}
		for (j = 0; j < s->nt; j++)
			printf("# v%d: touched page %u state %u token %#x\n", i,
			       s->touched[j], s->pstate[s->touched[j]],
			       s->ptok[s->touched[j]]);
		printf("# v%d: outside EN %#llx, slot %#x\n", i,
		       (unsigned long long)s->outside,
		       *(uint32_t *)gpa_hva(vm, APF_AREA_GPA(i) + 4));
	}
}

static void report(struct vm *vm, int i, bool lines, struct counts *c)
{
	struct hstate *s = gpa_hva(vm, (uint64_t)&hs[i]);
	struct hrec *r = gpa_hva(vm, HLOG_GPA(i));
	char buf[160];
	uint64_t k;

	memset(c, 0, sizeof(*c));
	c->digest = 0xcbf29ce484222325ULL;
	for (k = 0; k < s->nrec; k++) {
		char *bar;

		fmt(&r[k], buf, sizeof(buf), c);
		c->ops++;
		bar = strchr(buf, '|');
		c->digest = fnv(c->digest, buf, bar ? (size_t)(bar - buf) : strlen(buf));
		c->digest = fnv(c->digest, "\n", 1);
		if (lines)
			printf("EV hostile v%d %llu %s\n", i,
			       (unsigned long long)k, buf);
	}
	printf("EV hostile v%d ops=%llu wr=%llu rd=%llu gp=%llu touch=%llu np=%llu digest=%016llx | readies=%llu wakeall=%llu dropped=%llu sync=%llu windows=%llu drops=%llu recycles=%llu documented=%llu\n",
	       i, (unsigned long long)c->ops, (unsigned long long)c->wr,
	       (unsigned long long)c->rd, (unsigned long long)c->gp,
	       (unsigned long long)c->touch, (unsigned long long)c->np,
	       (unsigned long long)c->digest,
	       (unsigned long long)s->readies, (unsigned long long)s->wakeall,
	       (unsigned long long)s->dropped, (unsigned long long)s->sync,
	       (unsigned long long)s->windows, (unsigned long long)s->drops,
	       (unsigned long long)s->recycles, (unsigned long long)c->doc);
}

static int on_test(struct vcpu *v, uint64_t sub, uint64_t arg)
{
	if (sub != 1 || uffd_recycle(v->vm->uffd, arg, 10000)) {
		snprintf(v->why, sizeof(v->why), "v%d: cannot recycle page %llu",
			 v->id, (unsigned long long)arg);
		return -1;
	}
	return 0;
}

static uint64_t env_num(const char *name, uint64_t dflt)
{
	const char *e = getenv(name);

	return e && *e ? strtoull(e, NULL, 0) : dflt;
}

int main(void)
{
	struct vm_opts o = { .uffd_pages = VCPUS * PAGES };
	struct kvm_userspace_memory_region ro = { 0 };
	uint64_t seed = env_num("PROBE_HOSTILE_SEED", 1);
	uint64_t ops = env_num("PROBE_HOSTILE_OPS", 1000);
	const char *logmode = getenv("PROBE_HOSTILE_LOG");
	bool lines = logmode && *logmode ? strcmp(logmode, "digest") != 0 :
		     ops <= 4000;
	struct counts c[VCPUS];
	struct vm *vm;
	void *rom;
	int i, timeout;
	uint32_t t;

	probe_init("hostile");
	printf("# hostile: seed=%#llx ops=%llu log=%s; replay: PROBE_HOSTILE_SEED=%#llx PROBE_HOSTILE_OPS=%llu PROBE_ONLY=apf_hostile_test tests/tiers/conformance/run <host>\n",
	       (unsigned long long)seed, (unsigned long long)ops,
	       lines ? "lines" : "digest", (unsigned long long)seed,
	       (unsigned long long)ops);
	/* about 3 records an operation; a full log fails the guest */
	if ((ops / VCPUS + 16) * 4 > HLOG_MAX)
		return probe_fail("PROBE_HOSTILE_OPS=%llu: too many",
				  (unsigned long long)ops);
	/* the conformance tier: any difference left in this log fails */
	printf("# exact-log hostile\n");
	doc_badgpa_kept = expect_bool("badgpa_kept", false);
	doc_legacy_badgpa_gp = expect_bool("legacy_badgpa_gp", false);

	vm = vm_create(&o);
	/* slot 2: read-only memory, garbage in every token word */
	rom = mmap(NULL, RO_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(rom != MAP_FAILED, "mmap");
	memset(rom, GARBAGE_BYTE, RO_SIZE);
	ro.slot = 2;
	ro.flags = KVM_MEM_READONLY;
	ro.guest_phys_addr = RO_GPA;
	ro.memory_size = RO_SIZE;
	ro.userspace_addr = (uint64_t)rom;
	TEST_ASSERT(!ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &ro),
		    "KVM_SET_USER_MEMORY_REGION 2 (read-only): %s",
		    strerror(errno));
	/* the alternative areas in RAM: never a free slot there */
	memset(gpa_hva(vm, SCRATCH_GPA), GARBAGE_BYTE, 0x2000);

	for (i = 0; i < VCPUS; i++) {
		struct vcpu *v = vcpu_add(vm, guest);

		/* each vCPU its own stream, from the one seed */
		v->g->params[0] = seed * 0x9e3779b97f4a7c15ULL + i + 1;
		v->g->params[1] = ops / VCPUS;
		v->on_test = on_test;
	}
	uffd_set_auto(vm->uffd, 300);
	vm->uffd->rearm = true;
	timeout = TEST_TIMEOUT_S + ops / 100;
	if (vm_run_report(vm, timeout)) {
		int bad;

		for (bad = 0; bad < VCPUS && !vm->vcpus[bad]->result; bad++)
			;
		report_failed(vm);
		probe_note("uffd faults on resolved pages: %u",
			   vm->uffd->late_faults);
		return probe_fail("%s", bad < VCPUS ? vm->vcpus[bad]->why : "?");
	}
	for (i = 0; i < VCPUS; i++) {
		struct hstate *s = gpa_hva(vm, (uint64_t)&hs[i]);
		char k[64];

		report(vm, i, lines, &c[i]);
		probe_note("v%d: %llu ops, %llu #GP, %llu reads, %llu faults (page not present), %llu page-ready, %llu wake-all, %llu dropped by a disable, %llu touches done in the host",
			   i, (unsigned long long)c[i].ops,
			   (unsigned long long)c[i].gp,
			   (unsigned long long)c[i].rd,
			   (unsigned long long)s->np,
			   (unsigned long long)s->readies,
			   (unsigned long long)s->wakeall,
			   (unsigned long long)s->dropped,
			   (unsigned long long)s->sync);
#define CK(name, got, want) do {					\
		snprintf(k, sizeof(k), "v%d." name, i);			\
		check_num(k, (got), (want));				\
	} while (0)
		snprintf(k, sizeof(k), "v%d.ops_logged", i);
		check(k, c[i].ops >= ops / VCPUS, "%llu records for %llu operations",
		      (unsigned long long)c[i].ops,
		      (unsigned long long)(ops / VCPUS));
		snprintf(k, sizeof(k), "v%d.faults_made", i);
		check(k, s->np > 0, "%llu 'page not present'",
		      (unsigned long long)s->np);
		/* every token: its page-ready once, or dropped by a disable */
		CK("tokens_accounted", s->readies + s->dropped, s->np);
		CK("pending_at_end", s->pending_at_end, 0);
		CK("ready_after_drop", s->ready_after_drop, 0);
		CK("duplicate_ready", s->dup, 0);
		CK("stray_ready", s->stray, 0);
		for (t = 0; t < s->stray && t < 8; t++)
			probe_note("v%d: stray page-ready token %#x after record %llu",
				   i, s->stray_tok[t],
				   (unsigned long long)s->stray_at[t]);
		CK("legacy_pf", s->legacy_pf, 0);
		CK("other_interrupts", s->unexpected_int, 0);
		CK("np_logged", c[i].np, s->np);
		CK("unexpected_exceptions", vm->vcpus[i]->g->unexpected, 0);
	}
	/* a recycled page faulted on by anyone but a new touch */
	check_num("uffd_late_faults", vm->uffd->late_faults, 0);
	vm_destroy(vm);
	munmap(rom, RO_SIZE);
	return probe_finish();
}
