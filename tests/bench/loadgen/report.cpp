// JSON report of a run (see report.hpp).
#include "tests/bench/loadgen/report.hpp"

#include <optional>
#include <string>

#include "tests/bench/loadgen/json_line.hpp"

namespace hubchat::bench {
namespace {

double us(std::uint64_t ns) {
  return static_cast<double>(ns) / 1000.0;
}

// One process's CPU over the window as `<who>_cpu_s`, `<who>_cpu_util` and
// `<who>_cpu_per_delivery_us`; null for all three when it was not sampled.
void cpu_fields(JsonLine& j, const std::string& who, std::optional<double> cpu_s, double window_s,
                std::uint64_t deliveries) {
  const std::string s = who + "_cpu_s", util = who + "_cpu_util",
                    per = who + "_cpu_per_delivery_us";
  if (!cpu_s) {
    j.null(s.c_str()).null(util.c_str()).null(per.c_str());
    return;
  }
  j.num(s.c_str(), *cpu_s);
  j.num(util.c_str(), window_s > 0 ? *cpu_s / window_s : 0);
  j.num(per.c_str(), deliveries ? *cpu_s * 1e6 / static_cast<double>(deliveries) : 0);
}

}  // namespace

std::string report_json(const Options& o, const ScenarioResult& r) {
  const Stats& s = r.stats;
  const Samples& m = r.samples;
  JsonLine j;
  j.str("label", o.label);
  j.str("mode", o.mode == Mode::fanout ? "fanout" : "idle");
  j.str("dialect", o.dialect == Dialect::lossless ? "lossless" : "legacy");
  j.integer("clients", o.clients).integer("connected", s.connected);
  j.integer("connect_failures", s.connect_failures).num("connect_s", m.connect_s);
  j.integer("threads", o.threads);
  // Joins completed per second while connecting (lossless: welcomes): what a
  // join costs, with tokens (--token-key) or without.
  j.boolean("tokens", !o.token_key.empty());
  j.num("joins_per_s", m.connect_s > 0 ? static_cast<double>(s.connected) / m.connect_s : 0);
  JsonLine closes;
  for (const auto& [code, n] : s.closes) closes.integer(std::to_string(code).c_str(), n);
  const std::uint64_t dropped = s.closes_total() + s.hangups + s.protocol_errors;
  if (o.mode == Mode::fanout) {
    j.integer("senders", o.senders).num("rate_per_sender", o.rate);
    j.integer("window", o.rate > 0 ? 0 : o.window).integer("message_bytes", o.message_bytes);
    j.num("warmup_s", o.warmup_s).num("duration_s", m.window_s);
    if (o.rate > 0)
      j.num("offered_deliveries_per_s", o.rate * static_cast<double>(o.senders * o.clients));
    else
      j.null("offered_deliveries_per_s");
    const std::uint64_t expected = s.sent_in_window * s.connected;
    const std::uint64_t lost =
        expected > s.delivered_in_window ? expected - s.delivered_in_window : 0;
    j.integer("sent", s.sent).integer("sent_in_window", s.sent_in_window);
    j.integer("expected", expected).integer("delivered_in_window", s.delivered_in_window);
    j.integer("lost", lost).num("loss_ratio", expected ? static_cast<double>(lost) / expected : 0);
    j.integer("gaps", s.gaps).integer("missing", s.missing);
    j.integer("out_of_order", s.out_of_order).integer("duplicates", s.duplicates);
    j.integer("foreign", s.foreign).integer("other_events", s.other_events);
    const double rate = m.window_s > 0 ? static_cast<double>(s.received_in_window) / m.window_s : 0;
    j.num("deliveries_per_s", rate)
        .num("msgs_per_s_sent", m.window_s > 0 ? s.sent_in_window / m.window_s : 0);
    const LatencyHistogram& h = s.latency;
    JsonLine lat;
    lat.num("p50", us(h.percentile(0.50))).num("p90", us(h.percentile(0.90)));
    lat.num("p99", us(h.percentile(0.99))).num("p999", us(h.percentile(0.999)));
    lat.num("max", us(h.max())).num("mean", h.mean() / 1000.0).integer("count", h.count());
    j.raw("latency_us", lat.done());
    j.integer("frames", s.frames).integer("frames_in_window", s.frames_in_window);
    j.integer("largest_frame_bytes", s.largest_frame);
    j.num("msgs_per_frame",
          s.frames_in_window ? static_cast<double>(s.received_in_window) / s.frames_in_window : 0);
    j.integer("bytes_in", s.bytes).num("max_send_lag_us", us(s.max_send_lag_ns));
    cpu_fields(j, "loadgen", m.self_cpu_s, m.window_s, s.received_in_window);
    cpu_fields(j, "server", m.server_cpu_s, m.window_s, s.received_in_window);
    // The broker's fields are left out, not null, when there is no broker.
    if (m.broker_cpu_s) cpu_fields(j, "broker", m.broker_cpu_s, m.window_s, s.received_in_window);
  } else {
    j.num("hold_s", m.window_s);
  }
  if (m.server_rss_before)
    j.integer("server_rss_before", static_cast<std::uint64_t>(*m.server_rss_before));
  else
    j.null("server_rss_before");
  if (m.server_rss_after)
    j.integer("server_rss_after", static_cast<std::uint64_t>(*m.server_rss_after));
  else
    j.null("server_rss_after");
  if (m.server_rss_settled)
    j.integer("server_rss_settled", static_cast<std::uint64_t>(*m.server_rss_settled));
  if (m.server_rss_before && m.server_rss_after && s.connected)
    j.num("rss_per_conn_bytes",
          static_cast<double>(*m.server_rss_after - *m.server_rss_before) / s.connected);
  else
    j.null("rss_per_conn_bytes");
  j.raw("closes", closes.done()).integer("hangups", s.hangups);
  j.integer("protocol_errors", s.protocol_errors).integer("dropped", dropped);
  j.integer("pings", s.pings);
  return j.done();
}

}  // namespace hubchat::bench
