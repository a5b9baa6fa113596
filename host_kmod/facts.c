// SPDX-License-Identifier: GPL-2.0
/*
 * apfint_host: judging the running kvm's layout against the headers' (see
 * facts.h).  Built into the module and, unchanged, into
 * tests/unit/test_host_facts.
 */
#include "facts.h"

enum apfint_fact_verdict apfint_fact_judge(const struct apfint_fact *f)
{
	bool same;

	if (!f->read)
		return f->optional ? APFINT_FACT_UNREAD : APFINT_FACT_MISSING;
	switch (f->rule) {
	case APFINT_FACT_SAME:
		same = f->got == f->want;
		break;
	case APFINT_FACT_ROOM:
		same = f->got >= f->want;
		break;
	default:
		same = f->got > 0;
		break;
	}
	return same ? APFINT_FACT_MATCH : APFINT_FACT_DIFFERS;
}

const struct apfint_fact *apfint_facts_refuse(const struct apfint_fact *f,
					      size_t n, size_t *checked)
{
	const struct apfint_fact *refused = NULL;
	size_t i;

	*checked = 0;
	for (i = 0; i < n; i++) {
		switch (apfint_fact_judge(&f[i])) {
		case APFINT_FACT_MATCH:
			(*checked)++;
			break;
		case APFINT_FACT_DIFFERS:
		case APFINT_FACT_MISSING:
			if (!refused)
				refused = &f[i];
			break;
		default:
			break;
		}
	}
	return refused;
}

bool apfint_slot_holds(const char *sym, const char *member)
{
	size_t name = 0, len = 0, i;
	const char *off;

	if (!sym || !member)
		return false;
	while (sym[name] && sym[name] != '+' && sym[name] != ' ')
		name++;
	while (member[len])
		len++;
	/* "+0x0/": the slot points at the function's first byte */
	off = &sym[name];
	if (off[0] != '+' || off[1] != '0' || off[2] != 'x' || off[3] != '0' ||
	    off[4] != '/')
		return false;
	if (!len || name < len + 1 || sym[name - len - 1] != '_')
		return false;
	for (i = 0; i < len; i++)
		if (sym[name - len + i] != member[i])
			return false;
	return true;
}
