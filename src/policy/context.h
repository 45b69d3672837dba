#pragma once
// Request context keys (aws:SourceIp, aws:PrincipalTag/team, aws:TagKeys, ...).
//
// Key names are case-insensitive in IAM, so keys are stored in ASCII lower case and looked up by
// a lower-case name (compiled policies lower-case their keys once). A key holds one value or
// several (multivalued keys such as aws:TagKeys). A ContextKeys object is meant to be built once
// per caller and reused; lookup is a linear scan, which beats hashing for the handful of keys a
// request carries.

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace cpa::policy {

// A read-only view of the values of one key: absent, one value, or a list.
class ValueView {
 public:
  ValueView() = default;
  static ValueView Of(std::string_view one) {
    ValueView v;
    v.present_ = true;
    v.single_ = one;
    v.n_ = 1;
    return v;
  }
  static ValueView Of(const std::vector<std::string>& list) {
    ValueView v;
    v.present_ = true;
    v.list_ = list.data();
    v.n_ = list.size();
    return v;
  }

  bool present() const { return present_; }
  size_t size() const { return n_; }
  bool empty() const { return n_ == 0; }
  std::string_view operator[](size_t i) const {
    return list_ ? std::string_view(list_[i]) : single_;
  }

 private:
  bool present_ = false;
  const std::string* list_ = nullptr;
  std::string_view single_;
  size_t n_ = 0;
};

class ContextKeys {
 public:
  ContextKeys() = default;
  ContextKeys(std::initializer_list<std::pair<std::string_view, std::string_view>> single);

  // Sets (replaces) a single-valued key.
  ContextKeys& Set(std::string_view key, std::string_view value);
  // Sets (replaces) a multivalued key; an empty list is present but empty.
  ContextKeys& SetList(std::string_view key, std::vector<std::string> values);
  void Remove(std::string_view key);
  void Clear() { entries_.clear(); }

  // `key_lower` must be lower case. Absent keys give a view with present() == false.
  ValueView Find(std::string_view key_lower) const;

  struct Entry {
    std::string key;  // lower case
    std::vector<std::string> values;
    bool multivalued = false;
  };
  const std::vector<Entry>& entries() const { return entries_; }

 private:
  Entry& Slot(std::string_view key);
  std::vector<Entry> entries_;
};

}  // namespace cpa::policy
