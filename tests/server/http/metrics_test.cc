#include "server/http/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <thread>
#include <vector>

namespace cpa::server::http {
namespace {

TEST(Metrics, CounterSumsAcrossThreads) {
  MetricsRegistry reg;
  CounterFamily& f = reg.AddCounter("t_total", "Test.", {"service", "outcome"});
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      Counter& c = f.WithLabels({"iam", "success"});
      for (int i = 0; i < 10000; ++i) {
        c.Inc();
        f.WithLabels({"sts", "success"}).Inc(2);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(f.WithLabels({"iam", "success"}).Value(), 80000u);
  EXPECT_EQ(f.WithLabels({"sts", "success"}).Value(), 160000u);
  EXPECT_EQ(&f.WithLabels({"iam", "success"}), &f.WithLabels({"iam", "success"}));
  // Values that concatenate alike stay apart.
  EXPECT_NE(&f.WithLabels({"ab", "c"}), &f.WithLabels({"a", "bc"}));
}

TEST(Metrics, RenderTextFormat) {
  MetricsRegistry reg;
  CounterFamily& c = reg.AddCounter("req_total", "Requests\\served\nnow.", {"op"});
  c.WithLabels({"b\"q\\\n"}).Inc(3);
  c.WithLabels({"a"}).Inc();
  reg.AddGauge("open", "Open.").WithLabels({}).Set(-2);
  reg.AddCounter("zero_total", "Zero.");
  EXPECT_EQ(reg.Render(),
            "# HELP req_total Requests\\\\served\\nnow.\n"
            "# TYPE req_total counter\n"
            "req_total{op=\"a\"} 1\n"
            "req_total{op=\"b\\\"q\\\\\\n\"} 3\n"
            "# HELP open Open.\n"
            "# TYPE open gauge\n"
            "open -2\n"
            "# HELP zero_total Zero.\n"
            "# TYPE zero_total counter\n"
            "zero_total 0\n");
}

TEST(Metrics, Histogram) {
  MetricsRegistry reg;
  HistogramFamily& h = reg.AddHistogram("lat_seconds", "Latency.", {"service"}, {0.1, 0.5, 1});
  Histogram& iam = h.WithLabels({"iam"});
  iam.Observe(0.05);
  iam.Observe(0.1);  // le is inclusive
  iam.Observe(0.3);
  iam.Observe(7);
  Histogram::Snapshot s = iam.Snap();
  EXPECT_EQ(s.cumulative, (std::vector<uint64_t>{2, 3, 3, 4}));
  EXPECT_EQ(s.count, 4u);
  EXPECT_NEAR(s.sum, 7.45, 1e-9);
  EXPECT_EQ(reg.Render(),
            "# HELP lat_seconds Latency.\n"
            "# TYPE lat_seconds histogram\n"
            "lat_seconds_bucket{service=\"iam\",le=\"0.1\"} 2\n"
            "lat_seconds_bucket{service=\"iam\",le=\"0.5\"} 3\n"
            "lat_seconds_bucket{service=\"iam\",le=\"1\"} 3\n"
            "lat_seconds_bucket{service=\"iam\",le=\"+Inf\"} 4\n"
            "lat_seconds_sum{service=\"iam\"} 7.45\n"
            "lat_seconds_count{service=\"iam\"} 4\n");
}

TEST(Metrics, HistogramConcurrent) {
  Histogram h(DefaultLatencyBuckets());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5000; ++i) h.Observe(0.001);
    });
  }
  for (auto& th : threads) th.join();
  auto s = h.Snap();
  EXPECT_EQ(s.count, 20000u);
  EXPECT_NEAR(s.sum, 20.0, 1e-6);
}

TEST(Metrics, RegistryDeduplicatesAndOverflows) {
  MetricsRegistry reg;
  CounterFamily& a = reg.AddCounter("x_total", "X.", {"k"});
  CounterFamily& b = reg.AddCounter("x_total", "Other help.", {"k"});
  EXPECT_EQ(&a, &b);
  GaugeFamily& g = reg.AddGauge("x_total", "Clash.");
  g.WithLabels({}).Set(5);  // detached: usable, never rendered
  EXPECT_EQ(reg.Render().find("Clash"), std::string::npos);

  a.set_max_series(2);
  a.WithLabels({"1"}).Inc();
  a.WithLabels({"2"}).Inc();
  a.WithLabels({"3"}).Inc();
  a.WithLabels({"4"}).Inc();
  std::string text = reg.Render();
  EXPECT_NE(text.find("x_total{k=\"_overflow\"} 2\n"), std::string::npos) << text;
  // Missing label values are empty.
  CounterFamily& m = reg.AddCounter("m_total", "M.", {"a", "b"});
  m.WithLabels({"only"}).Inc();
  EXPECT_NE(reg.Render().find("m_total{a=\"only\",b=\"\"} 1\n"), std::string::npos);
}

TEST(Metrics, FormatValue) {
  EXPECT_EQ(FormatValue(0.005), "0.005");
  EXPECT_EQ(FormatValue(10), "10");
  EXPECT_EQ(FormatValue(INFINITY), "+Inf");
  EXPECT_EQ(FormatValue(-INFINITY), "-Inf");
  EXPECT_EQ(FormatValue(NAN), "NaN");
  EXPECT_EQ(EscapeLabelValue("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

}  // namespace
}  // namespace cpa::server::http
