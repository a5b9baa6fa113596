// SPDX-License-Identifier: GPL-2.0
/*
 * apfint_host: the load-time check that the running kvm is laid out as
 * the headers this module was built against say (facts.h).  The offsets
 * and sizes compiled into apfint_host are the headers'; kvm.ko may have
 * been built from other ones (another configuration, a patch, a rebuilt
 * kvm.ko under the same release).  Each fact below reads one of those
 * values back from the running kvm, where kvm stores it or from the code
 * kvm was compiled to, and any difference refuses the load, naming it.
 * No version number decides anything here.
 *
 * What is checked, and what each would catch:
 *   - kvm_init() creates kvm_vcpu_cache, the slab cache of every vCPU,
 *     with the usercopy region offsetof(struct kvm_vcpu, arch),
 *     sizeof(struct kvm_vcpu_arch) as kvm.ko was compiled (v4.16+): the
 *     two constants are read from that call's code, and the cache's
 *     object size must hold a struct kvm_vcpu: a field added to or
 *     removed from struct kvm_vcpu before arch, or anywhere in struct
 *     kvm_vcpu_arch, moves the vcpu->arch.* fields apfint_host reads and
 *     writes;
 *   - the offsets of the vcpu->arch fields it depends on most appear as
 *     displacements in kvm functions that read them: apic_base in
 *     kvm_get_apic_base(), apf.msr_val (which apfint_host rewrites) in
 *     kvm_arch_can_inject_async_page_present(), cr0 in kvm_set_cr0(): a
 *     field moved within struct kvm_vcpu_arch, which the sizes alone
 *     would not show (and on kernels without the usercopy region);
 *   - the kvm_x86_ops slots apfint_host wraps, read at the headers'
 *     offsets of set_msr and get_msr, hold the starts of functions so
 *     named (svm_set_msr, vmx_get_msr): a kvm_x86_ops laid out otherwise
 *     would have apfint_host replace, and call, some other member.
 * The rest is checked elsewhere at load: hook targets present and
 * traceable (hook.c), the work item's VM reference and kvm_set_cr0's
 * call (deliver.c), the vendor module (ops.c); the request bit at build
 * time (include/compat/kbuild.mk).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kallsyms.h>
#include <linux/kvm_host.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "apfint_host.h"
#include "facts.h"
#include "text.h"

enum {
	APFINT_FACT_ARCH_OFFSET,
	APFINT_FACT_ARCH_SIZE,
	APFINT_FACT_VCPU_SIZE,
	APFINT_FACT_APIC_BASE,
	APFINT_FACT_APF_MSR_VAL,
	APFINT_FACT_CR0,
	APFINT_FACT_SET_MSR,
	APFINT_FACT_GET_MSR,
	APFINT_NR_FACTS
};

/* A field of struct kvm_vcpu and a kvm function whose code reads it. */
struct apfint_field_use {
	const char *field;
	const char *function;
	unsigned long offset;
};

static const struct apfint_field_use apfint_field_uses[] = {
	[APFINT_FACT_APIC_BASE] = {
		"vcpu->arch.apic_base", "kvm_get_apic_base",
		offsetof(struct kvm_vcpu, arch.apic_base) },
	[APFINT_FACT_APF_MSR_VAL] = {
		"vcpu->arch.apf.msr_val",
		"kvm_arch_can_inject_async_page_present",
		offsetof(struct kvm_vcpu, arch.apf.msr_val) },
	[APFINT_FACT_CR0] = {
		"vcpu->arch.cr0", "kvm_set_cr0",
		offsetof(struct kvm_vcpu, arch.cr0) },
};

/* What the two kvm_x86_ops slots held, for the refusal. */
static char apfint_slot_sym[2][KSYM_SYMBOL_LEN];

/*
 * kvm_vcpu_cache: exported by kvm while the vendor modules allocate from
 * it (5.4.286 does), otherwise a data symbol that kallsyms lists only
 * with CONFIG_KALLSYMS_ALL.
 */
static struct kmem_cache *apfint_vcpu_cache(void)
{
	struct kmem_cache **cache = __symbol_get("kvm_vcpu_cache");
	struct kmem_cache *found = NULL;

	if (cache) {
		found = READ_ONCE(*cache);
		/* by name: symbol_put_addr() takes only text addresses */
		symbol_put(kvm_vcpu_cache);
		return found;
	}
	cache = (void *)apfint_lookup("kvm_vcpu_cache");
	return cache ? READ_ONCE(*cache) : NULL;
}

static void apfint_read_vcpu_cache(struct apfint_fact *f)
{
	struct kmem_cache *cache = apfint_vcpu_cache();
	unsigned long address, size;
	u32 value;

	f[APFINT_FACT_ARCH_OFFSET] = (struct apfint_fact) {
		.what = "offsetof(struct kvm_vcpu, arch)",
		.where = "kvm_init's kmem_cache_create_usercopy() call, usercopy offset",
		.want = offsetof(struct kvm_vcpu, arch),
		.optional = true, .rule = APFINT_FACT_SAME };
	f[APFINT_FACT_ARCH_SIZE] = (struct apfint_fact) {
		.what = "sizeof(struct kvm_vcpu_arch)",
		.where = "kvm_init's kmem_cache_create_usercopy() call, usercopy size",
		.want = sizeof(struct kvm_vcpu_arch),
		.optional = true, .rule = APFINT_FACT_SAME };
	f[APFINT_FACT_VCPU_SIZE] = (struct apfint_fact) {
		.what = "sizeof(struct kvm_vcpu)",
		.where = "kvm_vcpu_cache's object size",
		.want = sizeof(struct kvm_vcpu),
		.optional = true, .rule = APFINT_FACT_ROOM };
	if (cache) {
		f[APFINT_FACT_VCPU_SIZE].got = kmem_cache_size(cache);
		f[APFINT_FACT_VCPU_SIZE].read = true;
	}
	if (!APFINT_VCPU_CACHE_CREATE)
		return;
	address = apfint_lookup("kvm_init");
	size = apfint_symbol_size(address);
	if (!size)
		return;
	if (apfint_text_call_arg((const u8 *)address, size, address,
				 APFINT_VCPU_CACHE_CREATE, 5, &value)) {
		f[APFINT_FACT_ARCH_OFFSET].got = value;
		f[APFINT_FACT_ARCH_OFFSET].read = true;
	}
	if (apfint_text_call_arg((const u8 *)address, size, address,
				 APFINT_VCPU_CACHE_CREATE, 6, &value)) {
		f[APFINT_FACT_ARCH_SIZE].got = value;
		f[APFINT_FACT_ARCH_SIZE].read = true;
	}
}

static void apfint_read_field_use(struct apfint_fact *f,
				  const struct apfint_field_use *use)
{
	unsigned long address = apfint_lookup(use->function);
	unsigned long size = apfint_symbol_size(address);

	*f = (struct apfint_fact) {
		.what = use->field, .where = use->function,
		.want = use->offset, .rule = APFINT_FACT_USED };
	if (!size)
		return;
	f->got = apfint_text_disp32_uses((const u8 *)address, size,
					 use->offset);
	f->read = true;
}

/* The table kvm calls through, if a vendor module is loaded. */
static void apfint_read_slot(struct apfint_fact *f, const char *what,
			     const char *member, void *fn, char *sym)
{
	*f = (struct apfint_fact) {
		.what = what, .where = "kvm_x86_ops", .want = 1,
		/* no vendor module: ops.c refuses, saying so */
		.optional = true, .rule = APFINT_FACT_SAME };
	if (!fn)
		return;
	sprint_symbol(sym, (unsigned long)fn);
	f->got = apfint_slot_holds(sym, member);
	f->read = true;
}

static void apfint_layout_refuse(const struct apfint_fact *facts,
				 const struct apfint_fact *f)
{
	size_t i = f - facts, n, j;
	char list[6 * 12] = "none";
	unsigned long address;
	u32 used[6];
	int at = 0;

	if (apfint_fact_judge(f) == APFINT_FACT_MISSING) {
		pr_err("cannot read %s from kvm (%s not found or of unknown size): unexpected kvm layout, not loading\n",
		       f->what, f->where);
		return;
	}
	switch (i) {
	case APFINT_FACT_APIC_BASE:
	case APFINT_FACT_APF_MSR_VAL:
	case APFINT_FACT_CR0:
		address = apfint_lookup(f->where);
		n = apfint_text_disp32_list((const u8 *)address,
					    apfint_symbol_size(address), 0x80,
					    used, ARRAY_SIZE(used));
		for (j = 0; j < n; j++)
			at += scnprintf(list + at, sizeof(list) - at, "%s%#x",
					j ? " " : "", used[j]);
		pr_err("kvm's layout differs from the headers apfint_host was built against: %s does not use offset %#lx (%s in the headers); displacements found there: %s; not loading\n",
		       f->where, f->want, f->what, list);
		break;
	case APFINT_FACT_SET_MSR:
	case APFINT_FACT_GET_MSR:
		pr_err("kvm's layout differs from the headers apfint_host was built against: %s holds %s; not loading\n",
		       f->what, apfint_slot_sym[i - APFINT_FACT_SET_MSR]);
		break;
	default:
		pr_err("kvm's layout differs from the headers apfint_host was built against: %s is %lu in kvm (%s), %lu in the headers; not loading\n",
		       f->what, f->got, f->where, f->want);
		break;
	}
}

int apfint_layout_check(void)
{
	struct kvm_x86_ops *ops = apfint_kvm_x86_ops();
	struct apfint_fact facts[APFINT_NR_FACTS];
	const struct apfint_fact *refused;
	size_t i, checked;

	apfint_read_vcpu_cache(facts);
	for (i = APFINT_FACT_APIC_BASE; i <= APFINT_FACT_CR0; i++)
		apfint_read_field_use(&facts[i], &apfint_field_uses[i]);
	apfint_read_slot(&facts[APFINT_FACT_SET_MSR], "kvm_x86_ops->set_msr",
			 "set_msr", ops ? ops->set_msr : NULL,
			 apfint_slot_sym[0]);
	apfint_read_slot(&facts[APFINT_FACT_GET_MSR], "kvm_x86_ops->get_msr",
			 "get_msr", ops ? ops->get_msr : NULL,
			 apfint_slot_sym[1]);

	refused = apfint_facts_refuse(facts, ARRAY_SIZE(facts), &checked);
	if (refused) {
		apfint_layout_refuse(facts, refused);
		return -ENOEXEC;
	}
	pr_info("kvm laid out as the headers say: %zu of %zu layout checks made, all alike\n",
		checked, ARRAY_SIZE(facts));
	return 0;
}
