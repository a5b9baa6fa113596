/* SPDX-License-Identifier: GPL-2.0 */
/*
 * apfint_host: whether the running kvm is laid out as the headers this
 * module was built against say (host_kmod/layout.c gathers the facts at
 * load).  Every offset and size the module uses is the headers', fixed at
 * build time; they are right only if kvm.ko was built from the same
 * headers, with the same configuration and patches.  A fact pairs one
 * such value with the same value as the running kvm has it, read from
 * where kvm stores it or from its code.  Only <linux/types.h> may be used
 * here, so that tests/unit compiles this very code in userspace.
 */
#ifndef APFINT_HOST_FACTS_H
#define APFINT_HOST_FACTS_H

#include <linux/types.h>

enum apfint_fact_rule {
	APFINT_FACT_SAME,	/* kvm's value is the headers' */
	APFINT_FACT_ROOM,	/* kvm's value is at least the headers' */
	APFINT_FACT_USED,	/* kvm's code uses the headers' offset */
};

struct apfint_fact {
	const char *what;	/* the layout item, as the headers name it */
	const char *where;	/* where the running kvm's value comes from */
	unsigned long want;	/* the headers' value */
	unsigned long got;	/* kvm's (USED: the uses found of want) */
	bool read;		/* got was read from the running kvm */
	bool optional;		/* a kvm that cannot tell is no difference */
	enum apfint_fact_rule rule;
};

enum apfint_fact_verdict {
	APFINT_FACT_MATCH,
	APFINT_FACT_DIFFERS,	/* kvm's value is not the headers' */
	APFINT_FACT_UNREAD,	/* optional and unread: not checked here */
	APFINT_FACT_MISSING,	/* needed and unread: kvm is not as known */
};

enum apfint_fact_verdict apfint_fact_judge(const struct apfint_fact *f);

/*
 * The first of the n facts that refuses the load (DIFFERS or MISSING), or
 * NULL when none does; *checked counts the facts that matched.
 */
const struct apfint_fact *apfint_facts_refuse(const struct apfint_fact *f,
					      size_t n, size_t *checked);

/*
 * Whether sym, a kernel symbol as sprint_symbol() prints it
 * ("svm_set_msr+0x0/0x2a0 [kvm_amd]"), is the start of a function named
 * for the kvm_x86_ops member named by member ("set_msr"): its name ends in
 * "_<member>" and its offset is 0.  What a kvm_x86_ops slot read at the
 * headers' offset of member holds when the table is laid out as the
 * headers say: the vendor modules name their functions after the members
 * (svm_set_msr, vmx_set_msr).
 */
bool apfint_slot_holds(const char *sym, const char *member);

#endif /* APFINT_HOST_FACTS_H */
