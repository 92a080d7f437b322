#include "sfu/media/extension_map.h"
