# Live streams (lib/stream): tracker, quality gate and public calls without
# a network (quick); end to end on real photos with the allocator-hook wipe
# check and bad arguments (shared, models).
face_test(test_stream LABELS quick SOURCES test_stream.c)
target_link_libraries(test_stream PRIVATE m)
face_test(test_stream_e2e LABELS shared models SOURCES test_stream_e2e.c PUBLIC_ONLY)
target_link_libraries(test_stream_e2e PRIVATE Threads::Threads m)
