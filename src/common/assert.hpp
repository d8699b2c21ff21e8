// SLUICE_ASSERT: checks for programmer errors only (broken invariants), never
// for bad input. A failed assertion prints the condition, location and message
// to stderr and aborts, in every build type.
#pragma once

#include <cstdio>
#include <cstdlib>

#define SLUICE_ASSERT(cond, msg)                                                                                      \
  do {                                                                                                                \
    if (!(cond)) {                                                                                                    \
      std::fprintf(stderr, "%s:%d: assertion failed: %s: %s\n", __FILE__, __LINE__, #cond, std::string(msg).c_str()); \
      std::abort();                                                                                                   \
    }                                                                                                                 \
  } while (0)
