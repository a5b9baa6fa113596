// SPDX-License-Identifier: GPL-2.0
/*
 * msr_migrate: the VMM's side of save/restore while async PFs are under
 * way.  In each of PHASES phases the guest touches K uffd pages without
 * waiting (K 'page not present', K async work items) and stops in a
 * ucall.  There, with the vCPU out of KVM_RUN, the VMM completes the
 * first K/2 faults (UFFDIO_COPY, then kvm_async_pf_completed in the
 * host's trace: their page-readies are queued and pending), leaves the
 * other K/2 in flight (their workers wait in the uffd; released 100 ms
 * on), and does OPS host-initiated KVM_SET_MSRS of MSR_KVM_ASYNC_PF_EN
 * or _INT with random values, each followed by KVM_GET_MSRS of both;
 * then the restore a migration ends with: INT, then EN, the guest's own
 * values.  The values come from a seeded generator (the seed is printed;
 * PROBE_SEED=N for another run; the golden log is for the default).
 *
 * Every outcome is an EV line (accepted or not, both MSRs read back) and
 * is checked against upstream's rules (docs/ABI.md, Linux 5.8+):
 * reserved bits (EN 5:4, INT 63:8) refuse the write and change nothing;
 * EN without ENABLED (here: 0) is accepted and drops the queue, pending
 * page-readies and work in flight alike, with no wake-all; an enabling EN
 * is accepted and queues a wake-all only when no page-ready is queued; an
 * enabling EN whose area is in no memory slot is refused, and upstream
 * keeps the refused value (en_badgpa_stored); INT takes any vector.
 * After the restore the guest must see, per phase, a page-ready for each
 * of its tokens and no wake-all (nothing dropped), or one wake-all and no
 * page-ready for them (dropped); each page then reads its data, with no
 * new fault.  At the end no token has two page-readies, the VM is torn
 * down, and apfint_host's per-vCPU state count (when loaded) is back.
 */
#define _GNU_SOURCE
#include <time.h>
#include "probe.h"
#include "guest.h"

#define K		4
#define PHASES		6
#define OPS		6
#define ALT_AREA	APF_AREA_GPA(4)		/* unused with one vCPU */
#define BAD_GPA		0x80000000ULL		/* in no memory slot */
#define DEFAULT_SEED	0x5eed0013ULL

/* OBS id 10 + phase: what the guest saw after the phase's writes */
#define PH(got, readies, wake, refault, bad) \
	((uint64_t)(got) | (uint64_t)(readies) << 8 | (uint64_t)(wake) << 16 | \
	 (uint64_t)(refault) << 24 | (uint64_t)(bad) << 32)

static bool ready_since(struct gvcpu *g, uint32_t tok, uint32_t from)
{
	uint32_t i;

	for (i = from; i < g->nr_ev; i++)
		if ((g->ev[i].type == GEV_RDY_INT ||
		     g->ev[i].type == GEV_RDY_PF) && g->ev[i].token == tok)
			return true;
	return false;
}

static uint32_t count_since(struct gvcpu *g, const uint32_t *tok, uint32_t n,
			    uint32_t from)
{
	uint32_t i, c = 0;

	for (i = 0; i < n; i++)
		c += ready_since(g, tok[i], from);
	return c;
}

/* each token's page-ready, or a wake-all: what the VMM's writes left */
static void wait_phase(struct gvcpu *g, const uint32_t *tok, uint32_t n,
		       uint32_t from)
{
	g_cli();
	while (count_since(g, tok, n, from) < n &&
	       !ready_since(g, APFINT_WAKE_ALL_TOKEN, from)) {
		g_safe_halt();
		g_cli();
	}
	g_sti();
}

static void guest(struct gvcpu *g)
{
	uint32_t tok[K], p, i, t;
	uint64_t v;

	g_std_setup();
	for (p = 0; p < PHASES; p++) {
		uint32_t got = 0, from, readies, wake, refault = 0, bad = 0;
		uint32_t page;

		for (i = 0; i < K; i++)
			if (g_touch_safe(UFFD_PAGE_GPA(p * K + i), &v,
					 &tok[got]) == 14)
				got++;
		from = g->nr_ev;
		guest_ucall(UC_TEST, 1, p, 0);
		wait_phase(g, tok, got, from);
		g_exits(2);	/* room for a late page-ready */
		readies = count_since(g, tok, got, from);
		wake = 0;
		for (i = from; i < g->nr_ev; i++)
			wake += g->ev[i].token == APFINT_WAKE_ALL_TOKEN &&
				g->ev[i].type != GEV_NP;
		for (i = 0; i < K; i++) {
			page = p * K + i;
			if (g_touch_safe(UFFD_PAGE_GPA(page), &v, &t) == 14) {
				refault++;
				g_resolve(page);
				if (g_wait_ready(t, WAIT_HLT, from))
					guest_fail("no page ready", page, t);
				v = g_read64(UFFD_PAGE_GPA(page));
			}
			bad += v != UFFD_PATTERN(page);
		}
		g_ev(GEV_OBS, 0, 10 + p, PH(got, readies, wake, refault, bad));
	}
	g_exits(2);
}

static uint64_t seed;

static uint64_t rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return seed;
}

static uint64_t en_value(void)
{
	uint64_t area = rnd() & 1 ? APF_AREA_GPA(0) : ALT_AREA;

	switch (rnd() % 6) {
	case 0:
		return 0;
	case 1:
		return area | EN_INT_FLAGS;
	case 2:
		return area | KVM_ASYNC_PF_ENABLED |
		       KVM_ASYNC_PF_DELIVERY_AS_INT;
	case 3:
		return area | EN_INT_FLAGS | (0x10ULL << (rnd() & 1));
	case 4:
		return BAD_GPA | EN_INT_FLAGS;
	}
	return area | EN_INT_FLAGS | KVM_ASYNC_PF_DELIVERY_AS_PF_VMEXIT;
}

static uint64_t int_value(void)
{
	uint64_t hi;

	switch (rnd() % 4) {
	case 0:
		return APF_VECTOR;
	case 1:
		return 32 + rnd() % 224;
	case 2:
		hi = (1 + rnd() % 0xff) << 8;
		return hi | (rnd() & 0xff);
	}
	return rnd() % 32;
}

/* upstream's rules, as the VMM's writes should leave the vCPU */
struct model {
	uint64_t en, intv;
	bool queued;		/* a page-ready is queued */
	bool dropped;		/* the queue was dropped this phase */
	int wake;		/* wake-alls queued since the drop */
};

static bool badgpa_stored;
static struct model m = { .en = APF_AREA_GPA(0) | EN_INT_FLAGS,
			  .intv = APF_VECTOR };
static int phase_dropped[PHASES], phase_wake[PHASES];

static int model_set(uint32_t msr, uint64_t v)
{
	if (msr == MSR_KVM_ASYNC_PF_INT) {
		if (v & ~KVM_ASYNC_PF_VEC_MASK)
			return 0;
		m.intv = v;
		return 1;
	}
	if (v & APFINT_EN_RESERVED_BITS)
		return 0;
	if (!(v & KVM_ASYNC_PF_ENABLED)) {
		m.en = v;
		m.queued = false;
		m.dropped = true;
		m.wake = 0;
		return 1;
	}
	if ((v & APFINT_EN_GPA_MASK) == BAD_GPA) {
		if (badgpa_stored)
			m.en = v;
		return 0;
	}
	m.en = v;
	if (!m.queued) {
		m.queued = true;
		m.wake++;
	}
	return 1;
}

static void op(struct vcpu *v, unsigned int p, unsigned int i, uint32_t msr,
	       uint64_t val)
{
	uint64_t en = ~0ULL, iv = ~0ULL;
	int rc = __vcpu_set_msr(v, msr, val), want = model_set(msr, val);
	int ren = __vcpu_get_msr(v, MSR_KVM_ASYNC_PF_EN, &en);
	int rint = __vcpu_get_msr(v, MSR_KVM_ASYNC_PF_INT, &iv);
	char k[48];

	printf("EV msr_migrate v0 op %u.%u SET %s %#llx rc=%d -> EN %#llx INT %#llx\n",
	       p, i, msr == MSR_KVM_ASYNC_PF_EN ? "EN" : "INT",
	       (unsigned long long)val, rc, (unsigned long long)en,
	       (unsigned long long)iv);
	snprintf(k, sizeof(k), "op%u.%u.rc", p, i);
	check_eq(k, rc, want);
	snprintf(k, sizeof(k), "op%u.%u.get_rc", p, i);
	check_eq(k, ren * 2 + rint, 3);
	snprintf(k, sizeof(k), "op%u.%u.en", p, i);
	check_eq(k, en, m.en);
	snprintf(k, sizeof(k), "op%u.%u.int", p, i);
	check_eq(k, iv, m.intv);
}

static bool wait_flag(struct uffd *u, unsigned int n, bool resolved,
		      int timeout_ms)
{
	uint64_t end = now_ns() + timeout_ms * 1000000ULL;
	struct timespec ts = { .tv_nsec = 1000000 };

	/* a poll with a deadline: the flags are set on the uffd thread */
	while (!(resolved ? u->pg[n].resolved : u->pg[n].faulted) &&
	       now_ns() < end)
		nanosleep(&ts, NULL);
	return resolved ? u->pg[n].resolved : u->pg[n].faulted;
}

struct idle_arg {
	struct uffd *u;
	unsigned int page;
};

/* old kernels under emulation now and then lose the trace event (vm.c) */
static bool worker_idle(void *arg)
{
	struct idle_arg *a = arg;

	return uffd_faulter_idle(a->u, a->page);
}

static int on_test(struct vcpu *v, uint64_t sub, uint64_t p)
{
	struct idle_arg ia = { .u = v->vm->uffd };
	struct uffd *u = v->vm->uffd;
	unsigned int i, first = p * K;

	if (sub != 1 || p >= PHASES)
		return -1;
	/* every worker in the uffd: none can still be cancelled unstarted */
	for (i = 0; i < K; i++)
		if (!wait_flag(u, first + i, false, 5000)) {
			snprintf(v->why, sizeof(v->why),
				 "phase %llu: page %u: no uffd fault",
				 (unsigned long long)p, first + i);
			return -1;
		}
	for (i = 0; i < K / 2; i++) {
		ia.page = first + i;
		if (uffd_resolve(u, first + i, 5000) ||
		    trace_wait_completed(UFFD_PAGE_GPA(first + i), 5000,
					 worker_idle, &ia) < 0) {
			snprintf(v->why, sizeof(v->why),
				 "phase %llu: page %u: not completed",
				 (unsigned long long)p, first + i);
			return -1;
		}
	}
	m.queued = true;
	m.dropped = false;
	m.wake = 0;
	/* the rest in flight for 100 ms: a drop waits for them */
	u->hold_until_ns = now_ns() + 100000000ULL;
	for (i = 0; i < OPS; i++) {
		if (rnd() & 1)
			op(v, p, i, MSR_KVM_ASYNC_PF_EN, en_value());
		else
			op(v, p, i, MSR_KVM_ASYNC_PF_INT, int_value());
	}
	op(v, p, OPS, MSR_KVM_ASYNC_PF_INT, APF_VECTOR);
	op(v, p, OPS + 1, MSR_KVM_ASYNC_PF_EN, APF_AREA_GPA(0) | EN_INT_FLAGS);
	phase_dropped[p] = m.dropped;
	phase_wake[p] = m.dropped ? m.wake : 0;
	for (i = K / 2; i < K; i++)
		if (!wait_flag(u, first + i, true, 5000)) {
			snprintf(v->why, sizeof(v->why),
				 "phase %llu: page %u: never resolved",
				 (unsigned long long)p, first + i);
			return -1;
		}
	u->hold_until_ns = ~0ULL;
	return 0;
}

int main(void)
{
	const char *e = getenv("PROBE_SEED");
	long states0 = -1;
	struct vcpu *v;
	struct vm *vm;
	unsigned int p, j, twice = 0;
	bool mod;
	char k[48];

	probe_init("msr_migrate");
	seed = e && *e ? strtoull(e, NULL, 0) : DEFAULT_SEED;
	if (!seed)
		seed = DEFAULT_SEED;
	printf("# msr_migrate: seed %#llx (PROBE_SEED)\n",
	       (unsigned long long)seed);
	badgpa_stored = expect_bool("en_badgpa_stored", true);
	if (!trace_available())
		return probe_skip("no tracefs: completions cannot be waited for");
	mod = host_module_loaded();
	if (mod)
		states0 = host_counter("vcpu_states");
	vm = vm_simple(guest, K * PHASES);
	v = vm->vcpus[0];
	v->on_test = on_test;
	vm->uffd->hold_until_ns = ~0ULL;
	uffd_set_auto(vm->uffd, 0);
	if (vm_run_report(vm, 60))
		return probe_fail("%s", v->why);

	for (p = 0; p < PHASES; p++) {
		uint64_t o = ev_obs(v, 10 + p, ~0ULL);
		unsigned int got = o & 0xff;

		printf("EV msr_migrate v0 phase %u: NP x%u, after the restore: %s readies x%llu WAKEALL x%llu refault=%llu bad=%llu\n",
		       p, got, phase_dropped[p] ? "queue dropped," : "queue kept,",
		       (unsigned long long)(o >> 8 & 0xff),
		       (unsigned long long)(o >> 16 & 0xff),
		       (unsigned long long)(o >> 24 & 0xff),
		       (unsigned long long)(o >> 32 & 0xff));
		snprintf(k, sizeof(k), "phase%u.np_count", p);
		check_eq(k, got, K);
		snprintf(k, sizeof(k), "phase%u.readies", p);
		check_eq(k, o >> 8 & 0xff, phase_dropped[p] ? 0 : got);
		snprintf(k, sizeof(k), "phase%u.wakeall", p);
		check_eq(k, o >> 16 & 0xff, phase_wake[p]);
		snprintf(k, sizeof(k), "phase%u.refaults", p);
		check_eq(k, o >> 24 & 0xff, 0);
		snprintf(k, sizeof(k), "phase%u.bad_data", p);
		check_eq(k, o >> 32 & 0xff, 0);
	}
	for (j = 0; j < v->g->nr_ev && j < MAX_EV; j++)
		if (v->g->ev[j].type == GEV_NP)
			twice += ev_ready_count(v, v->g->ev[j].token, 0) > 1;
	check_num("tokens_twice", twice, 0);
	vm_destroy(vm);
	if (mod)
		check_eq("vcpu_states_after",
			 host_counter_wait("vcpu_states", states0, 5000),
			 states0);
	else
		probe_note("no apfint_host loaded: module checks skipped");
	return probe_finish();
}
