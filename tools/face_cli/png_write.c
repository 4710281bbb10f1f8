/* stb_image_write, compiled into the face CLI only: the library itself never
 * writes images (nothing biometric is persisted by libface), so the encoder
 * stays out of libface.so. */
#include "png_write.h"

#include <stdio.h>

#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_WRITE_STATIC
#define STBI_WRITE_NO_STDIO
#include <stb_image_write.h>

static void to_file(void *opaque, void *data, int size)
{
    struct png_sink *sink = opaque;
    if (sink->failed) return;
    if (fwrite(data, 1, (size_t)size, sink->file) != (size_t)size) sink->failed = 1;
}

int cli_png_write(struct png_sink *sink, int width, int height, const unsigned char *rgb)
{
    sink->failed = 0;
    if (!stbi_write_png_to_func(to_file, sink, width, height, 3, rgb, width * 3)) return 0;
    return !sink->failed;
}
