#include "pipeline/sources/journald/journal_reader.hpp"

#include <algorithm>
#include <cstdlib>
#include <ctime>

namespace sluice {

namespace {

std::string id128_hex(const sd_id128_t& id) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(32);
  for (uint8_t b : id.bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xf]);
  }
  return out;
}

}  // namespace

std::string unit_name(std::string_view unit) {
  std::string out(unit);
  if (out.find('.') == std::string::npos) out += ".service";
  return out;
}

Result<std::unique_ptr<JournalReader>> JournalReader::open(const JournalApi* api, const JournalReaderOptions& o) {
  sd_journal* j = nullptr;
  int r = o.directory.empty() ? api->open(&j, SD_JOURNAL_LOCAL_ONLY) : api->open_directory(&j, o.directory.c_str(), 0);
  if (r < 0) {
    return Status::FromErrno("opening the journal in " + (o.directory.empty() ? "the system journal" : o.directory),
                             -r);
  }
  auto reader = std::make_unique<JournalReader>(Key{}, api, j);
  r = api->set_data_threshold(j, static_cast<size_t>(o.max_field_bytes));
  if (r < 0) return Status::FromErrno("sd_journal_set_data_threshold", -r);
  for (const auto& u : o.units) {
    std::string match = "_SYSTEMD_UNIT=" + unit_name(u);
    r = api->add_match(j, match.data(), match.size());
    if (r < 0) return Status::FromErrno("sd_journal_add_match " + match, -r);
  }
  if (o.current_boot_only) {
    sd_id128_t boot{};
    r = api->get_boot_id(&boot);
    if (r < 0) return Status::FromErrno("sd_id128_get_boot (for current_boot_only)", -r);
    // A different field than _SYSTEMD_UNIT: ANDed with the unit matches.
    std::string match = "_BOOT_ID=" + id128_hex(boot);
    r = api->add_match(j, match.data(), match.size());
    if (r < 0) return Status::FromErrno("sd_journal_add_match " + match, -r);
  }
  // Sets up inotify now, so that no change between here and the first
  // wait is missed (sd_journal_get_fd(3)).
  (void)api->get_fd(j);
  return reader;
}

JournalReader::~JournalReader() { api_->close(journal_); }

uint64_t JournalReader::usage_bytes() {
  uint64_t bytes = 0;
  if (api_->get_usage(journal_, &bytes) < 0) return 0;
  return bytes;
}

Status JournalReader::seek_head() {
  int r = api_->seek_head(journal_);
  return r < 0 ? Status::FromErrno("sd_journal_seek_head", -r) : Status::Ok();
}

Status JournalReader::seek_tail() {
  int r = api_->seek_tail(journal_);
  return r < 0 ? Status::FromErrno("sd_journal_seek_tail", -r) : Status::Ok();
}

Status JournalReader::seek_sequence(const JournalSeqnum& at) {
  std::string cursor = journal_sequence_cursor(at);
  int r = api_->seek_cursor(journal_, cursor.c_str());
  return r < 0 ? Status::FromErrno("sd_journal_seek_cursor " + cursor, -r) : Status::Ok();
}

Result<bool> JournalReader::next() {
  int r = api_->next(journal_);
  if (r < 0) return Status::FromErrno("sd_journal_next", -r);
  return r > 0;
}

Result<bool> JournalReader::previous() {
  int r = api_->previous(journal_);
  if (r < 0) return Status::FromErrno("sd_journal_previous", -r);
  return r > 0;
}

Status JournalReader::current(std::string* cursor, JournalSeqnum* at, uint64_t* realtime_usec) {
  char* c = nullptr;
  int r = api_->get_cursor(journal_, &c);
  if (r < 0) return Status::FromErrno("sd_journal_get_cursor", -r);
  cursor->assign(c);
  std::free(c);  // sd_journal_get_cursor(3): the caller frees it
  SLUICE_ASSIGN_OR_RETURN(*at, parse_journal_cursor(*cursor));
  r = api_->get_realtime_usec(journal_, realtime_usec);
  if (r < 0) return Status::FromErrno("sd_journal_get_realtime_usec", -r);
  return Status::Ok();
}

int JournalReader::fd() { return api_->get_fd(journal_); }

int JournalReader::wait_ms(int cap_ms) {
  uint64_t t = 0;
  if (api_->get_timeout(journal_, &t) < 0 || t == UINT64_MAX) return cap_ms;
  // An absolute CLOCK_MONOTONIC time in µs.
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  uint64_t now_us = static_cast<uint64_t>(now.tv_sec) * 1000000 + static_cast<uint64_t>(now.tv_nsec) / 1000;
  if (t <= now_us) return 0;
  return static_cast<int>(std::min<uint64_t>((t - now_us + 999) / 1000, static_cast<uint64_t>(cap_ms)));
}

void JournalReader::process() { (void)api_->process(journal_); }

}  // namespace sluice
