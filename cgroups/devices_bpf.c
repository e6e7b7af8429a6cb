/* The device filter: cgroup2 has no devices.allow file, so access to device
 * nodes is decided by a BPF_PROG_TYPE_CGROUP_DEVICE program attached to the
 * container's cgroup (what runc and crun do). Without it a container with
 * CAP_MKNOD could create and open any block device of the host (the disk).
 *
 * The program checks the rules from last to first (the last matching rule
 * wins, as in the OCI spec), the OCI default devices having the last word,
 * and denies what nothing matched. It needs no controller, so it works on a
 * hybrid host's empty cgroup2 as well. */
#include "cgroups/internal.h"

#include <errno.h>
#include <string.h>
#include <linux/bpf.h>

#include "common/syscalls.h"
#include "common/util.h"

#define RWM (BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD)

/* The devices every container gets (config-linux.md "Default Devices"),
 * plus mknod of any node, as runc allows, so that the runtime can create the
 * config's linux.devices (opening them is still filtered). */
const struct kcg_devrule cg_default_devrules[] = {
	{ true, 'c', -1, -1, BPF_DEVCG_ACC_MKNOD },
	{ true, 'b', -1, -1, BPF_DEVCG_ACC_MKNOD },
	{ true, 'c', 1, 3, RWM },   /* null */
	{ true, 'c', 1, 5, RWM },   /* zero */
	{ true, 'c', 1, 7, RWM },   /* full */
	{ true, 'c', 1, 8, RWM },   /* random */
	{ true, 'c', 1, 9, RWM },   /* urandom */
	{ true, 'c', 5, 0, RWM },   /* tty */
	{ true, 'c', 5, 1, RWM },   /* console */
	{ true, 'c', 5, 2, RWM },   /* ptmx */
	{ true, 'c', 136, -1, RWM },/* pts/N */
};
const size_t cg_n_default_devrules = ARRAY_SIZE(cg_default_devrules);

struct prog {
	struct bpf_insn *insn;
	size_t n, cap;
};

static void emit(struct prog *p, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 64;
		p->insn = realloc(p->insn, p->cap * sizeof(*p->insn));
		if (p->insn == NULL)
			abort();
	}
	p->insn[p->n++] = (struct bpf_insn){ .code = code, .dst_reg = dst, .src_reg = src,
					      .off = off, .imm = imm };
}

/* Registers after the prologue: r2 type, r3 access, r4 major, r5 minor. */
static void emit_prologue(struct prog *p)
{
	/* struct bpf_cgroup_dev_ctx { u32 access_type; u32 major; u32 minor; } */
	emit(p, BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2, BPF_REG_1, 0, 0);
	emit(p, BPF_ALU | BPF_AND | BPF_K, BPF_REG_2, 0, 0, 0xffff);
	emit(p, BPF_LDX | BPF_MEM | BPF_W, BPF_REG_3, BPF_REG_1, 0, 0);
	emit(p, BPF_ALU | BPF_RSH | BPF_K, BPF_REG_3, 0, 0, 16);
	emit(p, BPF_LDX | BPF_MEM | BPF_W, BPF_REG_4, BPF_REG_1, 4, 0);
	emit(p, BPF_LDX | BPF_MEM | BPF_W, BPF_REG_5, BPF_REG_1, 8, 0);
}

/* One rule: each test jumps past the block when it does not match. Returns
 * false when the rule matches everything (what follows is unreachable, and
 * the verifier rejects unreachable instructions). */
static bool emit_rule(struct prog *p, const struct kcg_devrule *r)
{
	size_t start = p->n, jumps[4];
	size_t nj = 0;

	if (r->type != 'a') {
		jumps[nj++] = p->n;
		emit(p, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_2, 0, 0,
		     r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR);
	}
	if ((r->access & RWM) != RWM) {
		/* Every access asked for must be one the rule names. */
		emit(p, BPF_ALU | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_3, 0, 0);
		emit(p, BPF_ALU | BPF_AND | BPF_K, BPF_REG_1, 0, 0, (int32_t)r->access);
		jumps[nj++] = p->n;
		emit(p, BPF_JMP | BPF_JNE | BPF_X, BPF_REG_1, BPF_REG_3, 0, 0);
	}
	if (r->major >= 0) {
		jumps[nj++] = p->n;
		emit(p, BPF_JMP32 | BPF_JNE | BPF_K, BPF_REG_4, 0, 0, (int32_t)(uint32_t)r->major);
	}
	if (r->minor >= 0) {
		jumps[nj++] = p->n;
		emit(p, BPF_JMP32 | BPF_JNE | BPF_K, BPF_REG_5, 0, 0, (int32_t)(uint32_t)r->minor);
	}
	emit(p, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, r->allow ? 1 : 0);
	emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	for (size_t i = 0; i < nj; i++)
		p->insn[jumps[i]].off = (int16_t)(p->n - jumps[i] - 1);
	(void)start;
	return nj > 0;
}

int cg_devices_program(const struct kcg_devrule *rules, size_t n, struct bpf_insn **ret,
		       size_t *ret_n, struct kerr *err)
{
	struct prog p = { 0 };
	bool reachable = true;

	emit_prologue(&p);
	/* Last match wins: test the defaults first, then the rules backwards. */
	for (size_t i = ARRAY_SIZE(cg_default_devrules); reachable && i > 0; i--)
		reachable = emit_rule(&p, &cg_default_devrules[i - 1]);
	for (size_t i = n; reachable && i > 0; i--)
		reachable = emit_rule(&p, &rules[i - 1]);
	if (reachable) {
		emit(&p, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0);
		emit(&p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	}
	if (p.n > 4096) {
		free(p.insn);
		return kerr_set(err, E2BIG, "linux.resources.devices: too many rules for the eBPF filter");
	}
	*ret = p.insn;
	*ret_n = p.n;
	return 0;
}

static int prog_load(const struct bpf_insn *insn, size_t n, struct kerr *err)
{
	char log[4096] = "";
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (uint64_t)(uintptr_t)insn;
	attr.insn_cnt = (uint32_t)n;
	attr.license = (uint64_t)(uintptr_t)"GPL";
	fd = sys_bpf(BPF_PROG_LOAD, &attr, sizeof(attr));
	if (fd >= 0)
		return fd;
	/* Load again with the verifier's log only to explain a failure. */
	attr.log_buf = (uint64_t)(uintptr_t)log;
	attr.log_size = sizeof(log);
	attr.log_level = 1;
	fd = sys_bpf(BPF_PROG_LOAD, &attr, sizeof(attr));
	if (fd >= 0)
		return fd;
	log[sizeof(log) - 1] = '\0';
	for (char *c = log; *c; c++)
		if (*c == '\n')
			*c = ' ';
	return kerr_errno(err, "load the eBPF device filter%s%s", log[0] ? ": " : "", log);
}

/* The ids of the device programs attached to the cgroup now. */
static int prog_query(int cgroup_fd, uint32_t *ids, uint32_t *n)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.query.target_fd = (uint32_t)cgroup_fd;
	attr.query.attach_type = BPF_CGROUP_DEVICE;
	attr.query.prog_ids = (uint64_t)(uintptr_t)ids;
	attr.query.prog_cnt = *n;
	if (sys_bpf(BPF_PROG_QUERY, &attr, sizeof(attr)) < 0)
		return -1;
	*n = attr.query.prog_cnt;
	return 0;
}

static void detach_id(int cgroup_fd, uint32_t id)
{
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_id = id;
	fd = sys_bpf(BPF_PROG_GET_FD_BY_ID, &attr, sizeof(attr));
	if (fd < 0)
		return;
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (uint32_t)cgroup_fd;
	attr.attach_bpf_fd = (uint32_t)fd;
	attr.attach_type = BPF_CGROUP_DEVICE;
	if (sys_bpf(BPF_PROG_DETACH, &attr, sizeof(attr)) < 0)
		klog(KLOG_WARN, "detach the old device filter %u: %s", id, strerror(errno));
	close(fd);
}

int cg_devices_apply(int cgroup_fd, const struct kcg_devrule *rules, size_t n, struct kerr *err)
{
	cleanup_free struct bpf_insn *insn = NULL;
	cleanup_close int prog = -1;
	uint32_t old[64], n_old = ARRAY_SIZE(old);
	union bpf_attr attr;
	size_t n_insn;

	if (cg_devices_program(rules, n, &insn, &n_insn, err) < 0)
		return -1;
	if (prog_query(cgroup_fd, old, &n_old) < 0)
		n_old = 0;
	prog = prog_load(insn, n_insn, err);
	if (prog < 0)
		return -1;
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (uint32_t)cgroup_fd;
	attr.attach_bpf_fd = (uint32_t)prog;
	attr.attach_type = BPF_CGROUP_DEVICE;
	/* MULTI: programs of the ancestors (systemd's, a parent runtime's) stay
	 * in force; a device must pass all of them. */
	attr.attach_flags = BPF_F_ALLOW_MULTI;
	if (sys_bpf(BPF_PROG_ATTACH, &attr, sizeof(attr)) < 0)
		return kerr_errno(err, "attach the eBPF device filter");
	/* The new filter is in place before the old one goes: no window where
	 * the container sees no filter at all. */
	for (uint32_t i = 0; i < n_old && i < ARRAY_SIZE(old); i++)
		detach_id(cgroup_fd, old[i]);
	return 0;
}
