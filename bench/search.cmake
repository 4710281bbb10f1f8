# Watchlist search throughput (bench/bench_search.c): queries/s and effective
# GB/s against this machine's memory bandwidth, with FAISS IndexFlatL2 in the
# same run when Debian's libfaiss-dev is installed. FAISS ships only a C++
# static library (its C API headers are packaged without the C API code), so
# the comparison is a small C++ file and C++ is enabled for this target only.
add_executable(bench_search ${CMAKE_CURRENT_LIST_DIR}/bench_search.c)
target_compile_options(bench_search PRIVATE $<$<COMPILE_LANGUAGE:C>:${FACE_WARN_FLAGS}>)
target_link_libraries(bench_search PRIVATE face_internal Threads::Threads m)

option(FACE_BENCH_FAISS "Compare bench_search with FAISS (libfaiss-dev) when installed" ON)
if(FACE_BENCH_FAISS AND NOT FACE_SANITIZE)
  find_path(FACE_FAISS_INCLUDE faiss/IndexFlat.h)
  if(FACE_FAISS_INCLUDE)
    include(CheckLanguage)
    check_language(CXX)
    if(CMAKE_CXX_COMPILER)
      enable_language(CXX)
      find_package(OpenMP COMPONENTS CXX QUIET)
      find_package(faiss CONFIG QUIET)
      if(faiss_FOUND AND OpenMP_CXX_FOUND)
        target_sources(bench_search PRIVATE ${CMAKE_CURRENT_LIST_DIR}/bench_search_faiss.cpp)
        target_compile_definitions(bench_search PRIVATE FACE_BENCH_FAISS=1)
        target_link_libraries(bench_search PRIVATE faiss OpenMP::OpenMP_CXX)
        message(STATUS "bench_search: comparing with FAISS ${faiss_VERSION}")
      endif()
    endif()
  endif()
endif()
