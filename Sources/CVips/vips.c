#include "CVips.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

// The few declarations of libvips 8.13+ and GLib this file needs, as their headers give them. The headers are not
// included: building Drey needs no image library, only running an image job does.
typedef DreyVipsImage VipsImage;
typedef struct VipsArea VipsArea;
typedef unsigned long GType;
typedef void (*GLogFunc)(const char *domain, int level, const char *message, void *data);

enum { VIPS_FORMAT_UCHAR = 0 };
enum { VIPS_ACCESS_SEQUENTIAL = 1 };
enum { VIPS_SIZE_DOWN = 2 };
enum { VIPS_FAIL_ON_ERROR = 2 };
enum { VIPS_INTERESTING_NONE = 0, VIPS_INTERESTING_CENTRE = 1 };
enum { G_LOG_LEVEL_WARNING = 1 << 4, G_LOG_LEVEL_MESSAGE = 1 << 5 };
#define VIPS_META_ORIENTATION "orientation"

#define DREY_VIPS_FUNCTIONS(X) \
    X(int, vips_version, (int flag)) \
    X(int, vips_init, (const char *argv0)) \
    X(void, vips_cache_set_max, (int max)) \
    X(void, vips_block_untrusted_set, (int state)) \
    X(unsigned, g_log_set_handler, (const char *domain, int levels, GLogFunc handler, void *data)) \
    X(const char *, vips_error_buffer, (void)) \
    X(void, vips_error_clear, (void)) \
    X(void, g_object_unref, (void *object)) \
    X(void, g_free, (void *memory)) \
    X(void, g_strfreev, (char **strings)) \
    X(VipsImage *, vips_image_new_from_file, (const char *name, ...)) \
    X(VipsImage *, vips_image_new_from_buffer, (const void *buf, size_t len, const char *options, ...)) \
    X(VipsImage *, vips_image_new_from_memory_copy, \
        (const void *data, size_t size, int width, int height, int bands, int format)) \
    X(const char *, vips_foreign_find_load, (const char *filename)) \
    X(const char *, vips_foreign_find_load_buffer, (const void *data, size_t size)) \
    X(int, vips_thumbnail, (const char *filename, VipsImage **out, int width, ...)) \
    X(int, vips_thumbnail_image, (VipsImage *in, VipsImage **out, int width, ...)) \
    X(VipsImage *, vips_image_copy_memory, (VipsImage *image)) \
    X(VipsArea *, vips_array_double_newv, (int n, ...)) \
    X(void, vips_area_unref, (VipsArea *area)) \
    X(int, vips_flatten, (VipsImage *in, VipsImage **out, ...)) \
    X(char **, vips_image_get_fields, (VipsImage *image)) \
    X(int, vips_image_remove, (VipsImage *image, const char *name)) \
    X(int, vips_image_write_to_buffer, (VipsImage *in, const char *suffix, void **buf, size_t *size, ...)) \
    X(int, vips_image_get_width, (const VipsImage *image)) \
    X(int, vips_image_get_height, (const VipsImage *image)) \
    X(int, vips_image_get_n_pages, (VipsImage *image)) \
    X(int, vips_image_hasalpha, (VipsImage *image)) \
    X(GType, vips_image_get_typeof, (const VipsImage *image, const char *name)) \
    X(int, vips_image_get_int, (const VipsImage *image, const char *name, int *out))

#define DREY_VIPS_POINTER(type, name, arguments) static type(*p_##name) arguments;
DREY_VIPS_FUNCTIONS(DREY_VIPS_POINTER)

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int started = -1;
static int loaded = 0;
static char why[512];

static void quiet(const char *domain, int level, const char *message, void *data) {
    (void)domain; (void)level; (void)message; (void)data;
}

static void *find(void *library, const char *name) {
    void *symbol = dlsym(library, name);
    if (!symbol && !why[0]) snprintf(why, sizeof why, "libvips has no function %s (Drey needs libvips 8.13 or later)", name);
    return symbol;
}

static void start_once(void) {
    // The name the library's ABI carries (Debian's libvips42), then the development link.
    void *library = dlopen("libvips.so.42", RTLD_NOW | RTLD_LOCAL);
    if (!library) library = dlopen("libvips.so", RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        const char *error = dlerror();
        snprintf(why, sizeof why, "libvips could not be loaded (install libvips42): %s", error ? error : "not found");
        return;
    }
#define DREY_VIPS_FIND(type, name, arguments) p_##name = (type(*) arguments)find(library, #name);
    DREY_VIPS_FUNCTIONS(DREY_VIPS_FIND)
    if (why[0]) return;
    // VIPS_INIT's own check: the major version, and the library's ABI (current − age of its libtool version) is 42.
    if (p_vips_version(0) != 8 || p_vips_version(1) < 13 || p_vips_version(3) - p_vips_version(5) != 42) {
        snprintf(why, sizeof why, "libvips %d.%d is not supported (Drey needs 8.13 or a later 8.x)", p_vips_version(0),
            p_vips_version(1));
        return;
    }
    // From here libvips' own error buffer speaks: it exists once vips_init has begun.
    loaded = 1;
    if (p_vips_init("drey")) return;
    p_vips_cache_set_max(0);
    p_vips_block_untrusted_set(1);
    p_g_log_set_handler("VIPS", G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE, quiet, NULL);
    started = 0;
}

int drey_vips_start(void) {
    pthread_once(&once, start_once);
    return started;
}

const char *drey_vips_error(void) {
    if (why[0] || !loaded) return why;
    return p_vips_error_buffer();
}

void drey_vips_error_clear(void) {
    if (loaded && !why[0]) p_vips_error_clear();
}

void drey_vips_unref(DreyVipsImage *image) { p_g_object_unref(image); }
void drey_vips_free(void *buffer) { p_g_free(buffer); }

DreyVipsImage *drey_vips_open(const char *path) {
    return p_vips_image_new_from_file(path, "access", VIPS_ACCESS_SEQUENTIAL, NULL);
}

DreyVipsImage *drey_vips_open_buffer(const void *data, size_t length) {
    return p_vips_image_new_from_buffer(data, length, "", "access", VIPS_ACCESS_SEQUENTIAL, NULL);
}

DreyVipsImage *drey_vips_from_pixels(const void *data, size_t length, int width, int height, int bands) {
    return p_vips_image_new_from_memory_copy(data, length, width, height, bands, VIPS_FORMAT_UCHAR);
}

const char *drey_vips_loader_of_file(const char *path) { return p_vips_foreign_find_load(path); }

const char *drey_vips_loader_of_buffer(const void *data, size_t length) {
    return p_vips_foreign_find_load_buffer(data, length);
}

DreyVipsImage *drey_vips_thumbnail_file(const char *path, int width, int height) {
    VipsImage *out = NULL;
    if (p_vips_thumbnail(path, &out, width, "height", height, "size", VIPS_SIZE_DOWN, "fail_on", VIPS_FAIL_ON_ERROR,
            "export_profile", "srgb", NULL))
        return NULL;
    return out;
}

DreyVipsImage *drey_vips_thumbnail_image(DreyVipsImage *in, int width, int height, int crop) {
    VipsImage *out = NULL;
    if (p_vips_thumbnail_image(in, &out, width, "height", height, "size", VIPS_SIZE_DOWN, "no_rotate", 1, "crop",
            crop ? VIPS_INTERESTING_CENTRE : VIPS_INTERESTING_NONE, NULL))
        return NULL;
    return out;
}

DreyVipsImage *drey_vips_copy_memory(DreyVipsImage *in) { return p_vips_image_copy_memory(in); }

DreyVipsImage *drey_vips_flatten_white(DreyVipsImage *in) {
    VipsImage *out = NULL;
    VipsArea *white = p_vips_array_double_newv(1, 255.0);
    int failed = p_vips_flatten(in, &out, "background", white, NULL);
    p_vips_area_unref(white);
    return failed ? NULL : out;
}

void drey_vips_remove_metadata(DreyVipsImage *in) {
    char **fields = p_vips_image_get_fields(in);
    for (int i = 0; fields[i]; i++) p_vips_image_remove(in, fields[i]);
    p_g_strfreev(fields);
}

int drey_vips_save(DreyVipsImage *in, const char *suffix, void **buffer, size_t *length) {
    return p_vips_image_write_to_buffer(in, suffix, buffer, length, NULL);
}

int drey_vips_width(DreyVipsImage *in) { return p_vips_image_get_width(in); }
int drey_vips_height(DreyVipsImage *in) { return p_vips_image_get_height(in); }
int drey_vips_pages(DreyVipsImage *in) { return p_vips_image_get_n_pages(in); }
int drey_vips_has_alpha(DreyVipsImage *in) { return p_vips_image_hasalpha(in) != 0; }
int drey_vips_has_field(DreyVipsImage *in, const char *name) { return p_vips_image_get_typeof(in, name) != 0; }

int drey_vips_orientation(DreyVipsImage *in) {
    int value = 1;
    if (p_vips_image_get_typeof(in, VIPS_META_ORIENTATION) && !p_vips_image_get_int(in, VIPS_META_ORIENTATION, &value))
        return value;
    return 1;
}
