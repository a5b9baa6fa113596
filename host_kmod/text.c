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

#define APFINT_MODRM_MOD(b)	((b) >> 6)
#define APFINT_MODRM_RM(b)	((b) & 7)
#define APFINT_MOD_DISP32	2
#define APFINT_RM_SIB		4

/* Whether text[i..i + 3] is the displacement of a ModRM memory operand. */
static bool apfint_text_is_disp32(const u8 *text, size_t i)
{
	if (i >= 1 && APFINT_MODRM_MOD(text[i - 1]) == APFINT_MOD_DISP32 &&
	    APFINT_MODRM_RM(text[i - 1]) != APFINT_RM_SIB)
		return true;
	return i >= 2 && APFINT_MODRM_MOD(text[i - 2]) == APFINT_MOD_DISP32 &&
	       APFINT_MODRM_RM(text[i - 2]) == APFINT_RM_SIB;
}

static u32 apfint_text_u32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

unsigned int apfint_text_disp32_uses(const u8 *text, size_t len, u32 disp)
{
	unsigned int found = 0;
	size_t i;

	for (i = 1; i + 4 <= len; i++)
		if (apfint_text_is_disp32(text, i) &&
		    apfint_text_u32(&text[i]) == disp)
			found++;
	return found;
}

size_t apfint_text_disp32_list(const u8 *text, size_t len, u32 min,
			       u32 *found, size_t max)
{
	size_t i, j, n = 0;
	u32 disp;

	for (i = 1; i + 4 <= len && n < max; i++) {
		if (!apfint_text_is_disp32(text, i))
			continue;
		disp = apfint_text_u32(&text[i]);
		if (disp < min || disp >= APFINT_TEXT_DISP_MAX)
			continue;
		for (j = 0; j < n && found[j] != disp; j++)
			;
		if (j == n)
			found[n++] = disp;
	}
	return n;
}

bool apfint_text_call_arg(const u8 *text, size_t len, unsigned long addr,
			  unsigned long target, unsigned int arg, u32 *value)
{
	size_t call, i, from;
	u8 op;
	s32 rel;

	if (arg != 5 && arg != 6)
		return false;
	op = arg == 5 ? 0xb8 : 0xb9;
	for (call = 0; call + APFINT_BRANCH_LEN <= len; call++) {
		if (text[call] != APFINT_CALL_REL32)
			continue;
		rel = (s32)apfint_text_u32(&text[call + 1]);
		if (addr + call + APFINT_BRANCH_LEN + (long)rel == target)
			break;
	}
	if (call + APFINT_BRANCH_LEN > len)
		return false;
	from = call > APFINT_TEXT_ARG_WINDOW ? call - APFINT_TEXT_ARG_WINDOW : 0;
	/* 41 op imm32 ends at or before the call */
	for (i = call; i >= from + 6; i--) {
		if (text[i - 6] == 0x41 && text[i - 5] == op) {
			*value = apfint_text_u32(&text[i - 4]);
			return true;
		}
	}
	return false;
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
