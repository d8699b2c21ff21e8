#include "pipeline/sources/host_metrics/device_parsers.hpp"

namespace sluice {

namespace {

constexpr size_t kMaxName = 256;  // device and interface names are far shorter; longer text is cut

}  // namespace

DiskStatsFile parse_diskstats(std::string_view text) {
  DiskStatsFile out;
  size_t line_no = 0;
  while (!text.empty()) {
    std::string_view line = next_line(text);
    ++line_no;
    auto f = split_fields(line, 15);
    if (f.empty()) continue;
    uint64_t v[11] = {};
    bool ok = f.size() >= 14 && parse_u64(f[0]) && parse_u64(f[1]);
    for (size_t i = 0; ok && i < 11; ++i) {
      auto n = parse_u64(f[3 + i]);
      if (!n)
        ok = false;
      else
        v[i] = *n;
    }
    if (!ok) {
      out.problems.add("line " + std::to_string(line_no) +
                       ": expected \"<major> <minor> <device>\" and at least 11 decimal counters, found " +
                       quote_for_message(line));
      continue;
    }
    DiskStats d;
    d.device = std::string(f[2].substr(0, kMaxName));
    d.reads = v[0];
    d.reads_merged = v[1];
    d.sectors_read = v[2];
    d.read_ms = v[3];
    d.writes = v[4];
    d.writes_merged = v[5];
    d.sectors_written = v[6];
    d.write_ms = v[7];
    d.in_progress = v[8];
    d.io_ms = v[9];
    d.weighted_io_ms = v[10];
    out.devices.push_back(std::move(d));
  }
  return out;
}

NetDevFile parse_net_dev(std::string_view text) {
  NetDevFile out;
  size_t line_no = 0;
  while (!text.empty()) {
    std::string_view line = next_line(text);
    ++line_no;
    if (trim(line).empty()) continue;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos && line.find('|') != std::string_view::npos) continue;  // header
    std::string_view name = colon == std::string_view::npos ? std::string_view() : trim(line.substr(0, colon));
    auto f =
        colon == std::string_view::npos ? std::vector<std::string_view>() : split_fields(line.substr(colon + 1), 17);
    uint64_t v[16] = {};
    bool ok = !name.empty() && f.size() >= 16;
    for (size_t i = 0; ok && i < 16; ++i) {
      auto n = parse_u64(f[i]);
      if (!n)
        ok = false;
      else
        v[i] = *n;
    }
    if (!ok) {
      out.problems.add("line " + std::to_string(line_no) +
                       ": expected \"<interface>:\" and 16 decimal counters, found " + quote_for_message(line));
      continue;
    }
    NetDevStats s;
    s.interface = std::string(name.substr(0, kMaxName));
    s.rx_bytes = v[0];
    s.rx_packets = v[1];
    s.rx_errors = v[2];
    s.rx_dropped = v[3];
    s.tx_bytes = v[8];
    s.tx_packets = v[9];
    s.tx_errors = v[10];
    s.tx_dropped = v[11];
    out.interfaces.push_back(std::move(s));
  }
  return out;
}

std::string decode_mount_field(std::string_view field) {
  std::string out;
  out.reserve(field.size());
  auto is_octal = [](char c) { return c >= '0' && c <= '7'; };
  for (size_t i = 0; i < field.size(); ++i) {
    // "\ooo": a backslash and exactly three octal digits, at most \377.
    if (field[i] == '\\' && i + 3 < field.size() && is_octal(field[i + 1]) && is_octal(field[i + 2]) &&
        is_octal(field[i + 3]) && field[i + 1] <= '3') {
      out += static_cast<char>((field[i + 1] - '0') * 64 + (field[i + 2] - '0') * 8 + (field[i + 3] - '0'));
      i += 3;
      continue;
    }
    out += field[i];
  }
  return out;
}

MountsFile parse_mounts(std::string_view text) {
  MountsFile out;
  size_t line_no = 0;
  while (!text.empty()) {
    std::string_view line = next_line(text);
    ++line_no;
    if (trim(line).empty()) continue;
    auto f = split_fields(line, 7);
    if (f.size() < 4 || f[1].empty() || f[1].front() != '/') {
      out.problems.add("line " + std::to_string(line_no) +
                       ": expected \"<device> <absolute mount point> <type> <options> ...\", found " +
                       quote_for_message(line));
      continue;
    }
    MountEntry m;
    m.device = decode_mount_field(f[0].substr(0, 4 * kMaxName));
    m.mountpoint = decode_mount_field(f[1].substr(0, 16 * kMaxName));
    m.type = decode_mount_field(f[2].substr(0, kMaxName));
    std::string_view opts = f[3];
    while (!opts.empty()) {
      size_t comma = opts.find(',');
      if (opts.substr(0, comma) == "ro") m.read_only = true;
      if (comma == std::string_view::npos) break;
      opts.remove_prefix(comma + 1);
    }
    out.mounts.push_back(std::move(m));
  }
  return out;
}

}  // namespace sluice
