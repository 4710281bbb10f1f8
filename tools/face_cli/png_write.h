/* PNG encoding for the face CLI's annotated images (stb_image_write). */
#ifndef FACE_CLI_PNG_WRITE_H
#define FACE_CLI_PNG_WRITE_H

#include <stdio.h>

struct png_sink {
    FILE *file;
    int failed;
};

/* Encode width x height RGB24 (tightly packed) into sink->file.
 * Returns 1 on success, 0 if encoding or a write failed. */
int cli_png_write(struct png_sink *sink, int width, int height, const unsigned char *rgb);

#endif
