#include "policy/context.h"

#include "core/encoding.h"

namespace cpa::policy {

ContextKeys::ContextKeys(
    std::initializer_list<std::pair<std::string_view, std::string_view>> single) {
  for (const auto& [k, v] : single) Set(k, v);
}

ContextKeys::Entry& ContextKeys::Slot(std::string_view key) {
  std::string lower = core::AsciiLower(key);
  for (Entry& e : entries_) {
    if (e.key == lower) return e;
  }
  entries_.push_back(Entry{std::move(lower), {}, false});
  return entries_.back();
}

ContextKeys& ContextKeys::Set(std::string_view key, std::string_view value) {
  Entry& e = Slot(key);
  e.values.assign(1, std::string(value));
  e.multivalued = false;
  return *this;
}

ContextKeys& ContextKeys::SetList(std::string_view key, std::vector<std::string> values) {
  Entry& e = Slot(key);
  e.values = std::move(values);
  e.multivalued = true;
  return *this;
}

void ContextKeys::Remove(std::string_view key) {
  std::string lower = core::AsciiLower(key);
  std::erase_if(entries_, [&](const Entry& e) { return e.key == lower; });
}

ValueView ContextKeys::Find(std::string_view key_lower) const {
  for (const Entry& e : entries_) {
    if (e.key == key_lower) return ValueView::Of(e.values);
  }
  return ValueView();
}

}  // namespace cpa::policy
