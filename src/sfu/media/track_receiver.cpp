#include "sfu/media/track_receiver.h"
