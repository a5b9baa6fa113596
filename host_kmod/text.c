// SPDX-License-Identifier: GPL-2.0
/*
 * apfint_host: reading kvm's machine code (see text.h).  Built into the
 * module and, unchanged, into tests/unit/test_host_text.
 */
#include "text.h"

#define APFINT_CALL_REL32	0xe8
#define APFINT_JMP_REL32	0xe9
#define APFINT_BRANCH_LEN	5

static unsigned int apfint_text_find(const u8 *text, size_t len,
				     unsigned long addr, unsigned long target,
				     bool jumps)
{
	unsigned int found = 0;
	size_t i;
	s32 rel;

	for (i = 0; i + APFINT_BRANCH_LEN <= len; i++) {
		if (text[i] != APFINT_CALL_REL32 &&
		    (!jumps || text[i] != APFINT_JMP_REL32))
			continue;
		/* little endian, unaligned */
		rel = (s32)((u32)text[i + 1] | (u32)text[i + 2] << 8 |
			    (u32)text[i + 3] << 16 | (u32)text[i + 4] << 24);
		if (addr + i + APFINT_BRANCH_LEN + (long)rel == target)
			found++;
	}
	return found;
}

unsigned int apfint_text_branches_to(const u8 *text, size_t len,
				     unsigned long addr, unsigned long target)
{
	return apfint_text_find(text, len, addr, target, true);
}

unsigned int apfint_text_calls_to(const u8 *text, size_t len,
				  unsigned long addr, unsigned long target)
{
	return apfint_text_find(text, len, addr, target, false);
}

enum apfint_ref_rule apfint_ref_rule(unsigned int gets_in_setup,
				     unsigned int puts_in_execute)
{
	if (gets_in_setup && puts_in_execute)
		return APFINT_REF_WORK_REF;
	if (!gets_in_setup && !puts_in_execute)
		return APFINT_REF_FLUSHED;
	return APFINT_REF_UNKNOWN;
}
