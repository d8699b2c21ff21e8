// DuckDB (libduckdb.so, the C API of duckdb.h) loaded when the store first
// opens a database, not when the process starts.
//
// Why: `sluice agent` never queries, yet linking libduckdb.so made the
// dynamic loader read ~10 MiB of its relocation and symbol tables into every
// process at start (ARCHITECTURE "agent", issue: agent RSS under 30 MiB
// idle). On x86-64 the library is not linked: each DuckDB function sluice
// calls is a one-instruction trampoline (`jmp *pointer`) whose pointer
// load_duckdb() fills with dlsym. Elsewhere the library is linked as usual
// and load_duckdb() does nothing.
//
// Adding a call to a DuckDB function sluice did not use before: add its name
// to SLUICE_DUCKDB_FUNCTIONS in duckdb_loader.cpp (the link fails until then).
//
// Thread-safety: load_duckdb() may be called from any thread, any number of
// times; the first call loads, later ones return its result.
#pragma once

#include "common/status.hpp"

namespace sluice {

/// Loads libduckdb.so (the path built in at configure time, or
/// $SLUICE_DUCKDB_LIBRARY) and resolves the C API functions sluice calls.
/// Errors: Unavailable naming the library and dlerror() when it cannot be
/// loaded or lacks a function. Calling a DuckDB function before a successful
/// load aborts the process with a message.
Status load_duckdb();

}  // namespace sluice
