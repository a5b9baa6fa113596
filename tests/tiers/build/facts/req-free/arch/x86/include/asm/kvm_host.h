/* The arch requests of vanilla 5.4's kvm (0-24), as they are spelled there. */
#define KVM_REQ_MIGRATE_TIMER		KVM_ARCH_REQ(0)
#define KVM_REQ_TLB_FLUSH_CURRENT \
	KVM_ARCH_REQ_FLAGS(14, KVM_REQUEST_WAIT | KVM_REQUEST_NO_WAKEUP)
#define KVM_REQ_GET_VMCS12_PAGES	KVM_ARCH_REQ(24)
