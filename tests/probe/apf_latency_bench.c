// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmarks over the probe's VMM (tests/tiers/bench/bench).  Not a
 * conformance scenario: it judges nothing, it prints raw samples and the
 * L0 side computes distributions and ratios between cases.
 *
 *   apf_latency_bench lat CASE int|legacy N
 *	P2, page-ready latency: N samples each with the waiting vCPU
 *	halted and spinning in the guest without exits (alternating), the
 *	setup of apf_kick_test.c (vCPU moved to CPU 1 once the async work
 *	is queued on CPU 0, pages resolved 3 ms after their fault).  One
 *	line per sample:
 *	  P2 CASE halt|spin <copy->handler us> <completion->handler us|-1>
 *	     <kicked: 1 an IPI took the spinning vCPU out, 0 an unrelated
 *	      exit did, -1 inconclusive>
 *	Each span includes one guest exit to the VMM (how the guest time
 *	is carried over, see apf_kick_test.c), the same in every case.
 *
 *   apf_latency_bench exits CASE ITERS BATCHES
 *	P3, cost where unused: a guest loop of exits that have nothing to
 *	do with async PF (CPUID, RDMSR and WRMSR of MSR_KVM_PV_EOI_EN, all
 *	handled inside KVM), with APF enabled (legacy bits, as a stock
 *	guest kernel does) and never faulting.  One line per batch:
 *	  P3 CASE <exits> <ns> <ticks per exit> <CPUID ticks> <MSR ticks>
 *	The guest times each iteration's CPUID exit and its two MSR exits
 *	(guest TSC ticks); a batch reports their medians, which leave out
 *	the iterations the emulator's thread was preempted in (these decide
 *	a batch's wall time on a busy machine).  apfint_host is on the MSR
 *	exits' path (kvm_{get,set}_msr_common) and not on CPUID's, so the
 *	CPUID exit is each batch's own control for the emulator's speed.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <unistd.h>
#include "probe.h"
#include "guest.h"

#define MAX_SAMPLES	150	/* per mode: the guest log holds 1024 events */
#define MSR_KVM_PV_EOI_EN	0x4b564d04
#define MAX_ITERS	8192	/* P3 iterations timed per batch */

/* P3: each iteration's guest TSC ticks, written by the guest */
static uint32_t cpuid_ticks[MAX_ITERS], msr_ticks[MAX_ITERS];

enum { K_LAT, K_EXITS };

static void guest_lat(struct gvcpu *g)
{
	g_ready_samples(g->params[1], g->params[3]);
}

static inline void g_cpuid(uint32_t leaf)
{
	uint32_t a = leaf, b, c = 0, d;

	asm volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
}

static void guest_exits(struct gvcpu *g)
{
	uint64_t iters = g->params[1], batches = g->params[2], i, b, val;

	g_lapic_enable();
	g_wrmsr(MSR_KVM_ASYNC_PF_EN, g->area_gpa | EN_LEGACY_FLAGS);
	g_sti();
	if (g_wrmsr_safe(MSR_KVM_PV_EOI_EN, 0) ||
	    g_rdmsr_safe(MSR_KVM_PV_EOI_EN, &val))
		guest_fail("MSR_KVM_PV_EOI_EN faults", 0, 0);
	for (b = 0; b < batches; b++) {
		guest_ucall(UC_TEST, 4, 0, 0);	/* batch starts */
		for (i = 0; i < iters; i++) {
			uint64_t t0 = rdtsc_g(), t1;

			g_cpuid(0x40000001);
			t1 = rdtsc_g();
			g_rdmsr_safe(MSR_KVM_PV_EOI_EN, &val);
			g_wrmsr(MSR_KVM_PV_EOI_EN, 0);
			msr_ticks[i] = rdtsc_g() - t1;
			cpuid_ticks[i] = t1 - t0;
		}
		guest_ucall(UC_TEST, 5, 3 * iters, 0);	/* batch ends */
	}
}

static void guest(struct gvcpu *g)
{
	if (g->params[0] == K_EXITS)
		guest_exits(g);
	else
		guest_lat(g);
}

/* the exit's host time and the guest's TSC ticks since its handler */
static uint64_t ready_at[2 * MAX_SAMPLES], ready_tsc[2 * MAX_SAMPLES];
static int nready;
static uint64_t batch_start;
static uint64_t nbatches;
static const char *bench_case;

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The median of n times the guest wrote to ticks[] (in its memory). */
static double median_ticks(struct vcpu *v, const uint32_t *ticks, uint64_t n)
{
	static uint32_t t[MAX_ITERS];

	memcpy(t, gpa_hva(v->vm, (uint64_t)(uintptr_t)ticks), n * sizeof(t[0]));
	qsort(t, n, sizeof(t[0]), cmp_u32);
	return n ? t[(n - 1) / 2] : 0;
}

static int on_test(struct vcpu *v, uint64_t sub, uint64_t arg)
{
	uint64_t now = now_ns();

	switch (sub) {
	case 3:
		if (tl_pinned)
			thread_pin(pthread_self(), TL_WORK_CPU);
		break;
	case 1:
		if (nready < 2 * MAX_SAMPLES) {
			ready_at[nready] = now;
			ready_tsc[nready++] = arg;
		}
		break;
	case 4:
		batch_start = now;
		break;
	case 5: {
		double c = median_ticks(v, cpuid_ticks, arg / 3);
		double m = median_ticks(v, msr_ticks, arg / 3);

		nbatches++;
		printf("P3 %s %llu %llu %.0f %.0f %.0f\n", bench_case,
		       (unsigned long long)arg,
		       (unsigned long long)(now - batch_start), (c + m) / 3,
		       c, m);
		break;
	}
	}
	return 0;
}

/* Every completion's time (the trace on TL_VCPU_CPU: lib/timeline.c). */
static uint64_t done_ns[2 * MAX_SAMPLES];

static void collect(const struct tev *e, void *arg)
{
	unsigned long long gva;

	(void)arg;
	if (!strcmp(e->name, "kvm_async_pf_completed") &&
	    sscanf(e->rest, " gva %llx", &gva) == 1 && gva >= UFFD_GPA &&
	    gva < UFFD_PAGE_GPA(2 * MAX_SAMPLES))
		done_ns[(gva - UFFD_GPA) / PAGE_SIZE_4K] = e->ns;
	timeline_add(e);
}

/*
 * The TSC rate, measured over the whole run on one CPU (L1's TSCs run at
 * one rate but are not in sync): KVM_GET_TSC_KHZ is L1's boot-time
 * calibration, which a loaded emulator can get wrong by 10x (seen: a 5.4
 * L1 "Using PIT calibration value", 207 MHz for 2594).
 */
static void tsc_mark(uint64_t *tsc, uint64_t *ns)
{
	*ns = now_ns();
	*tsc = rdtsc_h();
}

static int run_lat(bool legacy, int n)
{
	uint64_t tsc0, ns0, tsc1, ns1;
	double tsc_ghz, kvm_ghz;
	struct vm *vm;
	struct vcpu *v;
	int i;

	thread_pin(pthread_self(), TL_WORK_CPU);
	tsc_mark(&tsc0, &ns0);

	vm = vm_simple(guest, 2 * n);
	v = vm->vcpus[0];
	v->on_test = on_test;
	v->g->params[0] = K_LAT;
	v->g->params[1] = n;
	v->g->params[3] = legacy;
	uffd_set_auto(vm->uffd, 3000);
	if (!timeline_setup(vm, v)) {
		printf("# one CPU or no trace events: kick not classified\n");
	}
	if (vm_run_report(vm, 60 + n / 2))
		return probe_fail("%s", v->why);
	tsc_mark(&tsc1, &ns1);
	tsc_ghz = (double)(tsc1 - tsc0) / (double)(ns1 - ns0);
	kvm_ghz = vm->tsc_khz / 1e6;
	printf("# TSC %.3f GHz measured over %.1f s, KVM_GET_TSC_KHZ %.3f GHz\n",
	       tsc_ghz, (ns1 - ns0) / 1e9, kvm_ghz);
	trace_for_each(collect, NULL);
	if (ntl >= TL_MAX)
		printf("# trace longer than %d events: late samples unclassified\n",
		       TL_MAX);
	for (i = 0; i < nready; i++) {
		struct uffd_page *p = &vm->uffd->pg[i];
		uint64_t ready_ns = ready_at[i] - ready_tsc[i] / tsc_ghz;
		double us, cus = -1;
		int k = -1;

		if (!p->resolved)
			continue;
		us = (double)(int64_t)(ready_ns - p->copy_ns) / 1000.0;
		if (done_ns[i])
			cus = (double)(int64_t)(ready_ns - done_ns[i]) / 1000.0;
		if (tl_pinned && (i & 1))
			k = timeline_kicked(p->copy_ns, done_ns[i]);
		printf("P2 %s %s %.1f %.1f %d\n", bench_case,
		       (i & 1) ? "spin" : "halt", us, cus, k);
	}
	check_num("samples", nready, 2 * n);
	check("tsc_rate_sane", tsc_ghz > 0.1 && tsc_ghz < 20,
	      "measured TSC rate %.3f GHz", tsc_ghz);
	return probe_finish();
}

static int run_exits(uint64_t iters, uint64_t batches)
{
	struct vm *vm;
	struct vcpu *v;

	if (iters > MAX_ITERS)
		iters = MAX_ITERS;
	/* one L1 CPU for the whole run (the vCPU thread inherits it) */
	if (sysconf(_SC_NPROCESSORS_ONLN) > 1)
		thread_pin(pthread_self(), TL_VCPU_CPU);
	vm = vm_simple(guest, 0);
	v = vm->vcpus[0];
	v->on_test = on_test;
	v->g->params[0] = K_EXITS;
	v->g->params[1] = iters;
	v->g->params[2] = batches;
	if (vm_run_report(vm, 300))
		return probe_fail("%s", v->why);
	check_num("batches", nbatches, batches);
	return probe_finish();
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "lat")) {
		int n = atoi(argv[4]);

		if (n < 1 || n > MAX_SAMPLES)
			n = MAX_SAMPLES;
		bench_case = argv[2];
		probe_init("latency_bench");
		return run_lat(!strcmp(argv[3], "legacy"), n);
	}
	if (argc == 5 && !strcmp(argv[1], "exits")) {
		bench_case = argv[2];
		probe_init("exit_bench");
		return run_exits(strtoull(argv[3], NULL, 0),
				 strtoull(argv[4], NULL, 0));
	}
	fprintf(stderr, "usage: %s lat CASE int|legacy N | exits CASE ITERS BATCHES\n",
		argv[0]);
	return 2;
}
