#pragma once
// Loading the shared conformance suites. A missing folder or file is a test failure, never
// "0 cases, 0 failures".

#include <nlohmann/json.hpp>
#include <string>

namespace cpa::profile::testing {

// Parses CPA_TESTDATA_DIR/<relative>; records a gtest failure and returns null when unreadable.
nlohmann::json LoadSuite(const std::string& relative);

}  // namespace cpa::profile::testing
