/* libface: sealed watchlist. (Declarations are added by the watchlist module.) */
#ifndef FACE_WATCHLIST_H
#define FACE_WATCHLIST_H

#include "face/status.h"
#include "face/template.h"

#endif /* FACE_WATCHLIST_H */
