#ifndef DREY_CVIPS_H
#define DREY_CVIPS_H
#include <stddef.h>

// libvips, loaded when the first image is handled rather than when drey starts: with its hundred libraries
// (GLib, codecs, Cairo, Pango, OpenEXR, HDF5…) it made up a fifth of an idle server's memory, for work most
// processes do now and then or never (serving pages needs none of it). libvips' API is variadic (options end
// with NULL), which Swift cannot call: these fixed-arity functions are the only calls Drey makes.

/// An image of libvips (`VipsImage *`); Swift sees it as an opaque pointer.
typedef struct DreyVipsImage DreyVipsImage;

/// Loads libvips and starts it, once per process: no operation cache (each upload is a new file, and the cache
/// would hold decoded images), untrusted loaders (ImageMagick, SVG, PDF…) blocked, warnings kept off stderr
/// (errors reach the caller through the error buffer). 0 when started; otherwise -1, and `drey_vips_error`
/// says why (library not found, a function missing, an ABI mismatch).
int drey_vips_start(void);

/// The error libvips recorded (or why it could not be loaded); `drey_vips_error_clear` empties it.
const char *drey_vips_error(void);
void drey_vips_error_clear(void);

/// Lets go of one reference to an image.
void drey_vips_unref(DreyVipsImage *image);
/// Frees a buffer libvips allocated (`drey_vips_save`).
void drey_vips_free(void *buffer);

/// Opens a file lazily: only its header is read, so its declared size can be checked before any decoding.
DreyVipsImage *drey_vips_open(const char *path);
/// Reads an encoded image from memory (header now, pixels when asked); the bytes must outlive the image.
DreyVipsImage *drey_vips_open_buffer(const void *data, size_t length);
/// An image of 8-bit samples copied from `data`.
DreyVipsImage *drey_vips_from_pixels(const void *data, size_t length, int width, int height, int bands);
/// The loader libvips would use for a file or bytes (`jpegload`, `pngload_buffer`…), or NULL.
const char *drey_vips_loader_of_file(const char *path);
const char *drey_vips_loader_of_buffer(const void *data, size_t length);

/// Decodes the first frame, upright (EXIF orientation applied), in sRGB, shrunk to fit width×height
/// (never enlarged). Damage, truncation included, is an error.
DreyVipsImage *drey_vips_thumbnail_file(const char *path, int width, int height);
/// Shrinks to fit width×height (never enlarges); `crop` fills the box and cuts the overflow.
DreyVipsImage *drey_vips_thumbnail_image(DreyVipsImage *in, int width, int height, int crop);
/// Decodes the whole image into memory (damage found now).
DreyVipsImage *drey_vips_copy_memory(DreyVipsImage *in);
/// Removes the alpha channel against white, for formats without one (JPEG).
DreyVipsImage *drey_vips_flatten_white(DreyVipsImage *in);
/// Drops every item of metadata (EXIF, XMP, IPTC, ICC, comments…) from an image this code made: the savers'
/// own `strip` is not honoured by every format in every libvips release (WebP kept EXIF in 8.14; see WebPChunks).
void drey_vips_remove_metadata(DreyVipsImage *in);
/// Encodes to the format a suffix names, options in brackets (`.jpg[Q=82,strip]`); 0 on success.
int drey_vips_save(DreyVipsImage *in, const char *suffix, void **buffer, size_t *length);

int drey_vips_width(DreyVipsImage *in);
int drey_vips_height(DreyVipsImage *in);
int drey_vips_pages(DreyVipsImage *in);
int drey_vips_has_alpha(DreyVipsImage *in);
int drey_vips_has_field(DreyVipsImage *in, const char *name);
/// The EXIF orientation, 1 when absent.
int drey_vips_orientation(DreyVipsImage *in);

#endif
