# Fuzz targets: libFuzzer binaries with -DFACE_FUZZ=ON (clang), otherwise
# quick tests replaying the checked-in corpora (tests/fuzz/CMakeLists.txt).
# This file is included from tests/CMakeLists.txt, so paths are relative to tests/.
add_subdirectory(${CMAKE_CURRENT_SOURCE_DIR}/fuzz ${CMAKE_CURRENT_BINARY_DIR}/fuzz)
