face_test(test_engine LABELS shared models SOURCES test_engine.c PUBLIC_ONLY)
target_link_libraries(test_engine PRIVATE Threads::Threads m)
