/* CPU feature detection and the FACE_FORCE_ISA override.
 *
 * Detection runs once (pthread_once); the chosen ISA is process-wide and
 * immutable afterwards, so kernels can be picked without locks. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static face_isa g_isa = FACE_ISA_REF;
static face_status g_status = FACE_OK;
static int g_supported[4];

static void detect(void)
{
    g_supported[FACE_ISA_REF] = 1;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    __builtin_cpu_init();
    /* libgcc/compiler-rt also check XGETBV, so an OS that does not save the
     * wide registers reports these as absent. */
#if defined(FACE_HAVE_AVX2)
    g_supported[FACE_ISA_AVX2] = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
#if defined(FACE_HAVE_AVX512)
    g_supported[FACE_ISA_AVX512] = g_supported[FACE_ISA_AVX2] &&
                                   __builtin_cpu_supports("avx512f") &&
                                   __builtin_cpu_supports("avx512bw") &&
                                   __builtin_cpu_supports("avx512dq") &&
                                   __builtin_cpu_supports("avx512vl");
#endif
#elif defined(__aarch64__) && defined(FACE_HAVE_NEON)
    g_supported[FACE_ISA_NEON] = 1; /* Advanced SIMD is mandatory on AArch64 */
#endif
}

static void init_once(void)
{
    detect();
    if (g_supported[FACE_ISA_AVX512]) g_isa = FACE_ISA_AVX512;
    else if (g_supported[FACE_ISA_AVX2]) g_isa = FACE_ISA_AVX2;
    else if (g_supported[FACE_ISA_NEON]) g_isa = FACE_ISA_NEON;
    else g_isa = FACE_ISA_REF;

    const char *force = getenv("FACE_FORCE_ISA");
    if (force && *force) {
        int want = -1;
        for (int i = 0; i < 4; i++)
            if (strcmp(force, face_isa_name(i)) == 0) want = i;
        if (want < 0 || !g_supported[want]) {
            /* Falling back silently would make a per-ISA test run pass while
             * testing the wrong kernels. */
            g_status = FACE_ERR_ISA_UNAVAILABLE;
            g_isa = FACE_ISA_REF;
        } else {
            g_isa = (face_isa)want;
        }
    }
}

face_status lf_cpu_init(void)
{
    pthread_once(&g_once, init_once);
    return g_status;
}

face_isa lf_cpu_isa(void)
{
    pthread_once(&g_once, init_once);
    return g_isa;
}

int lf_cpu_supports(face_isa isa)
{
    pthread_once(&g_once, init_once);
    return (unsigned)isa < 4 && g_supported[isa];
}

face_status face_init(void) { return lf_cpu_init(); }
face_isa face_active_isa(void) { return lf_cpu_isa(); }
int face_isa_supported(int isa) { return isa >= 0 && isa < 4 && lf_cpu_supports((face_isa)isa); }

const char *face_isa_name(int isa)
{
    switch (isa) {
    case FACE_ISA_REF: return "ref";
    case FACE_ISA_AVX2: return "avx2";
    case FACE_ISA_AVX512: return "avx512";
    case FACE_ISA_NEON: return "neon";
    default: return "unknown";
    }
}
