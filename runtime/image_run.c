/* `create/run --image IMAGE`: the bundle is made from the image inside the
 * container's state directory (an overlay over the store's layers, so it
 * costs milliseconds once the layers are unpacked; a copy when rootless, where
 * overlayfs is refused), and released with the container. */
#include "runtime/image_run.h"

#include <unistd.h>

#include "common/util.h"
#include "image/image.h"

static struct kimage_opts image_opts(bool rootless)
{
	return (struct kimage_opts){ .rootless = rootless,
				     .mode = rootless ? KIMAGE_COPY : KIMAGE_OVERLAY };
}

int image_run_prepare(const struct kglobal *g, struct kcontainer *c, const char *image,
		      char **ret_bundle, struct kerr *err)
{
	struct kimage_opts io = image_opts(g->rootless);
	cleanup_free char *bundle = xasprintf("%s/%s/bundle", g->root, c->st.id);

	if (c->st.extra == NULL)
		c->st.extra = json_object();
	/* Recorded first, so a failure from here on is undone by delete. */
	json_object_set_new(c->st.extra, "image_bundle", json_string(bundle));
	if (container_save(c, err) < 0)
		return -1;
	/* Its errors already name the image and the layer or entry. */
	if (image_prepare_bundle(image, bundle, &io, err) < 0)
		return -1;
	*ret_bundle = move_ptr(bundle);
	return 0;
}

void image_run_release(struct kcontainer *c)
{
	const char *bundle = json_string_value(json_object_get(c->st.extra, "image_bundle"));
	struct kimage_opts io = image_opts(c->st.rootless);
	struct kerr err = { 0 };

	/* A failed prepare leaves no bundle to release. */
	if (bundle != NULL && access(bundle, F_OK) == 0 &&
	    image_bundle_release(bundle, &io, true, &err) < 0)
		klog(KLOG_WARN, "container %s: %s", c->st.id, err.msg);
}
