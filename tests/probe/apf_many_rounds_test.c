// SPDX-License-Identifier: GPL-2.0
/*
 * many_rounds: no token lost or doubled at scale.  4 vCPUs, each with its
 * own run of 16 userfaultfd pages, go round after round: touch every page
 * without waiting (each touch takes a 'page not present' with a token),
 * wait halted for a page-ready of each token, read every page back (the
 * data the VMM copied in, no second fault), and report the round in a
 * ucall.  There the VMM checks that round's event log token by token and
 * clears it (the log holds 1024 events, a run 10^5), then zaps the pages
 * (MADV_DONTNEED on the backing, which kvm's mmu notifier turns into
 * fresh faults) so that the next round faults again.
 *
 * Per vCPU, over the whole run (a bitmap per vCPU of every token seen):
 * each 'page not present' token is new, nonzero and names the vCPU; each
 * gets exactly one page-ready, on that vCPU; no page-ready without its
 * 'page not present' (stray), none twice (doubled, also when it comes a
 * round late: the log after the last round is checked too); every touch
 * faults, every page holds its data afterwards.  A token whose page-ready
 * never comes leaves its vCPU halted: the watchdog stops the run after
 * STALL_S without progress and counts the missing tokens as lost.
 *
 * PROBE_TOKENS=N (default 1024, make check's conformance run) sets how
 * many 'page not present' / page-ready pairs to go through, rounded up to
 * whole rounds of 64; make stress runs 10^5.  The event log (EV lines)
 * holds counts that do not depend on N, so every N compares with the 6.1
 * log; the totals are a "METRIC tokens" line.  Zero tokens tried fails.
 *
 * The emulator's nested SVM can take an interrupt inside the STI shadow
 * of sti;hlt (tests/probe/README.md): the guest logged a page-ready for
 * every token of its round and still sits halted.  Over 10^5 halts that
 * happens, so instead of failing the VMM wakes such a vCPU with an
 * interrupt on NUDGE_VECTOR (KVM_SIGNAL_MSI) after NUDGE_S, counted and
 * printed ("nudged"); it never stands in for a page-ready, as the vCPU
 * waits for every token by name.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include "probe.h"
#include "guest.h"

#define VCPUS		4
#define PAGES		16		/* per vCPU and round */
#define DEFAULT_TOKENS	1024
#define NUDGE_VECTOR	0xf0
#define NUDGE_S		3
#define STALL_S		30
#define PROGRESS_S	20		/* a console line: the harness watches */
#define TOK_BITS	20		/* kvm's token: id << 12 | vcpu_id */

#define ROUND_TOK(g)	((uint32_t *)(SHARED_GPA + (g)->id * 0x200))

/* arg of UC_TEST 1: what the guest saw in the round */
#define ARG(nofault, refault, bad, got) \
	((uint64_t)(nofault) | (uint64_t)(refault) << 16 | \
	 (uint64_t)(bad) << 32 | (uint64_t)(got) << 48)

/* params: [0] pages, [1] first page, [2] rounds */
static void guest(struct gvcpu *g)
{
	uint32_t n = g->params[0], first = g->params[1];
	uint32_t *tok = ROUND_TOK(g);
	uint64_t r, rounds = g->params[2], v;
	uint32_t i, t;

	g_std_setup();
	for (r = 0; r < rounds; r++) {
		uint32_t got = 0, nofault = 0, refault = 0, bad = 0;

		g_ev(GEV_MARK, 0, 1, r);
		for (i = 0; i < n; i++) {
			if (g_touch_safe(UFFD_PAGE_GPA(first + i), &v,
					 &tok[got]) == 14)
				got++;
			else
				nofault++;
		}
		g_ev(GEV_MARK, 0, 2, r);
		if (g_wait_tokens(tok, got, WAIT_HLT))
			guest_fail("timeout waiting for page-readies", r, got);
		for (i = 0; i < n; i++) {
			if (g_touch_safe(UFFD_PAGE_GPA(first + i), &v, &t))
				refault++;
			else if (v != UFFD_PATTERN(first + i))
				bad++;
		}
		guest_ucall(UC_TEST, 1, ARG(nofault, refault, bad, got), 0);
	}
	g_exits(2);	/* room for late duplicates */
	guest_ucall(UC_TEST, 2, 0, 0);
}

struct rstate {
	uint8_t *np_seen, *rdy_seen;	/* bitmaps by token >> 12 */
	volatile unsigned long progress;	/* ucalls handled */
	unsigned long rounds, np, ready, wakeall, lost, doubled, stray;
	unsigned long zero, wrongcpu, nofault, refault, bad, overflow;
	unsigned long short_rounds, ints, nudges;
	bool final;
};

static struct rstate st[VCPUS];
static struct vm *the_vm;

static bool bit_test_set(uint8_t *map, uint32_t tok)
{
	uint32_t i = (tok >> 12) & ((1u << TOK_BITS) - 1);
	bool was = map[i / 8] & (1u << (i % 8));

	map[i / 8] |= 1u << (i % 8);
	return was;
}

static bool bit_test(const uint8_t *map, uint32_t tok)
{
	uint32_t i = (tok >> 12) & ((1u << TOK_BITS) - 1);

	return map[i / 8] & (1u << (i % 8));
}

static bool is_ready(uint32_t type)
{
	return type == GEV_RDY_INT || type == GEV_RDY_PF;
}

/*
 * The vCPU's log since the last check (the guest stands in a ucall: it
 * adds nothing meanwhile), token by token; then cleared.
 */
static void check_log(struct vcpu *v, struct rstate *s, bool final)
{
	struct gvcpu *g = v->g;
	uint32_t n = g->nr_ev, j, np = 0;

	if (n > MAX_EV || g->unexpected) {
		s->overflow++;
		if (n > MAX_EV)
			n = MAX_EV;
	}
	/* first the faults, then the page-readies: either order is read */
	for (j = 0; j < n; j++) {
		struct gevent *e = &g->ev[j];

		if (e->type != GEV_NP)
			continue;
		np++;
		s->zero += e->token == 0;
		s->wrongcpu += (e->token & 0xfff) != (uint32_t)v->id;
		if (bit_test_set(s->np_seen, e->token))
			s->doubled++;	/* a token handed out twice */
		if (final)
			s->stray++;	/* a fault after the last round */
	}
	for (j = 0; j < n; j++) {
		struct gevent *e = &g->ev[j];

		if (e->type == GEV_INT) {
			s->ints += e->a != NUDGE_VECTOR;
			continue;
		}
		if (!is_ready(e->type))
			continue;
		if (e->token == APFINT_WAKE_ALL_TOKEN) {
			s->wakeall++;
			continue;
		}
		if (!bit_test(s->np_seen, e->token))
			s->stray++;
		else if (bit_test_set(s->rdy_seen, e->token))
			s->doubled++;
		else
			s->ready++;
	}
	for (j = 0; j < n; j++)
		if (g->ev[j].type == GEV_NP &&
		    !bit_test(s->rdy_seen, g->ev[j].token))
			s->lost++;
	s->np += np;
	if (!final && np != PAGES)
		s->short_rounds++;
	g->unexpected = 0;
	g->nr_ready = 0;
	g->nr_np = 0;
	g->nr_ev = 0;
}

/* The round's pages are missing again: the next touches fault. */
static int zap(struct vcpu *v)
{
	struct uffd *u = v->vm->uffd;
	unsigned int first = v->g->params[1], p;
	uint64_t end = now_ns() + 1000000000ULL;

	/* the copy's ioctl returned before the page-ready; its flag next */
	for (p = first; p < first + PAGES; p++)
		while (!u->pg[p].resolved)
			if (now_ns() > end) {
				snprintf(v->why, sizeof(v->why),
					 "v%d: page %u: page-ready before its copy ended",
					 v->id, p);
				return -1;
			}
	if (madvise(v->vm->umem + first * PAGE_SIZE_4K, PAGES * PAGE_SIZE_4K,
		    MADV_DONTNEED)) {
		snprintf(v->why, sizeof(v->why), "v%d: madvise: %s", v->id,
			 strerror(errno));
		return -1;
	}
	pthread_mutex_lock(&u->lock);
	for (p = first; p < first + PAGES; p++) {
		u->pg[p].faulted = 0;	/* before resolved: see resolve_due */
		__sync_synchronize();
		u->pg[p].resolved = 0;
		u->pg[p].copy_errno = 0;
	}
	pthread_mutex_unlock(&u->lock);
	return 0;
}

static int on_test(struct vcpu *v, uint64_t sub, uint64_t arg)
{
	struct rstate *s = &st[v->id];

	check_log(v, s, sub == 2);
	if (sub == 2) {
		s->final = true;
		s->progress++;
		return 0;
	}
	if (sub != 1)
		return -1;
	s->nofault += arg & 0xffff;
	s->refault += (arg >> 16) & 0xffff;
	s->bad += (arg >> 32) & 0xffff;
	s->rounds++;
	s->progress++;
	return zap(v);
}

/*
 * Tokens of the current round still without a page-ready, or -1 while the
 * vCPU is not yet waiting.  Read while the guest runs: a hint only.
 */
static int missing_now(struct vcpu *v)
{
	struct gvcpu *g = v->g;
	uint32_t n = g->nr_ev, i, j;
	bool waiting = false;
	int miss = 0;

	if (n > MAX_EV)
		n = MAX_EV;
	for (i = 0; i < n; i++) {
		struct gevent *e = &g->ev[i];

		if (e->type == GEV_MARK && e->a == 2)
			waiting = true;
		if (e->type != GEV_NP)
			continue;
		for (j = 0; j < n; j++)
			if (is_ready(g->ev[j].type) &&
			    g->ev[j].token == e->token)
				break;
		miss += j == n;
	}
	return waiting ? miss : -1;
}

static void nudge(struct vm *vm, struct vcpu *v)
{
	struct kvm_msi msi = {
		.address_lo = 0xfee00000u | (uint32_t)v->id << 12,
		.data = NUDGE_VECTOR,	/* fixed, edge */
	};

	if (ioctl(vm->fd, KVM_SIGNAL_MSI, &msi) > 0)
		st[v->id].nudges++;
}

static void console(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void console(const char *fmt, ...)
{
	static FILE *f;
	va_list ap;

	if (!f)
		f = fopen("/dev/console", "w");
	va_start(ap, fmt);
	vfprintf(f ? f : stderr, fmt, ap);
	va_end(ap);
	fflush(f ? f : stderr);
}

/*
 * Runs every vCPU to its end, watching for progress: a vCPU that logged a
 * page-ready for each token and still made none for NUDGE_S is nudged; one
 * without progress for STALL_S is stopped with the rest, its missing
 * tokens counted lost.  Returns the stalled vCPU, or -1.
 */
static int run_watched(struct vm *vm, unsigned long rounds)
{
	unsigned long last[VCPUS] = { 0 }, total;
	uint64_t since[VCPUS], nudged[VCPUS] = { 0 }, t0 = now_ns();
	uint64_t shown = t0;
	bool joined[VCPUS] = { false }, stop = false;
	int i, stalled = -1, miss;

	for (i = 0; i < VCPUS; i++) {
		vcpu_start(vm->vcpus[i]);
		since[i] = t0;
	}
	for (;;) {
		struct timespec dl;
		uint64_t now;

		for (i = 0; i < VCPUS && joined[i]; i++)
			;
		if (i == VCPUS)
			break;
		clock_gettime(CLOCK_REALTIME, &dl);
		dl.tv_sec++;
		if (!pthread_timedjoin_np(vm->vcpus[i]->thread, NULL, &dl)) {
			joined[i] = true;
			if (vm->vcpus[i]->result)
				stop = true;	/* one failed: end the run */
		}
		now = now_ns();
		for (i = 0; i < VCPUS && !stop; i++) {
			struct vcpu *v = vm->vcpus[i];

			if (joined[i] || v->stopped)
				continue;
			if (st[i].progress != last[i]) {
				last[i] = st[i].progress;
				since[i] = now;
				continue;
			}
			miss = missing_now(v);
			if (now - since[i] >= NUDGE_S * 1000000000ULL &&
			    now - nudged[i] >= NUDGE_S * 1000000000ULL &&
			    miss == 0) {
				nudge(vm, v);
				nudged[i] = now;
			}
			if (now - since[i] >= STALL_S * 1000000000ULL) {
				stalled = i;
				st[i].lost += miss > 0 ? miss : 0;
				printf("# v%d: no progress for %d s in round %lu: %d tokens without a page-ready\n",
				       i, STALL_S, st[i].rounds, miss);
				stop = true;
			}
		}
		if (stop) {
			for (i = 0; i < VCPUS; i++) {
				if (joined[i])
					continue;
				vcpu_stop(vm->vcpus[i]);
				pthread_join(vm->vcpus[i]->thread, NULL);
				joined[i] = true;
			}
			break;
		}
		if (now - shown >= PROGRESS_S * 1000000000ULL) {
			shown = now;
			for (total = 0, i = 0; i < VCPUS; i++)
				total += st[i].rounds;
			console("PROGRESS many_rounds: %lu of %lu vCPU rounds, %.0f s\n",
				total, rounds * VCPUS, (now - t0) / 1e9);
		}
	}
	return stalled;
}

static void check_vcpu(int i, unsigned long rounds)
{
	struct rstate *s = &st[i];
	char k[64];

	printf("EV many_rounds v%d every round NP x%d short=%lu; READY once "
	       "per token; WAKEALL x%lu; lost=%lu doubled=%lu stray=%lu "
	       "zero=%lu wrongcpu=%lu nofault=%lu refault=%lu bad=%lu "
	       "overflow=%lu\n", i, PAGES, s->short_rounds, s->wakeall,
	       s->lost, s->doubled, s->stray, s->zero, s->wrongcpu,
	       s->nofault, s->refault, s->bad, s->overflow);
#define CHK(key, got, want) do {					\
		snprintf(k, sizeof(k), "v%d." key, i);			\
		check_num(k, got, want);				\
	} while (0)
	CHK("tokens_lost", s->lost, 0);
	CHK("tokens_doubled", s->doubled, 0);
	CHK("tokens_stray", s->stray, 0);
	CHK("rounds", s->rounds, rounds);
	CHK("np_count", s->np, rounds * PAGES);
	CHK("ready_count", s->ready, rounds * PAGES);
	CHK("wakeall_count", s->wakeall, 1);
	CHK("tokens_nonzero", s->zero, 0);
	CHK("tokens_name_vcpu", s->wrongcpu, 0);
	CHK("every_touch_faults", s->nofault, 0);
	CHK("refaults", s->refault, 0);
	CHK("bad_data", s->bad, 0);
	CHK("log_overflow", s->overflow, 0);
	CHK("checked_to_end", s->final, 1);
#undef CHK
}

int main(void)
{
	struct vm_opts o = { .uffd_pages = VCPUS * PAGES };
	const char *e = getenv("PROBE_TOKENS");
	unsigned long tokens = e && *e ? strtoul(e, NULL, 0) : DEFAULT_TOKENS;
	unsigned long rounds = (tokens + VCPUS * PAGES - 1) / (VCPUS * PAGES);
	unsigned long tried = 0, lost = 0, doubled = 0, stray = 0, nudges = 0;
	uint64_t t0;
	double secs;
	int i, stalled;

	probe_init("many_rounds");
	if (!kvm_check_cap(KVM_CAP_SIGNAL_MSI))
		return probe_skip("no KVM_CAP_SIGNAL_MSI");
	the_vm = vm_create(&o);
	for (i = 0; i < VCPUS; i++) {
		struct vcpu *v = vcpu_add(the_vm, guest);

		v->g->params[0] = PAGES;
		v->g->params[1] = i * PAGES;
		v->g->params[2] = rounds;
		v->on_test = on_test;
		st[i].np_seen = calloc(1, 1u << (TOK_BITS - 3));
		st[i].rdy_seen = calloc(1, 1u << (TOK_BITS - 3));
		TEST_ASSERT(st[i].np_seen && st[i].rdy_seen, "calloc");
	}
	printf("# many_rounds: %lu rounds of %d tokens on each of %d vCPUs (PROBE_TOKENS=%lu)\n",
	       rounds, PAGES, VCPUS, tokens);
	uffd_set_auto(the_vm->uffd, 1000);
	t0 = now_ns();
	stalled = run_watched(the_vm, rounds);
	secs = (now_ns() - t0) / 1e9;
	for (i = 0; i < VCPUS; i++) {
		struct vcpu *v = the_vm->vcpus[i];

		if (v->result && v->why[0])
			printf("# v%d: %s\n", i, v->why);
		check_vcpu(i, rounds);
		tried += st[i].np;
		lost += st[i].lost;
		doubled += st[i].doubled;
		stray += st[i].stray;
		nudges += st[i].nudges;
	}
	check("tokens_tried", tried > 0 && tried == rounds * VCPUS * PAGES,
	      "%lu of %lu", tried, rounds * VCPUS * PAGES);
	printf("# many_rounds: %lu tokens tried over %d vCPUs: lost %lu, doubled %lu, stray %lu; %lu halted vCPUs nudged; %.1f s\n",
	       tried, VCPUS, lost, doubled, stray, nudges, secs);
	printf("METRIC tokens tried=%lu lost=%lu doubled=%lu stray=%lu rounds=%lu vcpus=%d nudged=%lu seconds=%.0f per_s=%.0f\n",
	       tried, lost, doubled, stray, rounds, VCPUS, nudges, secs,
	       secs > 0 ? tried / secs : 0.0);
	if (stalled >= 0)
		return probe_fail("v%d made no progress for %d s", stalled,
				  STALL_S);
	for (i = 0; i < VCPUS; i++)
		if (the_vm->vcpus[i]->result)
			return probe_fail("%s", the_vm->vcpus[i]->why[0] ?
					  the_vm->vcpus[i]->why : "a vCPU failed");
	return probe_finish();
}
