#include "server/http/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

namespace cpa::server::http {

namespace metrics_internal {

size_t ThreadShard() noexcept {
  static std::atomic<size_t> next{0};
  thread_local const size_t shard = next.fetch_add(1, std::memory_order_relaxed) % kShards;
  return shard;
}

}  // namespace metrics_internal

namespace {

void AppendEscapedHelp(std::string& out, std::string_view v) {
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

void AppendUint(std::string& out, uint64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, end);
}

void AppendInt(std::string& out, int64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, end);
}

// name{labels} or name{labels,extra} or name, then " ".
void AppendSeriesName(std::string& out, std::string_view name, std::string_view suffix,
                      const std::string& labels, std::string_view extra = {}) {
  out.append(name);
  out.append(suffix);
  if (!labels.empty() || !extra.empty()) {
    out += '{';
    out += labels;
    if (!labels.empty() && !extra.empty()) out += ',';
    out += extra;
    out += '}';
  }
  out += ' ';
}

std::string_view TypeName(MetricType t) {
  switch (t) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
  }
  return "untyped";
}

}  // namespace

std::string EscapeLabelValue(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  if (ec != std::errc()) return "NaN";
  return std::string(buf, end);
}

uint64_t Counter::Value() const noexcept {
  uint64_t total = 0;
  for (const Cell& c : cells_) total += c.v.load(std::memory_order_relaxed);
  return total;
}

Histogram::Histogram(std::vector<double> bounds) : bounds_(std::move(bounds)) {
  std::sort(bounds_.begin(), bounds_.end());
  bounds_.erase(std::unique(bounds_.begin(), bounds_.end()), bounds_.end());
  if (!bounds_.empty() && std::isinf(bounds_.back()) && bounds_.back() > 0) bounds_.pop_back();
  for (Shard& s : shards_) {
    s.buckets = std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1);
    for (size_t i = 0; i <= bounds_.size(); ++i) s.buckets[i].store(0, std::memory_order_relaxed);
  }
}

void Histogram::Observe(double value) noexcept {
  // The first bound >= value ("le" semantics); past the last → +Inf.
  size_t i = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  Shard& s = shards_[metrics_internal::ThreadShard()];
  s.buckets[i].fetch_add(1, std::memory_order_relaxed);
  s.sum.fetch_add(value, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::Snap() const {
  Snapshot snap;
  snap.cumulative.assign(bounds_.size() + 1, 0);
  for (const Shard& s : shards_) {
    for (size_t i = 0; i <= bounds_.size(); ++i) {
      snap.cumulative[i] += s.buckets[i].load(std::memory_order_relaxed);
    }
    snap.sum += s.sum.load(std::memory_order_relaxed);
  }
  for (size_t i = 1; i < snap.cumulative.size(); ++i) snap.cumulative[i] += snap.cumulative[i - 1];
  snap.count = snap.cumulative.back();
  return snap;
}

std::vector<double> DefaultLatencyBuckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};
}

FamilyBase::FamilyBase(std::string name, std::string help, std::vector<std::string> label_names,
                       MetricType type)
    : name_(std::move(name)),
      help_(std::move(help)),
      label_names_(std::move(label_names)),
      type_(type) {}

void* FamilyBase::FindOrCreate(std::span<const std::string_view> values) {
  // Key: each label value length-prefixed (4 bytes), so that no value can forge a boundary.
  thread_local std::string key;
  key.clear();
  for (size_t i = 0; i < label_names_.size(); ++i) {
    std::string_view v = i < values.size() ? values[i] : std::string_view();
    uint32_t n = static_cast<uint32_t>(v.size());
    char len[4];
    std::memcpy(len, &n, sizeof(n));
    key.append(len, sizeof(len));
    key.append(v);
  }
  {
    std::shared_lock lock(mu_);
    auto it = series_.find(std::string_view(key));
    if (it != series_.end()) return it->second.series.get();
  }
  std::unique_lock lock(mu_);
  auto it = series_.find(std::string_view(key));
  if (it != series_.end()) return it->second.series.get();
  bool overflow = series_.size() >= max_series_;
  std::string labels;
  if (overflow) {
    key.assign("\x01overflow");
    it = series_.find(std::string_view(key));
    if (it != series_.end()) return it->second.series.get();
  }
  for (size_t i = 0; i < label_names_.size(); ++i) {
    std::string_view v = overflow            ? std::string_view("_overflow")
                         : i < values.size() ? values[i]
                                             : std::string_view();
    if (i > 0) labels += ',';
    labels += label_names_[i];
    labels += "=\"";
    labels += EscapeLabelValue(v);
    labels += '"';
  }
  auto [pos, inserted] = series_.emplace(key, Entry{std::move(labels), NewSeries()});
  return pos->second.series.get();
}

void FamilyBase::Render(std::string& out) const {
  if (label_names_.empty()) {
    // Make sure the single series exists so that it renders at zero.
    const_cast<FamilyBase*>(this)->FindOrCreate({});
  }
  out += "# HELP ";
  out += name_;
  out += ' ';
  AppendEscapedHelp(out, help_);
  out += "\n# TYPE ";
  out += name_;
  out += ' ';
  out += TypeName(type_);
  out += '\n';
  std::shared_lock lock(mu_);
  for (const auto& [key, entry] : series_) RenderSeries(out, entry.labels, entry.series.get());
}

CounterFamily::CounterFamily(std::string name, std::string help,
                             std::vector<std::string> label_names)
    : Family(std::move(name), std::move(help), std::move(label_names), MetricType::kCounter) {}

std::shared_ptr<void> CounterFamily::NewSeries() const { return std::make_shared<Counter>(); }

void CounterFamily::RenderSeries(std::string& out, const std::string& labels, const void* s) const {
  AppendSeriesName(out, name(), "", labels);
  AppendUint(out, static_cast<const Counter*>(s)->Value());
  out += '\n';
}

GaugeFamily::GaugeFamily(std::string name, std::string help, std::vector<std::string> label_names)
    : Family(std::move(name), std::move(help), std::move(label_names), MetricType::kGauge) {}

std::shared_ptr<void> GaugeFamily::NewSeries() const { return std::make_shared<Gauge>(); }

void GaugeFamily::RenderSeries(std::string& out, const std::string& labels, const void* s) const {
  AppendSeriesName(out, name(), "", labels);
  AppendInt(out, static_cast<const Gauge*>(s)->Value());
  out += '\n';
}

HistogramFamily::HistogramFamily(std::string name, std::string help,
                                 std::vector<std::string> label_names, std::vector<double> bounds)
    : Family(std::move(name), std::move(help), std::move(label_names), MetricType::kHistogram),
      bounds_(std::move(bounds)) {}

std::shared_ptr<void> HistogramFamily::NewSeries() const {
  return std::make_shared<Histogram>(bounds_);
}

void HistogramFamily::RenderSeries(std::string& out, const std::string& labels,
                                   const void* s) const {
  const auto* h = static_cast<const Histogram*>(s);
  Histogram::Snapshot snap = h->Snap();
  for (size_t i = 0; i < snap.cumulative.size(); ++i) {
    std::string le = "le=\"";
    le += i < h->bounds().size() ? FormatValue(h->bounds()[i]) : std::string("+Inf");
    le += '"';
    AppendSeriesName(out, name(), "_bucket", labels, le);
    AppendUint(out, snap.cumulative[i]);
    out += '\n';
  }
  AppendSeriesName(out, name(), "_sum", labels);
  out += FormatValue(snap.sum);
  out += '\n';
  AppendSeriesName(out, name(), "_count", labels);
  AppendUint(out, snap.count);
  out += '\n';
}

template <typename F, typename... Args>
F& MetricsRegistry::Add(MetricType type, std::string name, Args&&... args) {
  std::lock_guard lock(mu_);
  for (auto& f : families_) {
    if (f->name() == name) {
      if (f->type() == type) return static_cast<F&>(*f);
      detached_.push_back(std::make_unique<F>(std::move(name), std::forward<Args>(args)...));
      return static_cast<F&>(*detached_.back());
    }
  }
  families_.push_back(std::make_unique<F>(std::move(name), std::forward<Args>(args)...));
  return static_cast<F&>(*families_.back());
}

CounterFamily& MetricsRegistry::AddCounter(std::string name, std::string help,
                                           std::vector<std::string> label_names) {
  return Add<CounterFamily>(MetricType::kCounter, std::move(name), std::move(help),
                            std::move(label_names));
}

GaugeFamily& MetricsRegistry::AddGauge(std::string name, std::string help,
                                       std::vector<std::string> label_names) {
  return Add<GaugeFamily>(MetricType::kGauge, std::move(name), std::move(help),
                          std::move(label_names));
}

HistogramFamily& MetricsRegistry::AddHistogram(std::string name, std::string help,
                                               std::vector<std::string> label_names,
                                               std::vector<double> bounds) {
  return Add<HistogramFamily>(MetricType::kHistogram, std::move(name), std::move(help),
                              std::move(label_names), std::move(bounds));
}

std::string MetricsRegistry::Render() const {
  std::string out;
  std::lock_guard lock(mu_);
  for (const auto& f : families_) f->Render(out);
  return out;
}

}  // namespace cpa::server::http
