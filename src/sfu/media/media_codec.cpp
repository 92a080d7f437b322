#include "sfu/media/media_codec.h"
