/* Benchmark inputs and the peer the benchmark compares Drey with, both straight on libvips.
 *
 *   photos make DIR       writes DIR/big.jpg (6000 × 4000, 24 megapixels) and DIR/phone/001…100.jpg (4032 × 3024)
 *   photos peer FILE…     does for each file what Drey's media job does (decode once to at most 2560, sizes
 *                         150 cropped, 300, 1024, each saved as JPEG and WebP, metadata stripped), in C alone
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <vips/vips.h>

static int make_jpeg(const char *path, int width, int height, int seed) {
    VipsImage *x = NULL, *noise = NULL, *r = NULL, *g = NULL, *rgb = NULL, *u = NULL;
    VipsImage *bands[3];
    int failed = vips_xyz(&x, width, height, NULL) || vips_extract_band(x, &r, 0, NULL) || vips_extract_band(x, &g, 1, NULL)
        || vips_gaussnoise(&noise, width, height, "sigma", 20.0, "mean", 128.0 + seed % 40, NULL);
    if (failed) return -1;
    VipsImage *rs = NULL, *gs = NULL;
    vips_linear1(r, &rs, 255.0 / width, 0.0, NULL);
    vips_linear1(g, &gs, 255.0 / height, 0.0, NULL);
    bands[0] = rs; bands[1] = gs; bands[2] = noise;
    if (vips_bandjoin(bands, &rgb, 3, NULL) || vips_cast_uchar(rgb, &u, NULL)) return -1;
    u->Type = VIPS_INTERPRETATION_sRGB;
    int result = vips_jpegsave(u, path, "Q", 90, NULL);
    g_object_unref(x); g_object_unref(r); g_object_unref(g); g_object_unref(noise); g_object_unref(rs); g_object_unref(gs);
    g_object_unref(rgb); g_object_unref(u);
    return result;
}

static int peer(const char *path) {
    VipsImage *master = NULL, *memory;
    if (vips_thumbnail(path, &master, 2560, "height", 2560, "size", VIPS_SIZE_DOWN, "fail_on", VIPS_FAIL_ON_ERROR,
            "export_profile", "srgb", NULL)) return -1;
    if (!(memory = vips_image_copy_memory(master))) return -1;
    g_object_unref(master);
    int sizes[][3] = {{0, 0, 0}, {150, 150, 1}, {300, 300, 0}, {1024, 1024, 0}};
    for (int i = 0; i < 4; i++) {
        VipsImage *out = memory;
        if (i > 0 && vips_thumbnail_image(memory, &out, sizes[i][0], "height", sizes[i][1], "size", VIPS_SIZE_DOWN,
                "crop", sizes[i][2] ? VIPS_INTERESTING_CENTRE : VIPS_INTERESTING_NONE, NULL)) return -1;
        void *buffer; size_t length;
        if (vips_image_write_to_buffer(out, ".jpg[Q=82,strip,optimize_coding]", &buffer, &length, NULL)) return -1;
        g_free(buffer);
        if (vips_image_write_to_buffer(out, ".webp[Q=80,strip]", &buffer, &length, NULL)) return -1;
        g_free(buffer);
        if (out != memory) g_object_unref(out);
    }
    g_object_unref(memory);
    return 0;
}

int main(int argc, char **argv) {
    if (VIPS_INIT(argv[0]) || argc < 3) { fprintf(stderr, "usage: photos make DIR | photos peer FILE...\n"); return 2; }
    vips_cache_set_max(0);
    if (strcmp(argv[1], "make") == 0) {
        char path[4096];
        snprintf(path, sizeof path, "%s/phone", argv[2]);
        mkdir(argv[2], 0755); mkdir(path, 0755);
        snprintf(path, sizeof path, "%s/big.jpg", argv[2]);
        if (make_jpeg(path, 6000, 4000, 0)) { fprintf(stderr, "%s\n", vips_error_buffer()); return 1; }
        for (int i = 1; i <= 100; i++) {
            snprintf(path, sizeof path, "%s/phone/%03d.jpg", argv[2], i);
            if (make_jpeg(path, 4032, 3024, i)) { fprintf(stderr, "%s\n", vips_error_buffer()); return 1; }
        }
        return 0;
    }
    for (int i = 2; i < argc; i++) {
        if (peer(argv[i])) { fprintf(stderr, "%s: %s\n", argv[i], vips_error_buffer()); return 1; }
    }
    return 0;
}
