#ifndef DREY_VIPS_SHIM_H
#define DREY_VIPS_SHIM_H
#include <vips/vips.h>

// libvips's API is variadic (options end with NULL), which Swift cannot call: these fixed-arity
// wrappers are the only calls Drey makes.

static void drey_vips_quiet(const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer data) {
    (void)domain; (void)level; (void)message; (void)data;
}

/// Starts libvips once per process: no operation cache (each upload is a new file, and the cache would
/// hold decoded images), untrusted loaders (ImageMagick, SVG, PDF…) blocked, warnings kept off stderr
/// (errors reach the caller through the error buffer).
static inline int drey_vips_start(void) {
    if (VIPS_INIT("drey")) return -1;
    vips_cache_set_max(0);
    vips_block_untrusted_set(TRUE);
    g_log_set_handler("VIPS", G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE, drey_vips_quiet, NULL);
    return 0;
}

/// Opens a file lazily: only its header is read, so its declared size can be checked before any decoding.
static inline VipsImage *drey_vips_open(const char *path) {
    return vips_image_new_from_file(path, "access", VIPS_ACCESS_SEQUENTIAL, NULL);
}

/// Decodes the first frame, upright (EXIF orientation applied), in sRGB, shrunk to fit width×height
/// (never enlarged); `crop` fills the box and cuts the overflow. Damage, truncation included, is an error.
static inline VipsImage *drey_vips_thumbnail_file(const char *path, int width, int height) {
    VipsImage *out = NULL;
    if (vips_thumbnail(path, &out, width, "height", height, "size", VIPS_SIZE_DOWN,
            "fail_on", VIPS_FAIL_ON_ERROR, "export_profile", "srgb", NULL))
        return NULL;
    return out;
}

static inline VipsImage *drey_vips_thumbnail_image(VipsImage *in, int width, int height, int crop) {
    VipsImage *out = NULL;
    if (vips_thumbnail_image(in, &out, width, "height", height, "size", VIPS_SIZE_DOWN, "no_rotate", TRUE,
            "crop", crop ? VIPS_INTERESTING_CENTRE : VIPS_INTERESTING_NONE, NULL))
        return NULL;
    return out;
}

/// Removes the alpha channel against white, for formats without one (JPEG).
static inline VipsImage *drey_vips_flatten_white(VipsImage *in) {
    VipsImage *out = NULL;
    VipsArrayDouble *white = vips_array_double_newv(1, 255.0);
    int failed = vips_flatten(in, &out, "background", white, NULL);
    vips_area_unref(VIPS_AREA(white));
    return failed ? NULL : out;
}

/// Drops every item of metadata (EXIF, XMP, IPTC, ICC, comments…) from an image this code made: the savers'
/// own `strip` is not honoured by every format in every libvips release (WebP kept EXIF in 8.14; see WebPChunks).
static inline void drey_vips_remove_metadata(VipsImage *in) {
    gchar **fields = vips_image_get_fields(in);
    for (int i = 0; fields[i]; i++) vips_image_remove(in, fields[i]);
    g_strfreev(fields);
}

/// Encodes to the format a suffix names, options in brackets (`.jpg[Q=82,strip]`).
static inline int drey_vips_save(VipsImage *in, const char *suffix, void **buffer, size_t *length) {
    return vips_image_write_to_buffer(in, suffix, buffer, length, NULL);
}

static inline int drey_vips_has_field(VipsImage *in, const char *name) {
    return vips_image_get_typeof(in, name) != 0;
}

static inline int drey_vips_orientation(VipsImage *in) {
    int value = 1;
    if (vips_image_get_typeof(in, VIPS_META_ORIENTATION) && !vips_image_get_int(in, VIPS_META_ORIENTATION, &value))
        return value;
    return 1;
}

/// Reads an encoded image from memory (header now, pixels when asked).
static inline VipsImage *drey_vips_open_buffer(const void *data, size_t length) {
    return vips_image_new_from_buffer(data, length, "", "access", VIPS_ACCESS_SEQUENTIAL, NULL);
}

#endif
