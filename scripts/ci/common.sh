# Sourced by the leg scripts of .ci/run (scripts/ci/*.sh).
# Each leg builds in its own directory under build-ci/ so legs never share
# object files compiled with different flags.
set -eu
CI_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CI_BUILD=${CI_BUILD:-$CI_ROOT/build-ci}
CI_JOBS=${CI_JOBS:-$(nproc)}
export OPENBLAS_NUM_THREADS=1
mkdir -p "$CI_BUILD"

ci_log() { printf '\n=== %s: %s\n' "${CI_LEG:-ci}" "$*"; }

# ci_configure <dir> [cmake args...]: a tests-only build (no bench/examples).
ci_configure()
{
    dir=$1
    shift
    cmake -S "$CI_ROOT" -B "$dir" -DFACE_BUILD_BENCH=OFF -DFACE_BUILD_EXAMPLES=OFF "$@" \
        >"$dir.configure.log" 2>&1 || { cat "$dir.configure.log"; return 1; }
}

# ci_build <dir> [cmake args...]: configure and build everything.
ci_build()
{
    dir=$1
    ci_configure "$@"
    cmake --build "$dir" -j"$CI_JOBS"
}

# The ISAs this CPU can run (x86-64 hosts; the kernels need F+BW+DQ+VL).
ci_host_isas()
{
    isas=ref
    flags=$(grep -m1 '^flags' /proc/cpuinfo || true)
    case " $flags " in *" avx2 "*) case " $flags " in *" fma "*) isas="$isas avx2" ;; esac ;; esac
    ok=1
    for f in avx512f avx512bw avx512dq avx512vl; do
        case " $flags " in *" $f "*) ;; *) ok=0 ;; esac
    done
    [ $ok = 1 ] && isas="$isas avx512"
    echo "$isas"
}
