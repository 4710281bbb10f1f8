/* Calibration of distances to false match rates (face_threshold_for_fmr).
 * The table is data made by bench/accuracy (docs/calibration.md). */
#ifndef LF_CALIBRATION_H
#define LF_CALIBRATION_H

#include <stddef.h>
#include <stdint.h>

#include "face/face.h"

/* One operating point: at distance threshold `distance` (match when
 * distance <= threshold), the measured impostor match rate is 10^log10_fmr. */
typedef struct lf_calib_point {
    double log10_fmr;
    float distance;
} lf_calib_point;

typedef struct lf_calibration {
    /* Templates this table is valid for (recognition weights + alignment). */
    uint8_t fingerprint[FACE_FINGERPRINT_BYTES];
    int32_t align_mode;
    /* Points by strictly increasing log10_fmr with non-decreasing distance. */
    const lf_calib_point *points;
    size_t count;
    uint64_t impostor_pairs; /* comparisons the quantiles were taken over */
} lf_calibration;

/* The table shipped with the library. */
const lf_calibration *lf_calibration_builtin(void);

/* Threshold for fmr from table c: exact at the table's points, linear in
 * log10(fmr) between them. FACE_ERR_INVALID_ARGUMENT for NULL, non-finite
 * fmr or fmr outside (0, 1); FACE_ERR_LIMIT outside the table's range (an
 * FMR the data could not measure is never extrapolated). *out is written on
 * FACE_OK only. */
face_status lf_calibration_lookup(const lf_calibration *c, double fmr, float *out);

#endif
