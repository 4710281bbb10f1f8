/* Kernel table dispatch. The ISA is fixed process-wide by lf_cpu_init
 * (CPU detection plus FACE_FORCE_ISA); this only maps it to a table. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/kernels_impl.h"

const lf_kernels *lf_kernels_for(face_isa isa)
{
    /* Also checks the build: an ISA compiled out is never "supported". */
    if (!lf_cpu_supports(isa)) return NULL;
    switch (isa) {
    case FACE_ISA_REF: return &lf_kernels_ref;
#if defined(FACE_HAVE_AVX2)
    case FACE_ISA_AVX2: return &lf_kernels_avx2;
#endif
#if defined(FACE_HAVE_AVX512)
    case FACE_ISA_AVX512: return &lf_kernels_avx512;
#endif
#if defined(FACE_HAVE_NEON)
    case FACE_ISA_NEON: return &lf_kernels_neon;
#endif
    default: return NULL;
    }
}

const lf_kernels *lf_kernels_active(void)
{
    const lf_kernels *k = lf_kernels_for(lf_cpu_isa());
    /* lf_cpu_isa only ever names a supported ISA; ref keeps this non-NULL
     * even if the two ever disagree. */
    return k ? k : &lf_kernels_ref;
}

int lf_gemm_openblas(void)
{
    /* 0: not read yet, 1: own GEMM, 2: OpenBLAS. getenv runs once per
     * process in practice (a race only reads the same value twice). */
    static atomic_int mode;
    int m = atomic_load_explicit(&mode, memory_order_relaxed);
    if (!m) {
        const char *e = getenv("FACE_GEMM");
        m = e && strcmp(e, "openblas") == 0 ? 2 : 1;
        atomic_store_explicit(&mode, m, memory_order_relaxed);
    }
    return m == 2;
}
