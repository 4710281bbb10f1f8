# Recognition net: ms per face per ISA (chip, crop, chip + flip average).
add_executable(bench_embed ${CMAKE_CURRENT_LIST_DIR}/bench_embed.c)
target_compile_options(bench_embed PRIVATE ${FACE_WARN_FLAGS})
target_link_libraries(bench_embed PRIVATE face_internal)
