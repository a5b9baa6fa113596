// unit-sources: host_kmod/text.c
// SPDX-License-Identifier: GPL-2.0
/*
 * apfint_host's reading of kvm's code: direct calls and jumps found by
 * their target, on hand-made buffers at module-like addresses.
 */
#include <string.h>
#include "unit.h"
#include "../../host_kmod/text.h"

#define MOD	0xffffffffc0a01000UL	/* where modules load on x86-64 */

/* Writes op + rel32 at buf[at] so that it branches from base+at to target. */
static void put_branch(u8 *buf, size_t at, unsigned long base, u8 op,
		       unsigned long target)
{
	s32 rel = (s32)(long)(target - (base + at + 5));

	buf[at] = op;
	memcpy(&buf[at + 1], &rel, 4);
}

static void test_branches(void)
{
	/* nopl 0x0(%rax,%rax,1): the ftrace site, then push %rbp ... */
	static const u8 prologue[] = { 0x0f, 0x1f, 0x44, 0x00, 0x00, 0x55 };
	unsigned long get = MOD + 0x1f340, put = MOD - 0x2000;
	u8 buf[64];

	memset(buf, 0x90, sizeof(buf));
	memcpy(buf, prologue, sizeof(prologue));
	UNIT_EQ(apfint_text_branches_to(buf, sizeof(buf), MOD, get), 0,
		"no branch at all: none found");

	put_branch(buf, 10, MOD, 0xe8, get);
	UNIT_EQ(apfint_text_branches_to(buf, sizeof(buf), MOD, get), 1,
		"call rel32 forward found");
	UNIT_EQ(apfint_text_branches_to(buf, sizeof(buf), MOD, put), 0,
		"a call elsewhere is not a call to this target");
	UNIT_EQ(apfint_text_branches_to(buf, sizeof(buf), MOD + 1, get), 0,
		"the displacement is relative to where the code is loaded");

	put_branch(buf, 20, MOD, 0xe8, put);
	UNIT_EQ(apfint_text_branches_to(buf, sizeof(buf), MOD, put), 1,
		"call rel32 backward (negative displacement) found");
	put_branch(buf, sizeof(buf) - 5, MOD, 0xe9, put);
	UNIT_EQ(apfint_text_branches_to(buf, sizeof(buf), MOD, put), 2,
		"tail jmp rel32 ending on the last byte found too");
	UNIT_EQ(apfint_text_branches_to(buf, sizeof(buf) - 1, MOD, put), 1,
		"a branch cut off by the end of the function is not read");
	UNIT_EQ(apfint_text_calls_to(buf, sizeof(buf), MOD, put), 1,
		"calls only: the tail jmp is not counted");
	UNIT_EQ(apfint_text_calls_to(buf, sizeof(buf), MOD, get), 1,
		"calls only: the call is");

	memset(buf, 0x90, sizeof(buf));
	put_branch(buf, 8, MOD, 0xeb, get);	/* jmp rel8: not this form */
	put_branch(buf, 16, MOD, 0xff, get);	/* not a branch opcode */
	UNIT_EQ(apfint_text_branches_to(buf, sizeof(buf), MOD, get), 0,
		"only e8 and e9 count");
	UNIT_EQ(apfint_text_branches_to(buf, 4, MOD, get), 0,
		"shorter than one branch: nothing read");
}

static void test_rule(void)
{
	UNIT_EQ(apfint_ref_rule(1, 1), APFINT_REF_WORK_REF,
		"get in setup and put in execute: the work item holds a VM reference");
	UNIT_EQ(apfint_ref_rule(0, 0), APFINT_REF_FLUSHED,
		"neither: teardown flushes the work item (CVE-2024-26976 fix)");
	UNIT_EQ(apfint_ref_rule(1, 0), APFINT_REF_UNKNOWN,
		"get without put: unknown kvm, refuse");
	UNIT_EQ(apfint_ref_rule(0, 2), APFINT_REF_UNKNOWN,
		"put without get: unknown kvm, refuse");
}

int main(void)
{
	test_branches();
	test_rule();
	return unit_done();
}
