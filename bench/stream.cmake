# Live streams: fps and latency per resolution, faces per frame, streams and
# minimum face size (docs/benchmarks.md, "Live streams").
add_executable(bench_stream ${CMAKE_CURRENT_LIST_DIR}/bench_stream.c)
target_compile_options(bench_stream PRIVATE ${FACE_WARN_FLAGS})
target_link_libraries(bench_stream PRIVATE face Threads::Threads m)
