/* The lifecycle's side of netsetup/: asked for with --network or the
 * org.kapsel.network.* annotations; without them kapsel leaves networking to
 * config.json, as runc does. */
#include "runtime/network.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "common/util.h"

int network_prepare(const struct kglobal *g, const struct kcreate_opts *o, struct kspec *spec,
		    const char *id, struct knet_config **ret, struct kerr *err)
{
	static const char *const files[] = { "hosts", "hostname", "resolv.conf" };
	struct knet_flags nf = {
		.network = o->network, .subnet = o->subnet, .ip = o->ip,
		.hostname = o->hostname,
		.publish = o->publish, .dns = o->dns,
	};
	bool new_netns = spec->ns[KNS_NET].wanted && spec->ns[KNS_NET].path == NULL;
	struct knet_config *net = NULL;

	*ret = NULL;
	if (knet_config_from(spec->annotations, &nf, &net, err) < 0)
		return -1;
	if (knet_config_check(net, g->rootless, new_netns, err) < 0) {
		knet_config_free(net);
		return -1;
	}
	if (net->mode == KNET_MODE_NONE) {
		knet_config_free(net);
		return 0;
	}
	/* --hostname, then org.kapsel.network.hostname, then config.json's
	 * hostname: /etc/hostname, /etc/hosts and the uts hostname agree. */
	if (net->hostname == NULL && spec->hostname != NULL)
		net->hostname = xstrdup(spec->hostname);
	if (net->hostname != NULL &&
	    (spec->hostname == NULL || strcmp(spec->hostname, net->hostname) != 0)) {
		if (!spec->ns[KNS_UTS].wanted || spec->ns[KNS_UTS].path != NULL) {
			knet_config_free(net);
			return kerr_set(err, EINVAL, "%s needs a new uts namespace",
					o->hostname ? "--hostname" : "org.kapsel.network.hostname");
		}
		free(spec->hostname);
		spec->hostname = xstrdup(net->hostname);
	}
	/* knet_attach writes them before the init mounts anything. */
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		cleanup_free char *src = xasprintf("%s/%s/etc/%s", g->root, id, files[i]);
		cleanup_free char *dst = xasprintf("/etc/%s", files[i]);

		spec_add_bind_mount(spec, src, dst);
	}
	*ret = net;
	return 0;
}

int network_attach(const struct kglobal *g, struct kcontainer *c, const struct knet_config *net,
		   pid_t pid, struct kerr *err)
{
	cleanup_free char *shared = xasprintf("%s/network", g->root);
	cleanup_free char *etc = xasprintf("%s/%s/etc", g->root, c->st.id);
	json_t *nst = NULL;

	if (net == NULL)
		return 0;
	if (mkdir(etc, 0755) < 0 && errno != EEXIST)
		return kerr_errno(err, "mkdir %s", etc);
	if (mkdir_p(shared, 0700, err) < 0)
		return -1;
	/* its errors already start with "network ID:" */
	if (knet_attach(net, shared, c->st.id, pid, etc, &nst, err) < 0)
		return -1;
	if (c->st.extra == NULL)
		c->st.extra = json_object();
	json_object_set_new(c->st.extra, "network", nst);
	/* Recorded before anything else can fail, so delete can undo it. */
	return container_save(c, err);
}

void network_detach(struct kcontainer *c)
{
	json_t *nst = json_object_get(c->st.extra, "network");
	struct kerr err = { 0 };

	if (nst != NULL && knet_detach(nst, &err) < 0)
		klog(KLOG_WARN, "container %s: %s", c->st.id, err.msg);
	/* A create killed inside knet_attach recorded nothing here yet. */
	network_forget(c->root, c->st.id);
}

void network_forget(const char *root, const char *id)
{
	cleanup_free char *shared = xasprintf("%s/network", root);
	struct kerr err = { 0 };

	if (knet_forget(shared, id, &err) < 0)
		klog(KLOG_WARN, "container %s: %s", id, err.msg);
}
