// A streambuf that escapes what passes through it with repair::PrintableFilter, installed over
// std::cout and std::cerr.
#include "common/terminal_output.h"

#include <array>
#include <iostream>
#include <streambuf>
#include <string>

#include "certbed/repair/model/printable.h"

namespace certbed::cli {

namespace {

class PrintableStreambuf : public std::streambuf {
 public:
  explicit PrintableStreambuf(std::streambuf* target)
      : target_(target), filter_(repair::PrintableFilter::LineEnds::kKeep) {
    setp(buffer_.data(), buffer_.data() + buffer_.size());
  }
  PrintableStreambuf(const PrintableStreambuf&) = delete;
  PrintableStreambuf& operator=(const PrintableStreambuf&) = delete;
  ~PrintableStreambuf() override { finish(); }

  std::streambuf* target() const { return target_; }

  // Writes out what the filter still holds (an unfinished character or a lone CR), escaped.
  void finish() {
    drain();
    std::string out;
    filter_.finish(out);
    write(out);
    target_->pubsync();
  }

 protected:
  int_type overflow(int_type c) override {
    drain();
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(c);
      pbump(1);
    }
    return traits_type::not_eof(c);
  }

  int sync() override {
    drain();
    return target_->pubsync();
  }

 private:
  void drain() {
    const auto n = static_cast<std::size_t>(pptr() - pbase());
    if (n == 0) return;
    std::string out;
    filter_.append(std::string_view(pbase(), n), out);
    write(out);
    setp(buffer_.data(), buffer_.data() + buffer_.size());
  }

  void write(const std::string& out) {
    if (!out.empty()) target_->sputn(out.data(), static_cast<std::streamsize>(out.size()));
  }

  std::streambuf* target_;
  repair::PrintableFilter filter_;
  std::array<char, 4096> buffer_{};
};

}  // namespace

namespace detail {

struct TerminalFilters {
  PrintableStreambuf out{std::cout.rdbuf()};
  PrintableStreambuf err{std::cerr.rdbuf()};
  bool out_filtered = true;
};

}  // namespace detail

namespace {
detail::TerminalFilters* installed = nullptr;
}  // namespace

TerminalOutput::TerminalOutput() : filters_(std::make_unique<detail::TerminalFilters>()) {
  std::cout.rdbuf(&filters_->out);
  std::cerr.rdbuf(&filters_->err);
  installed = filters_.get();
}

TerminalOutput::~TerminalOutput() {
  installed = nullptr;
  std::cout.flush();
  std::cerr.flush();
  if (filters_->out_filtered) {
    filters_->out.finish();
    std::cout.rdbuf(filters_->out.target());
  }
  filters_->err.finish();
  std::cerr.rdbuf(filters_->err.target());
}

void unfilter_stdout() {
  if (installed == nullptr || !installed->out_filtered) return;
  std::cout.flush();
  installed->out.finish();
  std::cout.rdbuf(installed->out.target());
  installed->out_filtered = false;
}

}  // namespace certbed::cli
