#include "face/version.h"

int face_version_number(void) { return FACE_VERSION_NUMBER; }
const char *face_version_string(void) { return FACE_VERSION_STRING; }
int face_abi_version(void) { return FACE_ABI_MAJOR; }
