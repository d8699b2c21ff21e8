// Recognises compressed files by their magic bytes, so that the file source
// does not tail rotated, compressed logs (app.log.1.gz, or a compressed file
// whose name does not say so) as text.
//
// Formats and the specifications of their signatures:
//   gzip   1f 8b 08                       (RFC 1952 section 2.3.1, CM = 8 deflate)
//   bzip2  "BZh" '1'..'9' 31 41 59 26 53 59  (stream header + pi block magic)
//   xz     fd 37 7a 58 5a 00              (xz file format 1.0.4, section 2.1.1.1)
//   zstd   28 b5 2f fd                    (RFC 8878 section 3.1.1)
//   zip    "PK" 03 04 or "PK" 05 06       (APPNOTE.TXT 4.3.7 and 4.3.16: local file / empty archive)
//   lz4    04 22 4d 18                    (LZ4 frame format 1.6.x)
#pragma once

#include <cstddef>
#include <string_view>

namespace sluice {

/// Longest signature checked, in bytes.
inline constexpr size_t kCompressedMagicBytes = 10;

/// What the first bytes of a file say about compression.
enum class CompressedVerdict {
  kPlain,       ///< no signature matches: tail it as text
  kCompressed,  ///< a signature matches: do not tail it
  kUndecided,   ///< `head` is shorter than a signature it is a prefix of: wait for more bytes
};

/// Classifies `head`, the first bytes of a file (up to kCompressedMagicBytes
/// are looked at). When compressed, `*format` (if non-null) is set to
/// "gzip", "bzip2", "xz", "zstd", "zip" or "lz4". An empty `head` is
/// kUndecided.
CompressedVerdict sniff_compressed(std::string_view head, std::string_view* format = nullptr);

}  // namespace sluice
