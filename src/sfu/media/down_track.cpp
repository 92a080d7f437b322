#include "sfu/media/down_track.h"
