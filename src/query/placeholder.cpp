#include "common/status.hpp"
