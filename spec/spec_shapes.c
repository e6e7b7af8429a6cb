/* The shapes (types, required members, enums, patterns) of the config.json
 * sections that other folders interpret, transcribed from the runtime-spec
 * schema (schema/config-schema.json, config-linux.json, defs*.json). They
 * make a config that breaks the schema fail at load time with the field
 * named; the meaning of the values (is the controller there, is the syscall
 * known) is checked by cgroups/ and lsm/. */
#include "spec/internal.h"

#include <ctype.h>
#include <string.h>

#define END { .key = NULL }
#define F(k, kd) { .key = (k), .kind = (kd) }
#define REQ(k, kd) { .key = (k), .kind = (kd), .required = true }
#define STRV(k) { .key = (k), .kind = SJ_ARRAY, .items = &string_shape }
#define OBJ(k, f) { .key = (k), .kind = SJ_OBJECT, .fields = (f) }
#define ARR(k, it) { .key = (k), .kind = SJ_ARRAY, .items = (it) }
#define ENUM(k, e) { .key = (k), .kind = SJ_STRING, .enums = (e) }

static const struct sj_shape string_shape = { .kind = SJ_STRING };

/* ^[1-9][0-9]*[KMG]B$ */
static bool valid_page_size(const char *s)
{
	size_t n = strlen(s);

	if (n < 3 || s[0] < '1' || s[0] > '9' || s[n - 1] != 'B' || !strchr("KMG", s[n - 2]))
		return false;
	for (size_t i = 1; i < n - 2; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* ^MB:[^\n]*$ */
static bool valid_mem_bw(const char *s)
{
	return strncmp(s, "MB:", 3) == 0 && strchr(s, '\n') == NULL;
}

/* ^[0-9, -]*$ */
static bool valid_cpu_list(const char *s)
{
	return strspn(s, "0123456789, -") == strlen(s);
}

/* --- linux.resources --- */

static const struct sj_shape weight_device = {
	.kind = SJ_OBJECT,
	.fields = (const struct sj_shape[]){
		REQ("major", SJ_INT64), REQ("minor", SJ_INT64),
		F("weight", SJ_UINT16), F("leafWeight", SJ_UINT16), END },
};

static const struct sj_shape throttle_device = {
	.kind = SJ_OBJECT,
	.fields = (const struct sj_shape[]){
		REQ("major", SJ_INT64), REQ("minor", SJ_INT64), F("rate", SJ_UINT64), END },
};

static const struct sj_shape device_cgroup = {
	.kind = SJ_OBJECT,
	.fields = (const struct sj_shape[]){
		REQ("allow", SJ_BOOL), F("type", SJ_STRING), F("major", SJ_INT64),
		F("minor", SJ_INT64), F("access", SJ_STRING), END },
};

static const struct sj_shape hugepage_limit = {
	.kind = SJ_OBJECT,
	.fields = (const struct sj_shape[]){
		{ .key = "pageSize", .kind = SJ_STRING, .required = true,
		  .valid = valid_page_size, .pattern = "<size><K|M|G>B (e.g. 2MB)" },
		REQ("limit", SJ_UINT64), END },
};

static const struct sj_shape net_priority = {
	.kind = SJ_OBJECT,
	.fields = (const struct sj_shape[]){
		REQ("name", SJ_STRING), REQ("priority", SJ_UINT32), END },
};

static const struct sj_shape rdma_entry = {
	.kind = SJ_OBJECT,
	.fields = (const struct sj_shape[]){
		F("hcaHandles", SJ_UINT32), F("hcaObjects", SJ_UINT32), END },
};

const struct sj_shape spec_shape_resources = {
	.kind = SJ_OBJECT,
	.fields = (const struct sj_shape[]){
		{ .key = "unified", .kind = SJ_MAP, .items = &string_shape },
		ARR("devices", &device_cgroup),
		{ .key = "pids", .kind = SJ_OBJECT,
		  .fields = (const struct sj_shape[]){ REQ("limit", SJ_INT64), END } },
		OBJ("blockIO", ((const struct sj_shape[]){
			F("weight", SJ_UINT16), F("leafWeight", SJ_UINT16),
			ARR("throttleReadBpsDevice", &throttle_device),
			ARR("throttleWriteBpsDevice", &throttle_device),
			ARR("throttleReadIOPSDevice", &throttle_device),
			ARR("throttleWriteIOPSDevice", &throttle_device),
			ARR("weightDevice", &weight_device), END })),
		OBJ("cpu", ((const struct sj_shape[]){
			F("cpus", SJ_STRING), F("mems", SJ_STRING), F("period", SJ_UINT64),
			F("quota", SJ_INT64), F("burst", SJ_UINT64),
			F("realtimePeriod", SJ_UINT64), F("realtimeRuntime", SJ_INT64),
			F("shares", SJ_UINT64), F("idle", SJ_INT64), END })),
		ARR("hugepageLimits", &hugepage_limit),
		OBJ("memory", ((const struct sj_shape[]){
			F("kernel", SJ_INT64), F("kernelTCP", SJ_INT64), F("limit", SJ_INT64),
			F("reservation", SJ_INT64), F("swap", SJ_INT64),
			F("swappiness", SJ_UINT64), F("disableOOMKiller", SJ_BOOL),
			F("useHierarchy", SJ_BOOL), F("checkBeforeUpdate", SJ_BOOL), END })),
		OBJ("network", ((const struct sj_shape[]){
			F("classID", SJ_UINT32), ARR("priorities", &net_priority), END })),
		{ .key = "rdma", .kind = SJ_MAP, .items = &rdma_entry },
		END },
};

/* --- linux.seccomp --- */

static const char *const seccomp_actions[] = {
	"SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
	"SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG",
	"SCMP_ACT_NOTIFY", NULL
};
static const char *const seccomp_ops[] = {
	"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE",
	"SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ", NULL
};

static const struct sj_shape syscall_arg = {
	.kind = SJ_OBJECT,
	.fields = (const struct sj_shape[]){
		REQ("index", SJ_UINT32), REQ("value", SJ_UINT64), F("valueTwo", SJ_UINT64),
		{ .key = "op", .kind = SJ_STRING, .required = true, .enums = seccomp_ops },
		END },
};

static const struct sj_shape syscall_rule = {
	.kind = SJ_OBJECT,
	.fields = (const struct sj_shape[]){
		{ .key = "names", .kind = SJ_ARRAY, .required = true, .nonempty = true,
		  .items = &string_shape },
		{ .key = "action", .kind = SJ_STRING, .required = true,
		  .enums = seccomp_actions },
		F("errnoRet", SJ_UINT32), ARR("args", &syscall_arg), END },
};

/* Architectures and flags stay open strings here: lsm/ maps them with
 * libseccomp, which knows which ones this build supports. */
const struct sj_shape spec_shape_seccomp = {
	.kind = SJ_OBJECT,
	.fields = (const struct sj_shape[]){
		{ .key = "defaultAction", .kind = SJ_STRING, .required = true,
		  .enums = seccomp_actions },
		F("defaultErrnoRet", SJ_UINT32), STRV("flags"), F("listenerPath", SJ_STRING),
		F("listenerMetadata", SJ_STRING), STRV("architectures"),
		ARR("syscalls", &syscall_rule), END },
};

/* --- the rest --- */

const struct sj_shape spec_shape_personality = {
	.kind = SJ_OBJECT,
	.fields = (const struct sj_shape[]){
		ENUM("domain", ((const char *const[]){ "LINUX", "LINUX32", NULL })),
		STRV("flags"), END },
};

const struct sj_shape spec_shape_capabilities = {
	.kind = SJ_OBJECT,
	.fields = (const struct sj_shape[]){
		STRV("bounding"), STRV("permitted"), STRV("effective"), STRV("inheritable"),
		STRV("ambient"), END },
};

const struct sj_shape spec_shape_io_priority = {
	.kind = SJ_OBJECT,
	.fields = (const struct sj_shape[]){
		{ .key = "class", .kind = SJ_STRING, .required = true,
		  .enums = (const char *const[]){ "IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE",
						  "IOPRIO_CLASS_IDLE", NULL } },
		F("priority", SJ_INT32), END },
};

const struct sj_shape spec_shape_scheduler = {
	.kind = SJ_OBJECT,
	.fields = (const struct sj_shape[]){
		{ .key = "policy", .kind = SJ_STRING, .required = true,
		  .enums = (const char *const[]){ "SCHED_OTHER", "SCHED_FIFO", "SCHED_RR",
						  "SCHED_BATCH", "SCHED_ISO", "SCHED_IDLE",
						  "SCHED_DEADLINE", NULL } },
		F("nice", SJ_INT32), F("priority", SJ_INT32),
		ARR("flags", &((const struct sj_shape){
			.kind = SJ_STRING,
			.enums = (const char *const[]){
				"SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM",
				"SCHED_FLAG_DL_OVERRUN", "SCHED_FLAG_KEEP_POLICY",
				"SCHED_FLAG_KEEP_PARAMS", "SCHED_FLAG_UTIL_CLAMP_MIN",
				"SCHED_FLAG_UTIL_CLAMP_MAX", NULL } })),
		F("runtime", SJ_UINT64), F("deadline", SJ_UINT64), F("period", SJ_UINT64), END },
};

const struct sj_shape spec_shape_net_devices = {
	.kind = SJ_MAP,
	.items = &((const struct sj_shape){
		.kind = SJ_OBJECT,
		.fields = (const struct sj_shape[]){ F("name", SJ_STRING), END } }),
};

const struct sj_shape spec_shape_intel_rdt = {
	.kind = SJ_OBJECT,
	.fields = (const struct sj_shape[]){
		F("closID", SJ_STRING), STRV("schemata"), F("l3CacheSchema", SJ_STRING),
		{ .key = "memBwSchema", .kind = SJ_STRING, .valid = valid_mem_bw,
		  .pattern = "MB:... (one line)" },
		F("enableMonitoring", SJ_BOOL), END },
};

static const struct sj_shape time_offset_fields[] = {
	F("secs", SJ_INT64), F("nanosecs", SJ_UINT32), END
};

const struct sj_shape spec_shape_time_offsets = {
	.kind = SJ_OBJECT,
	.fields = (const struct sj_shape[]){
		{ .key = "boottime", .kind = SJ_OBJECT, .fields = time_offset_fields },
		{ .key = "monotonic", .kind = SJ_OBJECT, .fields = time_offset_fields },
		END },
};

const struct sj_shape spec_shape_memory_policy = {
	.kind = SJ_OBJECT,
	.fields = (const struct sj_shape[]){
		ENUM("mode", ((const char *const[]){
			"MPOL_DEFAULT", "MPOL_BIND", "MPOL_INTERLEAVE", "MPOL_WEIGHTED_INTERLEAVE",
			"MPOL_PREFERRED", "MPOL_PREFERRED_MANY", "MPOL_LOCAL", NULL })),
		F("nodes", SJ_STRING),
		ARR("flags", &((const struct sj_shape){
			.kind = SJ_STRING,
			.enums = (const char *const[]){
				"MPOL_F_NUMA_BALANCING", "MPOL_F_RELATIVE_NODES",
				"MPOL_F_STATIC_NODES", NULL } })),
		END },
};

/* mounts[].uidMappings / gidMappings (the spec's IDMapping) */
const struct sj_shape spec_shape_idmappings = {
	.kind = SJ_ARRAY,
	.items = &((const struct sj_shape){
		.kind = SJ_OBJECT,
		.fields = (const struct sj_shape[]){
			REQ("containerID", SJ_UINT32), REQ("hostID", SJ_UINT32),
			REQ("size", SJ_UINT32), END } }),
};

const struct sj_shape spec_shape_cpu_affinity = {
	.kind = SJ_OBJECT,
	.fields = (const struct sj_shape[]){
		{ .key = "initial", .kind = SJ_STRING, .valid = valid_cpu_list,
		  .pattern = "a CPU list (0-3,7)" },
		{ .key = "final", .kind = SJ_STRING, .valid = valid_cpu_list,
		  .pattern = "a CPU list (0-3,7)" },
		END },
};
