/* Minimal line plots as standalone SVG files (no plotting dependency). */
#ifndef ACC_SVG_H
#define ACC_SVG_H

#include <stddef.h>

typedef struct svg_series {
    const char *name;
    const double *x, *y;
    size_t n;
} svg_series;

typedef struct svg_plot {
    const char *title, *xlabel, *ylabel;
    int logx, logy;            /* log10 axes (non-positive values are dropped) */
    double xmin, xmax, ymin, ymax;
} svg_plot;

/* Write the plot; returns 0 on success, -1 if the file cannot be written. */
int svg_write(const char *path, const svg_plot *p, const svg_series *s, size_t ns);

#endif
