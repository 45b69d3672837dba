#pragma once
// A small Prometheus metrics registry: counters, gauges and histograms, each in a family with
// fixed label names, rendered in the text exposition format (version 0.0.4).
//
// Hot path: Counter::Inc and Histogram::Observe are lock-free and allocation-free; their cells
// are sharded per thread (cache-line padded) and summed when rendered. Family::WithLabels looks a
// series up under a shared lock, building the key in a thread-local buffer (no allocation once
// warm); callers with fixed labels can keep the returned reference, which stays valid for the
// registry's lifetime. Label values should come from small, fixed sets: past `max_series` a family
// folds new label sets into one series whose values are all "_overflow".
//
// Thread safety: everything is safe to use from many threads at once.

#include <array>
#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cpa::server::http {

namespace metrics_internal {
inline constexpr size_t kShards = 8;
// This thread's shard, assigned round-robin on first use.
size_t ThreadShard() noexcept;
}  // namespace metrics_internal

class Counter {
 public:
  void Inc(uint64_t n = 1) noexcept {
    cells_[metrics_internal::ThreadShard()].v.fetch_add(n, std::memory_order_relaxed);
  }
  uint64_t Value() const noexcept;

 private:
  struct alignas(64) Cell {
    std::atomic<uint64_t> v{0};
  };
  std::array<Cell, metrics_internal::kShards> cells_;
};

class Gauge {
 public:
  void Set(int64_t v) noexcept { v_.store(v, std::memory_order_relaxed); }
  void Add(int64_t n = 1) noexcept { v_.fetch_add(n, std::memory_order_relaxed); }
  void Sub(int64_t n = 1) noexcept { v_.fetch_sub(n, std::memory_order_relaxed); }
  int64_t Value() const noexcept { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> v_{0};
};

class Histogram {
 public:
  // `bounds`: the finite upper bounds, ascending; +Inf is implicit.
  explicit Histogram(std::vector<double> bounds);
  void Observe(double value) noexcept;

  struct Snapshot {
    std::vector<uint64_t> cumulative;  // one per bound, then +Inf (== count)
    uint64_t count = 0;
    double sum = 0;
  };
  Snapshot Snap() const;
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  struct alignas(64) Shard {
    std::unique_ptr<std::atomic<uint64_t>[]> buckets;  // bounds_.size() + 1, non-cumulative
    std::atomic<double> sum{0};
  };
  std::vector<double> bounds_;
  std::array<Shard, metrics_internal::kShards> shards_;
};

// Buckets for request latencies in seconds: 100 µs .. 10 s.
std::vector<double> DefaultLatencyBuckets();

enum class MetricType { kCounter, kGauge, kHistogram };

class FamilyBase {
 public:
  FamilyBase(std::string name, std::string help, std::vector<std::string> label_names,
             MetricType type);
  virtual ~FamilyBase() = default;
  FamilyBase(const FamilyBase&) = delete;
  FamilyBase& operator=(const FamilyBase&) = delete;

  const std::string& name() const { return name_; }
  MetricType type() const { return type_; }
  const std::vector<std::string>& label_names() const { return label_names_; }
  // Appends this family in the text exposition format.
  void Render(std::string& out) const;
  void set_max_series(size_t n) { max_series_ = n; }

 protected:
  // The series for `values` (missing values are "", extra ones ignored), created on first use.
  void* FindOrCreate(std::span<const std::string_view> values);
  virtual std::shared_ptr<void> NewSeries() const = 0;
  virtual void RenderSeries(std::string& out, const std::string& labels,
                            const void* series) const = 0;

 private:
  struct Entry {
    std::string labels;  // rendered: a="x",b="y" (escaped)
    std::shared_ptr<void> series;
  };
  std::string name_;
  std::string help_;
  std::vector<std::string> label_names_;
  MetricType type_;
  size_t max_series_ = 10000;
  mutable std::shared_mutex mu_;
  std::map<std::string, Entry, std::less<>> series_;  // key: length-prefixed label values
};

template <typename Metric>
class Family : public FamilyBase {
 public:
  using FamilyBase::FamilyBase;
  Metric& WithLabels(std::initializer_list<std::string_view> values) {
    return *static_cast<Metric*>(FindOrCreate(std::span(values.begin(), values.size())));
  }
  Metric& WithLabels(std::span<const std::string_view> values) {
    return *static_cast<Metric*>(FindOrCreate(values));
  }
};

class CounterFamily : public Family<Counter> {
 public:
  CounterFamily(std::string name, std::string help, std::vector<std::string> label_names);

 protected:
  std::shared_ptr<void> NewSeries() const override;
  void RenderSeries(std::string& out, const std::string& labels, const void* s) const override;
};

class GaugeFamily : public Family<Gauge> {
 public:
  GaugeFamily(std::string name, std::string help, std::vector<std::string> label_names);

 protected:
  std::shared_ptr<void> NewSeries() const override;
  void RenderSeries(std::string& out, const std::string& labels, const void* s) const override;
};

class HistogramFamily : public Family<Histogram> {
 public:
  HistogramFamily(std::string name, std::string help, std::vector<std::string> label_names,
                  std::vector<double> bounds);

 protected:
  std::shared_ptr<void> NewSeries() const override;
  void RenderSeries(std::string& out, const std::string& labels, const void* s) const override;

 private:
  std::vector<double> bounds_;
};

class MetricsRegistry {
 public:
  // Families are identified by name. Adding a name that exists with the same type returns the
  // existing family (its help and labels unchanged); with another type, a detached family that
  // is never rendered. Families without labels render their single series even at zero.
  CounterFamily& AddCounter(std::string name, std::string help,
                            std::vector<std::string> label_names = {});
  GaugeFamily& AddGauge(std::string name, std::string help,
                        std::vector<std::string> label_names = {});
  HistogramFamily& AddHistogram(std::string name, std::string help,
                                std::vector<std::string> label_names,
                                std::vector<double> bounds = DefaultLatencyBuckets());

  // Every family, in registration order, in the text exposition format.
  std::string Render() const;

  // The content type of Render's output.
  static constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

 private:
  template <typename F, typename... Args>
  F& Add(MetricType type, std::string name, Args&&... args);

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<FamilyBase>> families_;
  std::vector<std::unique_ptr<FamilyBase>> detached_;
};

// Escapes a label value (backslash, double quote, newline) for the exposition format.
std::string EscapeLabelValue(std::string_view v);
// Formats a sample value as Prometheus expects ("+Inf", "-Inf", "NaN", shortest round-trip).
std::string FormatValue(double v);

}  // namespace cpa::server::http
