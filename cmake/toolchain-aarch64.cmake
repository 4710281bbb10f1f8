# Cross-compile libface for AArch64 Linux with Debian's gcc-aarch64-linux-gnu
# against the arm64 multiarch -dev packages (dpkg --add-architecture arm64;
# see scripts/install_deps.sh --ci). Tests run through qemu-aarch64.
#
#   cmake -S . -B build-arm64 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-aarch64.cmake
#   ctest --test-dir build-arm64 -L quick
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
# CMake usually infers this from the compiler's implicit link directories;
# set it so the serial-OpenBLAS lookup (lib/aarch64-linux-gnu/openblas-serial)
# never falls back to the host's x86-64 directory.
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

# Debian multiarch: the arm64 libraries live in /usr/lib/aarch64-linux-gnu on
# the host's own root, so the "sysroot" is /, and only the arch-specific
# directories may be searched for libraries and headers.
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)

# pkg-config must see the arm64 .pc files only (libsodium, cmocka).
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")

# ctest runs every test program through qemu-user. -L points the guest's
# dynamic loader at the cross libc; the multiarch libraries (/usr/lib/
# aarch64-linux-gnu) are found by qemu's fallback to the host path.
find_program(FACE_QEMU_AARCH64 qemu-aarch64)
if(FACE_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${FACE_QEMU_AARCH64} -L /usr/aarch64-linux-gnu)
endif()
