# Sealed watchlist: entries and locking, search, sealed file, audit log.
face_sources(watchlist.c search.c seal.c audit.c)
