// unit-sources: host_kmod/facts.c host_kmod/text.c
// SPDX-License-Identifier: GPL-2.0
/*
 * apfint_host's load-time layout check (host_kmod/facts.c, the scan in
 * host_kmod/text.c): fed a kvm laid out as the headers say it loads; fed
 * one whose layout differs it refuses, naming the difference.
 */
#include <string.h>
#include "unit.h"
#include "../../host_kmod/facts.h"
#include "../../host_kmod/text.h"

/* The headers' offset of vcpu->arch.apic_base in this test. */
#define APIC_BASE	0x1a38u

/*
 * kvm_get_apic_base() as gcc compiles "return vcpu->arch.apic_base;":
 * nopl 0x0(%rax,%rax,1) (the ftrace site); push %rbp; mov %rsp,%rbp;
 * mov disp32(%rdi),%rax; pop %rbp; ret.
 */
static size_t get_apic_base(u8 *buf, u32 disp)
{
	static const u8 head[] = { 0x0f, 0x1f, 0x44, 0x00, 0x00, 0x55,
				   0x48, 0x89, 0xe5, 0x48, 0x8b, 0x87 };
	static const u8 tail[] = { 0x5d, 0xc3 };

	memcpy(buf, head, sizeof(head));
	memcpy(buf + sizeof(head), &disp, 4);
	memcpy(buf + sizeof(head) + 4, tail, sizeof(tail));
	return sizeof(head) + 4 + sizeof(tail);
}

static void test_disp32(void)
{
	/* testb $0x1,disp32(%rbx); mov disp32(%rsp),%rax (SIB) */
	static const u8 testb[] = { 0xf6, 0x83, 0x40, 0x1b, 0x00, 0x00, 0x01 };
	static const u8 sib[] = { 0x48, 0x8b, 0x84, 0x24, 0x40, 0x1b, 0x00, 0x00 };
	/* call rel32 with the same four bytes */
	static const u8 call[] = { 0xe8, 0x40, 0x1b, 0x00, 0x00 };
	/* mov 0x40(%rdi),%rax: a disp8, not the same field */
	static const u8 disp8[] = { 0x48, 0x8b, 0x47, 0x40 };
	u8 buf[32];
	size_t len = get_apic_base(buf, APIC_BASE);
	u32 found[4];

	UNIT_EQ(apfint_text_disp32_uses(buf, len, APIC_BASE), 1,
		"mov disp32(%%rdi),%%rax: the displacement is found");
	UNIT_EQ(apfint_text_disp32_uses(buf, len, APIC_BASE + 8), 0,
		"another displacement is not");
	UNIT_EQ(apfint_text_disp32_uses(buf, len - 3, APIC_BASE), 0,
		"one cut off by the end of the function is not read");
	UNIT_EQ(apfint_text_disp32_uses(testb, sizeof(testb), 0x1b40), 1,
		"testb $imm8,disp32(%%rbx) found");
	UNIT_EQ(apfint_text_disp32_uses(sib, sizeof(sib), 0x1b40), 1,
		"with a SIB byte found");
	UNIT_EQ(apfint_text_disp32_uses(call, sizeof(call), 0x1b40), 0,
		"a call's rel32 with those bytes is no memory operand");
	UNIT_EQ(apfint_text_disp32_uses(disp8, sizeof(disp8), 0x40), 0,
		"a disp8 operand is not a disp32 one");
	UNIT_EQ(apfint_text_disp32_uses(buf, 3, APIC_BASE), 0,
		"shorter than a displacement: nothing read");

	UNIT_EQ(apfint_text_disp32_list(buf, len, 0x80, found, 4), 1,
		"the list holds the one displacement used");
	UNIT_EQ(found[0], APIC_BASE, "and names it");
	UNIT_EQ(apfint_text_disp32_list(buf, len, APIC_BASE + 1, found, 4), 0,
		"displacements below the minimum are left out");
	UNIT_EQ(apfint_text_disp32_uses(buf, len, 0x1a3887), 1,
		"the opcode 8b reads as a ModRM byte too: a false find the scan allows");
	UNIT_EQ(apfint_text_disp32_list(buf, len, 0, found, 4), 1,
		"the list bounds it out: no structure here is 64 KiB");
}

#define MOD	0xffffffffc0a01000UL	/* where modules load on x86-64 */
#define CREATE	0xffffffff81234560UL	/* kmem_cache_create_usercopy */

/*
 * 5.4.286's kvm_init() around its kmem_cache_create_usercopy() call, as
 * gcc 12 compiled it (objdump -d kvm.ko), with the call's displacement
 * patched in for the load address: useroffset 0x230 in %r8d, usersize
 * 0x34f0 in %r9d.
 */
static size_t kvm_init_code(u8 *buf, u32 useroffset, u32 usersize)
{
	static const u8 code[] = {
		0x85, 0xed,				/* test %ebp,%ebp */
		0xb8, 0x10, 0x00, 0x00, 0x00,		/* mov $0x10,%eax */
		0x44, 0x89, 0xee,			/* mov %r13d,%esi */
		0x6a, 0x00,				/* push $0x0 */
		0x0f, 0x44, 0xe8,			/* cmove %eax,%ebp */
		0x41, 0xb9, 0, 0, 0, 0,			/* mov $usersize,%r9d */
		0xb9, 0x00, 0x00, 0x00, 0x04,		/* mov $0x4000000,%ecx */
		0x41, 0xb8, 0, 0, 0, 0,			/* mov $useroffset,%r8d */
		0x48, 0xc7, 0xc7, 0x00, 0x00, 0x00, 0x00, /* mov $name,%rdi */
		0x89, 0xea,				/* mov %ebp,%edx */
		0xe8, 0, 0, 0, 0,			/* call */
	};
	size_t call = sizeof(code) - 5;
	s32 rel = (s32)(long)(CREATE - (MOD + call + 5));

	memcpy(buf, code, sizeof(code));
	memcpy(&buf[17], &usersize, 4);
	memcpy(&buf[28], &useroffset, 4);
	memcpy(&buf[call + 1], &rel, 4);
	return sizeof(code);
}

static void test_call_arg(void)
{
	u8 buf[64];
	size_t len = kvm_init_code(buf, 0x230, 0x34f0);
	u32 v = 0;

	UNIT_CHECK(apfint_text_call_arg(buf, len, MOD, CREATE, 5, &v) &&
		   v == 0x230, "kvm_init: usercopy offset 0x230 read from %%r8d");
	UNIT_CHECK(apfint_text_call_arg(buf, len, MOD, CREATE, 6, &v) &&
		   v == 0x34f0, "kvm_init: usercopy size 0x34f0 read from %%r9d");
	UNIT_CHECK(!apfint_text_call_arg(buf, len, MOD, CREATE + 16, 5, &v),
		   "no call to that function: nothing read");
	UNIT_CHECK(!apfint_text_call_arg(buf, len, MOD, CREATE, 4, &v),
		   "only the 5th and 6th arguments are read");
	UNIT_CHECK(!apfint_text_call_arg(buf + 21, len - 21, MOD + 21, CREATE,
					 6, &v),
		   "a mov cut off before the window: not read");
	buf[26] = 0x90;		/* the offset's mov becomes something else */
	UNIT_CHECK(!apfint_text_call_arg(buf, len, MOD, CREATE, 5, &v),
		   "an argument not set by a mov of a constant: not read");
}

/* A kvm function's code, as layout.c reads it, turned into the fact. */
static struct apfint_fact field_use(const u8 *code, size_t len, u32 want)
{
	struct apfint_fact f = {
		.what = "vcpu->arch.apic_base", .where = "kvm_get_apic_base",
		.want = want, .rule = APFINT_FACT_USED, .read = true,
		.got = apfint_text_disp32_uses(code, len, want),
	};

	return f;
}

static void test_kvm_alike(void)
{
	u8 code[32];
	size_t len = get_apic_base(code, APIC_BASE), checked;
	struct apfint_fact f[] = {
		{ .what = "offsetof(struct kvm_vcpu, arch)", .want = 0x1a0,
		  .got = 0x1a0, .read = true, .optional = true,
		  .rule = APFINT_FACT_SAME },
		{ .what = "sizeof(struct kvm_vcpu_arch)", .want = 0x2170,
		  .got = 0x2170, .read = true, .optional = true,
		  .rule = APFINT_FACT_SAME },
		{ .what = "sizeof(struct kvm_vcpu)", .want = 0x2318,
		  .got = 0x3740, .read = true, .optional = true,
		  .rule = APFINT_FACT_ROOM },
		field_use(code, len, APIC_BASE),
		{ .what = "kvm_x86_ops->set_msr", .want = 1, .read = true,
		  .got = apfint_slot_holds("svm_set_msr+0x0/0x2a0 [kvm_amd]",
					   "set_msr"),
		  .rule = APFINT_FACT_SAME },
	};

	UNIT_CHECK(!apfint_facts_refuse(f, 5, &checked),
		   "a kvm laid out as the headers say loads");
	UNIT_EQ(checked, 5, "every fact was checked");

	f[0].read = f[1].read = false;
	UNIT_CHECK(!apfint_facts_refuse(f, 5, &checked),
		   "a kvm without the usercopy region (4.14, SLOB) loads on the rest");
	UNIT_EQ(checked, 3, "the two it cannot tell are not counted as checked");
}

static void test_kvm_differs(void)
{
	u8 code[32];
	/* kvm.ko built with one more u64 before apic_base */
	size_t len = get_apic_base(code, APIC_BASE + 8), checked;
	const struct apfint_fact *r;
	struct apfint_fact f[] = {
		{ .what = "offsetof(struct kvm_vcpu, arch)", .want = 0x1a0,
		  .got = 0x1a0, .read = true, .optional = true,
		  .rule = APFINT_FACT_SAME },
		{ .what = "sizeof(struct kvm_vcpu_arch)", .want = 0x2170,
		  .read = true, .optional = true, .rule = APFINT_FACT_SAME },
		field_use(code, len, APIC_BASE),
		{ .what = "kvm_x86_ops->set_msr", .want = 1, .read = true,
		  .got = 1, .rule = APFINT_FACT_SAME },
	};
	u32 found[4];

	u8 init[64];
	u32 v = 0;

	/* kvm.ko built with one more u64 in struct kvm_vcpu_arch */
	apfint_text_call_arg(init, kvm_init_code(init, 0x1a0, 0x2178), MOD,
			     CREATE, 6, &v);
	f[1].got = v;
	r = apfint_facts_refuse(f, 4, &checked);
	UNIT_CHECK(r == &f[1], "kvm_vcpu_arch 8 bytes larger in kvm: refused");
	UNIT_CHECK(r && !strcmp(r->what, "sizeof(struct kvm_vcpu_arch)"),
		   "the refusal names the size that differs");
	UNIT_CHECK(r && r->got == 0x2178 && r->want == 0x2170,
		   "with kvm's value and the headers'");
	UNIT_EQ(apfint_fact_judge(&f[2]), APFINT_FACT_DIFFERS,
		"apic_base moved in kvm: its function does not use the headers' offset");

	f[1].got = f[1].want;	/* same size, a field moved within */
	r = apfint_facts_refuse(f, 4, &checked);
	UNIT_CHECK(r == &f[2] && !strcmp(r->what, "vcpu->arch.apic_base") &&
		   !strcmp(r->where, "kvm_get_apic_base"),
		   "a field moved within kvm_vcpu_arch: refused, naming the field and the function");
	UNIT_EQ(apfint_text_disp32_list(code, len, 0x80, found, 4), 1,
		"the function's displacements, for the refusal");
	UNIT_EQ(found[0], APIC_BASE + 8, "name the offset kvm uses");

	f[2].read = false;	/* kvm_get_apic_base not found */
	r = apfint_facts_refuse(f, 4, &checked);
	UNIT_CHECK(r == &f[2] && apfint_fact_judge(r) == APFINT_FACT_MISSING,
		   "a needed fact kvm cannot give refuses too");

	f[2].read = true;
	f[2].got = 1;
	f[3].got = apfint_slot_holds("svm_get_msr+0x0/0x3e0 [kvm_amd]",
				     "set_msr");
	r = apfint_facts_refuse(f, 4, &checked);
	UNIT_CHECK(r == &f[3], "set_msr's slot holding svm_get_msr: refused");

	f[3].got = 1;
	f[0].got = 0x1a8;
	f[0].optional = true;
	r = apfint_facts_refuse(f, 4, &checked);
	UNIT_CHECK(r == &f[0], "an optional fact that was read and differs refuses");
}

static void test_slot(void)
{
	UNIT_CHECK(apfint_slot_holds("svm_set_msr+0x0/0x2a0 [kvm_amd]", "set_msr"),
		   "svm_set_msr in set_msr's slot");
	UNIT_CHECK(apfint_slot_holds("vmx_get_msr+0x0/0x5c0 [kvm_intel]", "get_msr"),
		   "vmx_get_msr in get_msr's slot");
	UNIT_CHECK(apfint_slot_holds("svm_set_msr+0x0/0x2a0", "set_msr"),
		   "built in: no module name");
	UNIT_CHECK(!apfint_slot_holds("svm_get_msr+0x0/0x3e0 [kvm_amd]", "set_msr"),
		   "another member's function: no");
	UNIT_CHECK(!apfint_slot_holds("svm_set_msr+0x10/0x2a0 [kvm_amd]", "set_msr"),
		   "inside the function, not its start: no");
	UNIT_CHECK(!apfint_slot_holds("kvm_set_msr_common+0x0/0x9e0 [kvm]", "set_msr"),
		   "a name that only contains the member: no");
	UNIT_CHECK(!apfint_slot_holds("set_msr+0x0/0x10", "set_msr"),
		   "the member name alone, no prefix: no");
	UNIT_CHECK(!apfint_slot_holds("0xffffffffc0a01000", "set_msr"),
		   "no symbol there (data, or nothing): no");
	UNIT_CHECK(!apfint_slot_holds("", "set_msr"), "empty: no");
	UNIT_CHECK(!apfint_slot_holds(NULL, "set_msr"), "NULL: no");
}

int main(void)
{
	test_disp32();
	test_call_arg();
	test_kvm_alike();
	test_kvm_differs();
	test_slot();
	return unit_done();
}
