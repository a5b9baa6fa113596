// SPDX-License-Identifier: GPL-2.0
/*
 * A stand-in for kvm_intel: installs its own POSTED_INTR_WAKEUP_VECTOR
 * handler at init (as vmx.c's hardware_setup() does) and counts what it
 * gets.  Unlike 5.4's kvm_intel it also gives the handler back on unload.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/module.h>
#include <linux/smp.h>
#include <asm/irq.h>

static atomic_t fake_hits = ATOMIC_INIT(0);

static void fake_wakeup_handler(void)
{
	atomic_inc(&fake_hits);
}

static int __init fake_init(void)
{
	kvm_set_posted_intr_wakeup_handler(fake_wakeup_handler);
	pr_info("fake kvm_intel owns the posted-interrupt wake-up vector\n");
	return 0;
}

static void __exit fake_exit(void)
{
	kvm_set_posted_intr_wakeup_handler(NULL);
	kick_all_cpus_sync();
	pr_info("fake kvm_intel gone after %d wake-up interrupts\n",
		atomic_read(&fake_hits));
}

module_init(fake_init);
module_exit(fake_exit);
MODULE_DESCRIPTION("apfint test stand-in for kvm_intel");
MODULE_LICENSE("GPL");
