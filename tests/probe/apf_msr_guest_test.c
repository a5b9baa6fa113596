// SPDX-License-Identifier: GPL-2.0
/*
 * msr_guest: guest rdmsr/wrmsr of EN, INT and ACK with valid values and
 * every reserved-bit and bad-value case, #GP or not as upstream decides
 * (arch/x86/kvm/x86.c: kvm_pv_enable_async_pf{,_int}, the ACK case).
 * Four VMs: the normal one; one without an in-kernel LAPIC (INT and a
 * non-zero EN need one); two with KVM_CAP_ENFORCE_PV_FEATURE_CPUID, one
 * whose guest CPUID lacks bit 14 (INT, ACK and EN bit 3 need it), one
 * whose CPUID lacks bit 4 but has bit 14 (EN needs bit 4; INT and ACK
 * only bit 14: upstream once gated ACK on the wrong bit).
 */
#include <sys/ioctl.h>
#include "probe.h"
#include "guest.h"

#define NOVAL	0xdeadbeefdeadbeefULL

struct mcase {
	const char *name;
	uint32_t msr;
	uint32_t wr;
	uint64_t val;
	int want_vec;
	uint64_t want_val;	/* for reads; NOVAL: don't care */
	/* filled by the guest */
	int vec;
	uint64_t got;
};

#define C(n, m, w, v, gv, gw)						\
	{ .name = n, .msr = m, .wr = w, .val = v, .want_vec = gv,	\
	  .want_val = gw }
#define AREA	APF_AREA_GPA(0)
#define BADGPA	0x80000000ULL	/* no memslot at 2 GiB */
#define EN	MSR_KVM_ASYNC_PF_EN
#define INT	MSR_KVM_ASYNC_PF_INT
#define ACK	MSR_KVM_ASYNC_PF_ACK

static struct mcase normal[] = {
	C("rd_en_reset", EN, 0, 0, 0, 0),
	C("rd_int_reset", INT, 0, 0, 0, 0),
	C("rd_ack", ACK, 0, 0, 0, 0),
	C("wr_int", INT, 1, APF_VECTOR, 0, NOVAL),
	C("rd_int", INT, 0, 0, 0, APF_VECTOR),
	C("wr_int_bit8_gp", INT, 1, 0x100 | APF_VECTOR, 13, NOVAL),
	C("wr_int_bit63_gp", INT, 1, (1ULL << 63) | APF_VECTOR, 13, NOVAL),
	C("rd_int_unchanged", INT, 0, 0, 0, APF_VECTOR),
	/* upstream does not validate the vector: below 32 is accepted */
	C("wr_int_vector16", INT, 1, 0x10, 0, NOVAL),
	C("rd_int_vector16", INT, 0, 0, 0, 0x10),
	C("wr_int_restore", INT, 1, APF_VECTOR, 0, NOVAL),
	C("wr_en_bit4_gp", EN, 1, AREA | 0x10 | EN_INT_FLAGS, 13, NOVAL),
	C("wr_en_bit5_gp", EN, 1, AREA | 0x20 | EN_INT_FLAGS, 13, NOVAL),
	C("rd_en_unchanged", EN, 0, 0, 0, 0),
	C("wr_en", EN, 1, AREA | EN_INT_FLAGS, 0, NOVAL),
	C("rd_en", EN, 0, 0, 0, AREA | EN_INT_FLAGS),
	C("wr_en_pf_vmexit", EN, 1, AREA | EN_INT_FLAGS |
		KVM_ASYNC_PF_DELIVERY_AS_PF_VMEXIT, 0, NOVAL),
	/* reserved bits without bit 3: #GP, and interrupt mode stays whole */
	C("wr_en_int_again", EN, 1, AREA | EN_INT_FLAGS, 0, NOVAL),
	C("wr_en_noint_bit4_gp", EN, 1, AREA | 0x10 | EN_LEGACY_FLAGS, 13, NOVAL),
	C("rd_en_int_kept", EN, 0, 0, 0, AREA | EN_INT_FLAGS),
	C("wr_ack_1", ACK, 1, 1, 0, NOVAL),
	C("wr_ack_0", ACK, 1, 0, 0, NOVAL),
	/* upstream checks no reserved bits in ACK */
	C("wr_ack_2", ACK, 1, 2, 0, NOVAL),
	C("rd_ack_after", ACK, 0, 0, 0, 0),
	C("wr_en_0", EN, 1, 0, 0, NOVAL),
	C("rd_en_0", EN, 0, 0, 0, 0),
	/* area without a memslot: #GP, but upstream keeps the value */
	C("wr_en_badgpa_gp", EN, 1, BADGPA | EN_INT_FLAGS, 13, NOVAL),
	C("rd_en_after_badgpa", EN, 0, 0, 0, BADGPA | EN_INT_FLAGS),
	C("wr_en_0_again", EN, 1, 0, 0, NOVAL),
	/* control: an unknown KVM MSR */
	C("wr_unknown_gp", 0x4b564d7f, 1, 0, 13, NOVAL),
	C("rd_unknown_gp", 0x4b564d7f, 0, 0, 13, NOVAL),
};

static struct mcase noapic[] = {
	C("noapic_wr_int_gp", INT, 1, APF_VECTOR, 13, NOVAL),
	C("noapic_wr_en_gp", EN, 1, AREA | EN_INT_FLAGS, 13, NOVAL),
	C("noapic_wr_en_0", EN, 1, 0, 0, NOVAL),
	C("noapic_rd_int", INT, 0, 0, 0, 0),
};

static struct mcase nocpuid[] = {
	C("nocpuid_wr_int_gp", INT, 1, APF_VECTOR, 13, NOVAL),
	C("nocpuid_wr_ack_gp", ACK, 1, 1, 13, NOVAL),
	C("nocpuid_rd_ack_gp", ACK, 0, 0, 13, NOVAL),
	C("nocpuid_wr_en_int_gp", EN, 1, AREA | EN_INT_FLAGS, 13, NOVAL),
	C("nocpuid_wr_en_legacy", EN, 1, AREA | EN_LEGACY_FLAGS, 0, NOVAL),
	C("nocpuid_wr_en_0", EN, 1, 0, 0, NOVAL),
};

static struct mcase noapf[] = {
	C("noapf_wr_int", INT, 1, APF_VECTOR, 0, NOVAL),
	C("noapf_wr_ack", ACK, 1, 1, 0, NOVAL),
	C("noapf_rd_ack", ACK, 0, 0, 0, 0),
	C("noapf_wr_en_gp", EN, 1, AREA | EN_INT_FLAGS, 13, NOVAL),
	C("noapf_rd_en_gp", EN, 0, 0, 13, NOVAL),
};

static void guest(struct gvcpu *g)
{
	struct mcase *c = (struct mcase *)g->params[0];
	uint64_t i, n = g->params[1];

	for (i = 0; i < n; i++) {
		c[i].got = NOVAL;
		if (c[i].wr)
			c[i].vec = g_wrmsr_safe(c[i].msr, c[i].val);
		else
			c[i].vec = g_rdmsr_safe(c[i].msr, &c[i].got);
	}
}

/* EN and INT writes answered with #GP: what apfint_msr_refused counts. */
static unsigned int refused_writes;

static void count_refused(const struct tev *e, void *arg)
{
	if (!strcmp(e->name, "apfint_msr_refused"))
		(*(unsigned int *)arg)++;
}

static int run_cases(struct vm *vm, struct mcase *cases, unsigned int n)
{
	struct vcpu *v = vm->vcpus[0];
	struct mcase *gc;
	unsigned int i;

	/* the guest works on its own copy, at the same address */
	gc = gpa_hva(vm, (uint64_t)cases);
	v->g->params[0] = (uint64_t)cases;
	v->g->params[1] = n;
	if (vm_run_report(vm, TEST_TIMEOUT_S)) {
		check("run", false, "%s", v->why);
		return -1;
	}
	for (i = 0; i < n; i++) {
		char k[80];

		printf("EV msr_guest v0 %s %s vec=%d%s | got=%#llx\n",
		       gc[i].name, gc[i].wr ? "wrmsr" : "rdmsr", gc[i].vec,
		       gc[i].vec ? " (#GP)" : "", (unsigned long long)gc[i].got);
		if (gc[i].wr && gc[i].vec == 13 &&
		    (gc[i].msr == EN || gc[i].msr == INT))
			refused_writes++;
		snprintf(k, sizeof(k), "%s.vector", gc[i].name);
		check_num(k, gc[i].vec, gc[i].want_vec);
		if (!gc[i].wr && gc[i].want_val != NOVAL && !gc[i].vec) {
			snprintf(k, sizeof(k), "%s.value", gc[i].name);
			check_num(k, gc[i].got, gc[i].want_val);
		}
	}
	return 0;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

int main(void)
{
	struct vm_opts o = { 0 };
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_ENFORCE_PV_FEATURE_CPUID, .args = { 1 },
	};
	struct vm *vm;
	bool traced;

	probe_init("msr_guest");
	/* apfint_host's tracepoint, where there is one (not upstream) */
	traced = !trace_enable("apfint_host/apfint_msr_refused");
	vm = vm_create(&o);
	vcpu_add(vm, guest);
	run_cases(vm, normal, N(normal));
	vm_destroy(vm);

	o.no_irqchip = true;
	vm = vm_create(&o);
	vcpu_add(vm, guest);
	run_cases(vm, noapic, N(noapic));
	vm_destroy(vm);
	if (traced) {
		unsigned int seen = 0;

		trace_for_each(count_refused, &seen);
		probe_note("apfint_msr_refused: %u events for %u refused EN/INT writes",
			   seen, refused_writes);
		check_bool("msr_refused_traced",
			   refused_writes > 0 && seen == refused_writes, true);
	}

	/* KVM_CAP_ENFORCE_PV_FEATURE_CPUID arrived in 5.10 */
	if (!check_bool("cap_enforce_pv_feature_cpuid",
			kvm_check_cap(KVM_CAP_ENFORCE_PV_FEATURE_CPUID) > 0,
			true)) {
		return probe_finish();
	}
	if (kvm_check_cap(KVM_CAP_ENFORCE_PV_FEATURE_CPUID) <= 0) {
		probe_note("no KVM_CAP_ENFORCE_PV_FEATURE_CPUID: "
			   "CPUID-gated cases not run");
		printf("EV msr_guest v0 nocpuid SKIPPED\n");
		return probe_finish();
	}
	o.no_irqchip = false;
	o.cpuid_no_apf_int = true;
	vm = vm_create(&o);
	vcpu_add(vm, guest);
	TEST_ASSERT(!ioctl(vm->vcpus[0]->fd, KVM_ENABLE_CAP, &cap),
		    "KVM_ENABLE_CAP(ENFORCE_PV_FEATURE_CPUID): %s",
		    strerror(errno));
	run_cases(vm, nocpuid, N(nocpuid));
	vm_destroy(vm);

	o.cpuid_no_apf_int = false;
	o.cpuid_no_apf = true;
	vm = vm_create(&o);
	vcpu_add(vm, guest);
	TEST_ASSERT(!ioctl(vm->vcpus[0]->fd, KVM_ENABLE_CAP, &cap),
		    "KVM_ENABLE_CAP(ENFORCE_PV_FEATURE_CPUID): %s",
		    strerror(errno));
	run_cases(vm, noapf, N(noapf));
	vm_destroy(vm);
	return probe_finish();
}
