/* A 4.18 kernel with the guest side backported onto the old entry code,
 * as RHEL 8.5 has it (fragment). */
extern __visible void kvm_async_pf_vector(void);
__visible void __irq_entry kvm_async_pf_intr(struct pt_regs *regs);
