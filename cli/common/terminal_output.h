// std::cout and std::cerr through repair::PrintableFilter, so no input value (or message quoting
// one) reaches the terminal with a control character in it; --json output goes out unchanged.
#pragma once

#include <memory>

namespace certbed::cli {

namespace detail {
struct TerminalFilters;
}

// Filters std::cout and std::cerr while it lives (main holds one); restores them on destruction.
class TerminalOutput {
 public:
  TerminalOutput();
  ~TerminalOutput();
  TerminalOutput(const TerminalOutput&) = delete;
  TerminalOutput& operator=(const TerminalOutput&) = delete;

 private:
  std::unique_ptr<detail::TerminalFilters> filters_;
};

// For --json: std::cout goes out unfiltered from here on (JSON escapes its own strings, and its
// bytes must stay exactly as written). std::cerr stays filtered. Does nothing without a
// TerminalOutput.
void unfilter_stdout();

}  // namespace certbed::cli
