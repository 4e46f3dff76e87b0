"""Big rooms and storms: the runner's side of hubchat_storm (docs/benchmark.md).

Each storm gets a fresh relay pinned like every run (run.py's pinning(): relay
on the first core, the driver on the others) and one hubchat_storm process,
which holds the whole room on one epoll loop and prints JSON lines. The
runner owns the relay process: in the restart storm it stops it (SIGTERM,
waits for that pid to exit) and starts it again on the same port while the
driver's clients reconnect.

storm_test() asserts behaviour (closes per code, welcomes, missed notices,
replay, delivery) and prints one benchmark line (durations, bytes, loop
stall), which is written to the results too but never asserted.
"""

import json
import os
import selectors
import subprocess
import tempfile
import time
from pathlib import Path

import scale_out

# docs/benchmark.md: the relay flags a 10,000-member room needs.
STORM_RELAY_FLAGS = {"--max-connections": "20000", "--max-connections-per-ip": "20000"}
# The flood runs with the relay's own request budget (burst 60, 20/s).
FLOOD_RELAY_FLAGS = {**STORM_RELAY_FLAGS, "--rate-limit": None}
RATE_BURST = 60  # the relay's --rate-burst default
WELCOME_PAGE = 200  # docs/PROTOCOL.md: at most 200 nicks in a welcome
MAX_NICK_BYTES = 32
# A page of the longest nicks, quoted and comma-separated, plus the fixed
# fields (type, room, nick, epoch, seq, first, count, more): a bound that does
# not depend on the room's size. The old welcome listed every member.
WELCOME_MAX_BYTES = WELCOME_PAGE * (MAX_NICK_BYTES + 3) + 512
RELAY_MAX_FRAME_BYTES = 16 * 1024  # the relay's --max-frame-bytes default
# Handshakes get 30 s: under ctest -j2 beside other suites, accepting 10,000
# connections can be slow, and a slow accept is not what these tests are about.
STOP_TIMEOUT_S = 30.0
DRIVER_ARGS = ["--max-handshakes", "256", "--handshake-timeout", "30"]
JOIN_TIMEOUT_S = 40
RESUME_TIMEOUT_S = 40
# How long the runner waits for the driver's result beyond its own deadlines.
DRIVER_SLACK_S = 60


def log(*parts):
    print("[storm]", *parts, flush=True)


def cores_of(pid):
    """The cores a process may run on (/proc/PID/status Cpus_allowed_list), or "?"."""
    return scale_out.cores_of(pid) or "?"


class Driver:
    """One hubchat_storm process; its stdout is read line by line with deadlines."""

    def __init__(self, cfg, scenario, port, clients, extra=()):
        cmd = cfg.gen_pin + [str(cfg.storm_driver), "--scenario", scenario, "--port", str(port),
                             "--clients", str(clients), "--join-timeout", str(JOIN_TIMEOUT_S),
                             "--resume-timeout", str(RESUME_TIMEOUT_S),
                             "--source-ips", str(cfg.storm_source_ips), *DRIVER_ARGS, *extra]
        self.errors = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.errors)
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.proc.stdout, selectors.EVENT_READ)
        # The driver's first line: by then taskset has pinned and exec'd it.
        self.started = self.read_json(10, lambda line: line.get("event") == "started")

    def read_json(self, timeout_s, wanted):
        """The first JSON line satisfying wanted(line), or None at the deadline or exit."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if not self.selector.select(timeout=max(0.0, deadline - time.monotonic())):
                continue
            raw = self.proc.stdout.readline()
            if not raw:
                return None  # the driver exited
            try:
                line = json.loads(raw)
            except ValueError:
                continue
            if wanted(line):
                return line
        return None

    def finish(self):
        """Waits a little for the driver to exit, kills it if it does not; stderr's tail."""
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.selector.close()
        self.errors.seek(0)
        return self.errors.read().decode(errors="replace")[-2000:]


def is_result(line):
    return "scenario" in line


def placement(relay, driver):
    return {"relay_cores": cores_of(relay.pid), "driver_cores": cores_of(driver.proc.pid)}


# ---------------------------------------------------------------- the storms

def run_restart(cfg, start_relay, port, clients):
    record = {"storm": "restart", "clients": clients, "relay_flags": STORM_RELAY_FLAGS}
    relay = start_relay(port, STORM_RELAY_FLAGS)
    driver = Driver(cfg, "restart", port, clients)
    record.update(placement(relay, driver))
    try:
        joined = driver.read_json(JOIN_TIMEOUT_S + DRIVER_SLACK_S, lambda l: "event" in l)
        record["joined_line"] = joined
        if joined is None:
            return record
        stop_began = time.monotonic()
        # Closing 10,000 clients (each reconnecting at once) takes seconds on a
        # busy machine; the stop time is part of the benchmark line.
        record["relay_stderr_first_run"] = relay.stop(timeout_s=STOP_TIMEOUT_S)
        record["relay_exit"] = relay.proc.returncode
        record["relay_stop_s"] = round(time.monotonic() - stop_began, 3)
        started_ns = time.monotonic_ns()  # the driver's clock: CLOCK_MONOTONIC too
        relay = start_relay(port, STORM_RELAY_FLAGS)
        record["relay_listening_s"] = round((time.monotonic_ns() - started_ns) / 1e9, 3)
        record["relay_cores_restarted"] = cores_of(relay.pid)
        result = driver.read_json(RESUME_TIMEOUT_S + DRIVER_SLACK_S, is_result)
        record["result"] = result
        if result and result.get("last_resume_ns"):
            record["storm_s"] = round((result["last_resume_ns"] - started_ns) / 1e9, 3)
    finally:
        record["driver_stderr"] = driver.finish()
        record["relay_stderr"] = relay.stop()
    return record


def run_simple(cfg, start_relay, port, clients, storm, flags, extra=()):
    """A storm that needs nothing from the runner while it runs (presence, flood)."""
    record = {"storm": storm, "clients": clients, "relay_flags": flags}
    relay = start_relay(port, flags)
    driver = Driver(cfg, storm, port, clients, extra)
    record.update(placement(relay, driver))
    try:
        record["result"] = driver.read_json(JOIN_TIMEOUT_S + 2 * DRIVER_SLACK_S, is_result)
    finally:
        record["driver_stderr"] = driver.finish()
        record["relay_stderr"] = relay.stop()
    return record


# ---------------------------------------------------------------- checks

def codes(closes, allowed=()):
    """Closes by code (JSON keys: strings) that are not allowed, as 'code xN' strings."""
    allowed = {str(code) for code in allowed}
    return [f"{code} x{n}" for code, n in sorted(closes.items()) if code not in allowed and n]


def welcome_problems(r, prefix=""):
    problems = []
    if r["welcome_largest_line_bytes"] > WELCOME_MAX_BYTES:
        problems.append(f"{prefix}welcome of {r['welcome_largest_line_bytes']} bytes "
                        f"(bound {WELCOME_MAX_BYTES})")
    if r["welcome_largest_frame_bytes"] > RELAY_MAX_FRAME_BYTES:
        problems.append(f"{prefix}a welcome came in a frame of {r['welcome_largest_frame_bytes']} "
                        f"bytes (bound {RELAY_MAX_FRAME_BYTES})")
    if r["welcome_max_members"] > WELCOME_PAGE or r["welcome_bad_pages"]:
        problems.append(f"{prefix}welcome pages: {r['welcome_bad_pages']} wrong, longest "
                        f"{r['welcome_max_members']} nicks")
    return problems


def stream_problems(r, prefix):
    problems = []
    for key in ("protocol_errors", "decode_errors", "gave_up"):
        if r[prefix + key]:
            problems.append(f"{prefix}{key}={r[prefix + key]}")
    return problems


def check_restart(record):
    r, n = record.get("result"), record["clients"]
    if not r:
        return ["no result (joined line: %s)" % record.get("joined_line")]
    problems = welcome_problems(r)
    if r["joined"] != n:
        problems.append(f"{r['joined']} of {n} welcomed before the restart")
    if r["last_welcome_count"] != n:
        problems.append(f"count in the last welcome is {r['last_welcome_count']}, not {n}")
    if r["clients_holding_since"] != n or not r["since_at_restart"]:
        problems.append(f"{r['clients_holding_since']} of {n} clients hold seq "
                        f"{r['since_at_restart']} (the last message) to resume from")
    if codes(r["join_closes"]) or r["join_hangups"]:
        problems.append(f"closed while joining: {codes(r['join_closes'])}, "
                        f"hangups {r['join_hangups']}")
    if record.get("relay_exit") != 0:
        problems.append(f"relay exit status {record.get('relay_exit')} on SIGTERM")
    if r["resumed"] != n or r["missed_restart"] != n:
        problems.append(f"resumed {r['resumed']} of {n} (new welcomes {r['new_welcomes']}, "
                        f"missed restart {r['missed_restart']})")
    bad = codes(r["storm_closes"], allowed=(1001,)) + codes(r["closes_after_storm"])
    if bad:
        problems.append(f"closed during the storm: {bad}")
    if r["resume_welcome_largest_line_bytes"] > WELCOME_MAX_BYTES or r["resume_welcome_bad_pages"]:
        problems.append("welcome after the restart out of bounds")
    return problems + stream_problems(r, "join_") + stream_problems(r, "storm_")


def check_presence(record):
    r, n = record.get("result"), record["clients"]
    if not r:
        return ["no result"]
    if not r["filled"]:
        return [f"the room was not filled (top seq {r['top_seq']})"]
    problems = welcome_problems(r)
    if r["crowd_welcomed"] != n:
        problems.append(f"{r['crowd_welcomed']} of {n} welcomed")
    if r["all_closes"] or r["all_hangups"] or r["crowd_ended"] or r["all_connect_failures"]:
        problems.append(f"closed: {codes(r['all_closes'])}, hangups {r['all_hangups']}, "
                        f"connect failures {r['all_connect_failures']}")
    if r["crowd_seq_moved"]:
        problems.append(f"{r['crowd_seq_moved']} welcomes did not show the top seq "
                        f"{r['top_seq']} (presence took seqs)")
    if r["crowd_replayed"]:
        problems.append(f"{r['crowd_replayed']} messages replayed to clients that joined at the top")
    top, fill = r["top_seq"], r["fill"]
    if (r["late_msgs"], r["late_gaps"], r["late_first_seq"], r["late_last_seq"]) != \
            (fill, 0, top - fill + 1, top):
        problems.append(f"late joiner got {r['late_msgs']} messages, seqs {r['late_first_seq']}.."
                        f"{r['late_last_seq']} with {r['late_gaps']} gaps; want {fill}, "
                        f"{top - fill + 1}..{top}")
    return problems + stream_problems(r, "all_")


def check_flood(record):
    r, n = record.get("result"), record["clients"]
    if not r:
        return ["no result"]
    problems = welcome_problems(r)
    receivers = n - 1
    if r["joined"] != receivers:
        problems.append(f"{r['joined']} of {receivers} members welcomed")
    if r["receivers_complete"] != receivers or r["gaps"] or r["duplicates"]:
        problems.append(f"{r['receivers_complete']} of {receivers} got all {r['sent']} messages "
                        f"(fewest {r['min_received']}, gaps {r['gaps']}, duplicates "
                        f"{r['duplicates']})")
    if r["sent_during_attack"] < 2 or r["sent_after_attack"] < 1:
        problems.append(f"sender: {r['sent_during_attack']} messages during the attack, "
                        f"{r['sent_after_attack']} after it")
    if r["other_closes"] or r["others_ended"]:
        problems.append(f"{r['others_ended']} members other than the attacker ended "
                        f"({r['other_closes']} close frames)")
    if r["max_attacker_changes_seen"] >= RATE_BURST:
        problems.append(f"a member saw {r['max_attacker_changes_seen']} presence changes of the "
                        f"attacker (limit: fewer than {RATE_BURST})")
    return problems + stream_problems(r, "attack_")


# ---------------------------------------------------------------- benchmark lines

def mib(value):
    return "n/a" if value is None else f"{value / (1 << 20):.1f} MiB"


def seconds(value):
    return "n/a" if value is None else f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def where(record):
    return (f"relay on core(s) {record.get('relay_cores')}"
            + (f" (restarted: {record['relay_cores_restarted']})"
               if "relay_cores_restarted" in record else "")
            + f", driver on core(s) {record.get('driver_cores')}")


def line_restart(record):
    r = record.get("result") or {}
    return (f"restart storm, {record['clients']} lossless clients: relay start -> last welcome "
            f"{seconds(record.get('storm_s'))} (stop {seconds(record.get('relay_stop_s'))}, "
            f"listening after {seconds(record.get('relay_listening_s'))}); relay sent "
            f"{mib(r.get('relay_bytes_out_at_last_welcome'))} by the last welcome, "
            f"{mib(r.get('relay_bytes_out_settled'))} once presence settled (/metrics "
            f"hubchat_bytes_out_total); clients read {mib(r.get('bytes_in_to_last_welcome'))} / "
            f"{mib(r.get('bytes_in_to_settled'))}; {r.get('storm_attempts')} connection attempts "
            f"({r.get('storm_connect_failures')} failed); join of the room "
            f"{seconds(r.get('join_s'))}, largest welcome {r.get('welcome_largest_line_bytes')} B; "
            f"{where(record)}")


def line_presence(record):
    r = record.get("result") or {}
    n = record["clients"]
    per_client = (r.get("ramp_bytes_in", 0) / n) if r else 0
    events = (r.get("crowd_presence_summaries", 0) + r.get("crowd_presence_itemized", 0)) / n
    return (f"presence storm, {n} clients into a room of {r.get('fill')} messages: ramp "
            f"{seconds(r.get('ramp_s'))}, {per_client:.0f} B and {events:.1f} presence events per "
            f"client ({r.get('crowd_presence_summaries')} summaries, "
            f"{r.get('crowd_presence_itemized')} itemized in all); relay sent "
            f"{mib(r.get('relay_bytes_out_at_ramp_end'))} by the ramp's end; late joiner got "
            f"{r.get('late_msgs')} messages; {where(record)}")


def line_flood(record):
    r = record.get("result") or {}
    stalls = [r.get(k) for k in ("stall_nick_s", "stall_join_s") if r.get(k) is not None]
    worst = seconds(max(stalls)) if stalls else "n/a"
    return (f"flood, {record['clients']}-member room, {r.get('attack_requests')} nicks + "
            f"{r.get('attack_requests')} joins in one frame each: longest loop stall {worst} "
            f"(hubchat_loop_stall_max_seconds; nick frame {seconds(r.get('stall_nick_s'))}, join "
            f"frame {seconds(r.get('stall_join_s'))}; a second of the regular sender alone "
            f"{seconds(r.get('stall_sender_only_s'))}, the room's join before "
            f"{seconds(r.get('stall_before_s'))}); "
            f"attacker closes {r.get('attacker_closes')}, frames handled in "
            f"{seconds(r.get('attack_nick_s'))} / {seconds(r.get('attack_join_s'))}; "
            f"{where(record)}")


STORMS = {
    "restart": (lambda cfg, start, port, n: run_restart(cfg, start, port, n), check_restart,
                line_restart),
    "presence": (lambda cfg, start, port, n: run_simple(cfg, start, port, n, "presence",
                                                       STORM_RELAY_FLAGS),
                 check_presence, line_presence),
    "flood": (lambda cfg, start, port, n: run_simple(cfg, start, port, n, "flood",
                                                    FLOOD_RELAY_FLAGS),
              check_flood, line_flood),
}


def storm_test(cfg, name, start_relay, port, clients):
    """Runs one storm, writes storm-NAME.json into cfg.out, prints the benchmark
    line and the verdict. Returns the exit status (0: every check passed)."""
    run, check, line = STORMS[name]
    load_before = os.getloadavg()[0]
    try:
        record = run(cfg, start_relay, port, clients)
    except RuntimeError as error:  # the relay did not (re)start on its port
        record = {"storm": name, "clients": clients, "error": str(error)}
    # Other work on the two cores stretches every duration here: say how busy they were.
    record["loadavg_1min"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    record["problems"] = [record["error"]] if "error" in record else check(record)
    record["benchmark"] = line(record)
    (Path(cfg.out) / f"storm-{name}.json").write_text(json.dumps(record, indent=1))
    log("benchmark:", record["benchmark"], f"(load average {record['loadavg_1min'][0]} -> "
        f"{record['loadavg_1min'][1]})")
    if record["problems"]:
        for stream in ("driver_stderr", "relay_stderr"):
            if record.get(stream):
                log(f"{stream}:", record[stream][-800:])
    status = "ok" if not record["problems"] else "FAILED: " + "; ".join(record["problems"])
    print(f"bench_storm_{name}: {status}", flush=True)
    return 1 if record["problems"] else 0


def storm_summary(out_dir):
    """The benchmark lines of the storms found in out_dir (for results.md)."""
    lines = []
    for name in STORMS:
        path = Path(out_dir) / f"storm-{name}.json"
        if path.exists():
            record = json.loads(path.read_text())
            verdict = "ok" if not record["problems"] else "FAILED"
            lines.append(f"- {record['benchmark']} ({verdict})")
    return lines


if __name__ == "__main__":
    raise SystemExit("run it through run.py --storm NAME")
