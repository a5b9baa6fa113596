// SPDX-License-Identifier: GPL-2.0
/*
 * The rules include/apfint_abi.h states for both modules and the probe:
 * EN layout and bit 3, the INT MSR, the usable vectors.  Header only, so
 * no module source is compiled in.
 */
#include "unit.h"
#include "apfint_abi.h"

#define AREA	0x7fc1e040ULL	/* 64-byte aligned, like apf_reason */

static void test_en(void)
{
	unsigned long long en = AREA | KVM_ASYNC_PF_ENABLED |
				KVM_ASYNC_PF_SEND_ALWAYS;

	UNIT_CHECK(!apfint_en_reserved(en), "a kernel's EN has no reserved bit");
	UNIT_CHECK(apfint_en_reserved(en | 0x10), "bit 4 is reserved");
	UNIT_CHECK(apfint_en_reserved(en | 0x20), "bit 5 is reserved");
	UNIT_CHECK(!apfint_en_reserved(en | KVM_ASYNC_PF_DELIVERY_AS_INT |
				       KVM_ASYNC_PF_DELIVERY_AS_PF_VMEXIT),
		   "bits 2 and 3 are not reserved");

	UNIT_EQ(apfint_en_area_gpa(en | KVM_ASYNC_PF_DELIVERY_AS_INT), AREA,
		"area GPA is bits 63:6");
	UNIT_EQ(apfint_en_area_gpa(0xffffffffffffffffULL),
		0xffffffffffffffc0ULL, "area GPA keeps bit 63");
	UNIT_EQ(apfint_en_token_gpa(en), AREA + 4,
		"the token sits 4 bytes into the area");
	UNIT_EQ(apfint_en_token_gpa(en) >> 12, AREA >> 12,
		"token and area share a page");

	UNIT_EQ(apfint_en_add_int(en), en | 0x8, "bit 3 added, nothing else");
	UNIT_EQ(apfint_en_add_int(en | 0x8), en | 0x8, "adding bit 3 twice is one");
	UNIT_EQ(apfint_en_strip_int(en | 0x8), en, "bit 3 stripped, nothing else");
	UNIT_EQ(apfint_en_strip_int(en), en, "stripping without bit 3 is a no-op");
	UNIT_EQ(apfint_en_strip_int(0xffffffffffffffffULL),
		0xfffffffffffffff7ULL, "strip keeps the upper half");
}

static void test_int_msr(void)
{
	UNIT_EQ(apfint_int_msr_value(0xf1), 0xf1, "vector in bits 7:0");
	UNIT_EQ(apfint_int_msr_value(0x1f1), 0xf1, "never a reserved bit");
	UNIT_EQ(apfint_int_msr_vector(0xec), 0xec, "vector read back");
	UNIT_CHECK(!apfint_int_msr_reserved(0xff), "bits 7:0 are the vector");
	UNIT_CHECK(apfint_int_msr_reserved(0x100), "bit 8 is reserved");
	UNIT_CHECK(apfint_int_msr_reserved(1ULL << 63), "bit 63 is reserved");
}

static void test_vector(void)
{
	UNIT_CHECK(!apfint_vector_ok(0), "vector 0 rejected");
	UNIT_CHECK(!apfint_vector_ok(31), "exception vectors rejected");
	UNIT_CHECK(apfint_vector_ok(32), "first external vector accepted");
	UNIT_CHECK(apfint_vector_ok(0xf1), "POSTED_INTR_WAKEUP_VECTOR accepted");
	UNIT_CHECK(apfint_vector_ok(255), "vector 255 accepted");
	UNIT_CHECK(!apfint_vector_ok(256), "vectors above 255 rejected");
	UNIT_CHECK(apfint_vector_ok(apfint_int_msr_vector(0xf1)),
		   "what the INT MSR holds for 0xf1 is usable");
}

int main(void)
{
	test_en();
	test_int_msr();
	test_vector();
	return unit_done();
}
