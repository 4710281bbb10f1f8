# Watchlist tests (lib/watchlist, lib/kernels/search_*).
face_test(test_watchlist LABELS quick SOURCES test_watchlist.c)
face_test(test_watchlist_search LABELS quick SOURCES test_watchlist_search.c)
face_test(test_watchlist_tamper LABELS quick SOURCES test_watchlist_tamper.c)
face_test(test_watchlist_crash SOURCES test_watchlist_crash.c)
face_test(test_watchlist_threads LABELS quick threads SOURCES test_watchlist_threads.c)
