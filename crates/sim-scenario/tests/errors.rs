//! Broken scenarios: one row per rule of SCENARIO.md "Validation rules", each checked for
//! the error's kind, line, column, key path and a fragment of its message (and of its hint
//! where the hint is the point). All rows are checked before the test fails, so one run
//! lists every mismatch.

use sim_scenario::{ScenarioError, parse_str};

/// Lines 1-3 of most cases; what follows starts on line 4.
const BASE: &str = "[cluster]\nnodes = 3\nmode = \"sync\"\n";

/// `BASE` then `rest`.
fn b(rest: &str) -> String {
    format!("{BASE}{rest}")
}

/// `BASE`, a `[[faults.schedule]]` header on line 4, then `body` from line 5.
fn sched(body: &str) -> String {
    format!("{BASE}[[faults.schedule]]\n{body}")
}

struct Case {
    name: &'static str,
    text: String,
    line: usize,
    column: usize,
    /// "" for no key (syntax errors).
    key: &'static str,
    kind: &'static str,
    message: &'static str,
    /// "" when the hint is not checked.
    hint: &'static str,
}

#[rustfmt::skip]
fn cases() -> Vec<Case> {
    let c = |name, text: String, line, column, key, kind, message, hint| Case {
        name, text, line, column, key, kind, message, hint,
    };
    vec![
        // Syntax.
        c("unclosed header", "[cluster\nnodes = 3\n".into(), 1, 9, "", "Syntax", "unclosed table, expected `]`", ""),
        c("duplicate key", b("nodes = 4\n"), 4, 1, "", "Syntax", "duplicate key `nodes`", ""),
        c("unquoted string", b("bug = none\n"), 4, 7, "", "Syntax", "invalid float", "if it is a string, quote it: \"none\""),
        // Unknown keys, at every level.
        c("unknown top-level key", format!("colour = 1\n{BASE}"), 1, 1, "colour", "UnknownKey", "unknown key", "expected one of \"name\""),
        c("unknown section", b("[clusters]\nx = 1\n"), 4, 2, "clusters", "UnknownKey", "unknown key", "did you mean \"cluster\"?"),
        c("unknown raft key", b("[raft]\nheartbeat_interval = 5\n"), 5, 1, "raft.heartbeat_interval", "UnknownKey", "unknown key", "did you mean \"heartbeat_interval_ms\"?"),
        c("key of another section", b("heartbeat_interval_ms = 5\n"), 4, 1, "cluster.heartbeat_interval_ms", "UnknownKey", "unknown key", "belongs in [raft]"),
        c("top-level key inside a table", b("name = \"x\"\n"), 4, 1, "cluster.name", "UnknownKey", "unknown key", "top-level key"),
        c("unknown schedule key", sched("at_ms = 1\naction = \"crash\"\nnod = 1\n"), 7, 1, "faults.schedule[0].nod", "UnknownKey", "unknown key", "did you mean \"node\"?"),
        c("unknown latency key", b("[disk]\nwrite_latency_us = { dist = \"uniform\", min = 1, maxx = 2 }\n"), 5, 49, "disk.write_latency_us.maxx", "UnknownKey", "unknown key", "did you mean \"max\"?"),
        c("unknown range key", b("[raft]\nelection_timeout_ms = { min = 1, mx = 2 }\n"), 5, 34, "raft.election_timeout_ms.mx", "UnknownKey", "unknown key", "did you mean \"max\"?"),
        // Wrong types.
        c("string for a boolean", b("[network]\nreorder = \"yes\"\n"), 5, 11, "network.reorder", "WrongType", "expected a boolean (true or false), found the string \"yes\"", ""),
        c("quoted boolean", b("[network]\nreorder = \"true\"\n"), 5, 11, "network.reorder", "WrongType", "expected a boolean", "remove the quotes: true"),
        c("float for an integer", "[cluster]\nnodes = 3.0\nmode = \"sync\"\n".into(), 2, 9, "cluster.nodes", "WrongType", "expected an integer, found the float 3.0", "write 3"),
        c("string for an integer", b("[run]\nseeds = \"3\"\n"), 5, 9, "run.seeds", "WrongType", "found the string \"3\"", "remove the quotes: 3"),
        c("string for a number", b("[network]\ndrop_rate = \"0.1\"\n"), 5, 13, "network.drop_rate", "WrongType", "expected a number", "remove the quotes"),
        c("integer for a string", "name = 5\n[cluster]\nnodes = 3\nmode = \"sync\"\n".into(), 1, 8, "name", "WrongType", "expected a string, found the integer 5", ""),
        c("array for a string", "description = [\"a\"]\n[cluster]\nnodes = 1\nmode = \"sync\"\n".into(), 1, 15, "description", "WrongType", "found an array", ""),
        c("cluster is not a table", "cluster = 3\n".into(), 1, 11, "cluster", "WrongType", "expected a table", ""),
        c("top-level section not a table", format!("raft = 5\n{BASE}"), 1, 8, "raft", "WrongType", "expected a table, found the integer 5", ""),
        c("section key inside [cluster]", b("raft = 5\n"), 4, 1, "cluster.raft", "UnknownKey", "unknown key", "is a top-level key"),
        c("float timeout", b("[workload]\nrequest_timeout_ms = 10.5\n"), 5, 22, "workload.request_timeout_ms", "WrongType", "expected an integer", "without a decimal point"),
        c("schedule is a table", b("[faults.schedule]\nat_ms = 1\n"), 4, 1, "faults.schedule", "WrongType", "expected an array of tables", ""),
        c("schedule entry not a table", b("[faults]\nschedule = [1]\n"), 5, 13, "faults.schedule[0]", "WrongType", "expected a table, found the integer 1", ""),
        c("latency is a string", b("[disk]\nwrite_latency_us = \"5us\"\n"), 5, 20, "disk.write_latency_us", "WrongType", "expected a number or a latency table", ""),
        c("float range", b("[raft]\nelection_timeout_ms = 150.0\n"), 5, 23, "raft.election_timeout_ms", "WrongType", "expected an integer or a range", ""),
        c("float in a range table", b("[faults]\nrestart_delay_ms = { min = 1.5, max = 3 }\n"), 5, 28, "faults.restart_delay_ms.min", "WrongType", "expected an integer, found the float 1.5", ""),
        c("float at_ms", sched("at_ms = 1.0\naction = \"heal\"\n"), 5, 9, "faults.schedule[0].at_ms", "WrongType", "expected an integer", "write 1"),
        // Numbers out of range.
        c("too many nodes", "[cluster]\nnodes = 12\nmode = \"sync\"\n".into(), 2, 9, "cluster.nodes", "OutOfRange", "must be in 1..=9, got 12", "1 to 9 nodes"),
        c("CRLF line endings", "[cluster]\r\nnodes = 0\r\nmode = \"sync\"\r\n".into(), 2, 9, "cluster.nodes", "OutOfRange", "must be in 1..=9, got 0", ""),
        c("after multi-byte characters", "description = \"débit élevé\"\n[cluster]\nnodes = 3\nmode = \"sync\"\nbug = 1\n".into(), 5, 7, "cluster.bug", "WrongType", "expected a string", ""),
        c("zero nodes", "[cluster]\nnodes = 0\nmode = \"sync\"\n".into(), 2, 9, "cluster.nodes", "OutOfRange", "must be in 1..=9, got 0", ""),
        c("nan", b("[network]\ndrop_rate = nan\n"), 5, 13, "network.drop_rate", "OutOfRange", "must be a finite number, got NaN", ""),
        c("inf latency", b("[disk]\nflush_latency_ms = { dist = \"constant\", value = inf }\n"), 5, 49, "disk.flush_latency_ms.value", "OutOfRange", "must be a finite number", ""),
        c("-inf rate", b("[faults]\npartition_rate_per_s = -inf\n"), 5, 24, "faults.partition_rate_per_s", "OutOfRange", "must be a finite number", ""),
        c("probability above 1", b("[disk]\nfsync_error_rate = 1.5\n"), 5, 20, "disk.fsync_error_rate", "OutOfRange", "must be in [0, 1], got 1.5", ""),
        c("negative probability", b("[workload]\nread_fraction = -0.1\n"), 5, 17, "workload.read_fraction", "OutOfRange", "must be in [0, 1]", ""),
        c("negative rate", b("[faults]\ncrash_rate_per_s = -0.5\n"), 5, 20, "faults.crash_rate_per_s", "OutOfRange", "must be >= 0, got -0.5", ""),
        c("negative write rate", b("[workload]\nwrite_rate_per_s = -1\n"), 5, 20, "workload.write_rate_per_s", "OutOfRange", "must be >= 0", ""),
        c("negative latency", b("[disk]\nwrite_latency_us = -5\n"), 5, 20, "disk.write_latency_us", "OutOfRange", "must be >= 0, got -5", ""),
        c("huge latency", b("[network]\nlatency_ms = 1e306\n"), 5, 14, "network.latency_ms", "OutOfRange", "is not a usable latency", ""),
        c("zero heartbeat", b("[raft]\nheartbeat_interval_ms = 0\n"), 5, 25, "raft.heartbeat_interval_ms", "OutOfRange", "must be at least 1, got 0", ""),
        c("zero batch", b("[raft]\nmax_append_batch = 0\n"), 5, 20, "raft.max_append_batch", "OutOfRange", "must be at least 1", ""),
        c("batch above u32", b("[raft]\nmax_append_batch = 4294967296\n"), 5, 20, "raft.max_append_batch", "OutOfRange", "must be at most 4294967295, got 4294967296", ""),
        c("zero keys", b("[workload]\nkeys = 0\n"), 5, 8, "workload.keys", "OutOfRange", "must be at least 1", ""),
        c("negative clients", b("[workload]\nclients = -1\n"), 5, 11, "workload.clients", "OutOfRange", "got -1", ""),
        c("zero request timeout", b("[workload]\nrequest_timeout_ms = 0\n"), 5, 22, "workload.request_timeout_ms", "OutOfRange", "must be at least 1", ""),
        c("zero duration", b("[run]\nduration_ms = 0\n"), 5, 15, "run.duration_ms", "OutOfRange", "must be at least 1", ""),
        c("zero seeds", b("[run]\nseeds = 0\n"), 5, 9, "run.seeds", "OutOfRange", "must be at least 1", ""),
        c("zero max_events", b("[run]\nmax_events = 0\n"), 5, 14, "run.max_events", "OutOfRange", "must be at least 1", ""),
        c("negative heal", b("[run]\nheal_ms = -5\n"), 5, 11, "run.heal_ms", "OutOfRange", "must be at least 0", ""),
        c("negative seed", b("[run]\nseed = -1\n"), 5, 8, "run.seed", "OutOfRange", "must be in 0..=2^63-1 (TOML integers are signed), got -1", "--seed"),
        c("seed beyond i64", b("[run]\nseed = 9223372036854775808\n"), 5, 8, "run.seed", "OutOfRange", "does not fit in a 64-bit integer", ""),
        c("sector_bytes 1000", b("[disk]\nsector_bytes = 1000\n"), 5, 16, "disk.sector_bytes", "OutOfRange", "must be a power of two from 512 to 65536, got 1000", ""),
        c("sector_bytes 256", b("[disk]\nsector_bytes = 256\n"), 5, 16, "disk.sector_bytes", "OutOfRange", "power of two", ""),
        c("sector_bytes 131072", b("[disk]\nsector_bytes = 131072\n"), 5, 16, "disk.sector_bytes", "OutOfRange", "power of two", ""),
        c("zero within_seeds", b("[expect]\noutcome = \"violation\"\nviolation = \"liveness\"\nwithin_seeds = 0\n"), 7, 16, "expect.within_seeds", "OutOfRange", "must be at least 1", ""),
        // Required tables and keys.
        c("no [cluster]", "[raft]\nheartbeat_interval_ms = 5\n".into(), 1, 1, "cluster", "Missing", "missing required table [cluster] (the file has none)", "add [cluster]"),
        c("empty file", String::new(), 1, 1, "cluster", "Missing", "missing required table [cluster]", ""),
        c("no nodes", "[cluster]\nmode = \"sync\"\n".into(), 1, 1, "cluster.nodes", "Missing", "missing required key `nodes`", ""),
        c("no mode", "\n[cluster]\nnodes = 3\n".into(), 2, 1, "cluster.mode", "Missing", "missing required key `mode`", "\"async-handler\""),
        // Modes and names.
        c("client_ack in sync mode", b("client_ack = \"commit\"\n"), 4, 1, "cluster.client_ack", "NotApplicable", "only applies with mode = \"async-handler\", and mode is \"sync\"", "remove `client_ack`"),
        c("follower_flush in parallel-append", "[cluster]\nnodes = 3\nmode = \"parallel-append\"\nfollower_flush = \"background\"\n".into(), 4, 1, "cluster.follower_flush", "NotApplicable", "only applies with mode", ""),
        c("follower_append in sync mode", b("follower_append = \"pipelined\"\n"), 4, 1, "cluster.follower_append", "NotApplicable", "only applies with mode = \"parallel-append\", and mode is \"sync\"", "remove `follower_append`, or set mode = \"parallel-append\""),
        c("follower_append in async-handler mode", "[cluster]\nnodes = 3\nmode = \"async-handler\"\nfollower_append = \"blocking\"\n".into(), 4, 1, "cluster.follower_append", "NotApplicable", "only applies with mode = \"parallel-append\", and mode is \"async-handler\"", "set mode = \"parallel-append\""),
        c("bad follower_append", "[cluster]\nnodes = 3\nmode = \"parallel-append\"\nfollower_append = \"pipeline\"\n".into(), 4, 19, "cluster.follower_append", "UnknownValue", "unknown value \"pipeline\"", "did you mean \"pipelined\"?"),
        c("SYNC", "[cluster]\nnodes = 3\nmode = \"SYNC\"\n".into(), 3, 8, "cluster.mode", "UnknownValue", "unknown value \"SYNC\"", "did you mean \"sync\"?"),
        c("parallel_append", "[cluster]\nnodes = 3\nmode = \"parallel_append\"\n".into(), 3, 8, "cluster.mode", "UnknownValue", "unknown value \"parallel_append\"", "did you mean \"parallel-append\"?"),
        c("torn_tail", b("[disk]\ncrash = \"torn_tail\"\n"), 5, 9, "disk.crash", "UnknownValue", "unknown value \"torn_tail\"", "expected one of \"lose-unflushed\", \"keep-random-subset\", \"torn-tail\"; did you mean \"torn-tail\"?"),
        c("bad client_ack", "[cluster]\nnodes = 3\nmode = \"async-handler\"\nclient_ack = \"flush\"\n".into(), 4, 14, "cluster.client_ack", "UnknownValue", "unknown value \"flush\"", "\"commit-and-flush\""),
        c("bad bug name", b("bug = \"leader-count-unflushed\"\n"), 4, 7, "cluster.bug", "UnknownValue", "unknown value", "did you mean \"leader-counts-unflushed\"?"),
        c("bad state machine", b("state_machine = \"Persistent\"\n"), 4, 17, "cluster.state_machine", "UnknownValue", "unknown value", "did you mean \"persistent\"?"),
        c("bad read path", b("[workload]\nread_path = \"leader_state\"\n"), 5, 13, "workload.read_path", "UnknownValue", "unknown value", "did you mean \"leader-state\"?"),
        c("bad workload kind", b("[workload]\nkind = \"list_append\"\n"), 5, 8, "workload.kind", "UnknownValue", "unknown value \"list_append\"", "expected one of \"register\", \"list-append\"; did you mean \"list-append\"?"),
        c("bad fsync policy", b("[disk]\nfsync_error_policy = \"panic\"\n"), 5, 22, "disk.fsync_error_policy", "UnknownValue", "unknown value \"panic\"", "\"crash\", \"retry\""),
        c("bad flush order", b("[disk]\nflush_order = \"per_file\"\n"), 5, 15, "disk.flush_order", "UnknownValue", "unknown value \"per_file\"", "\"per-file\""),
        c("bad state flush latency", b("[disk]\nstate_flush_latency_ms = { dist = \"uniform\", min = 3, max = 1 }\n"), 5, 52, "disk.state_flush_latency_ms.min", "OutOfRange", "min (3) must be <= max (1)", ""),
        c("process crash fraction above 1", b("[faults]\nprocess_crash_fraction = 1.5\n"), 5, 26, "faults.process_crash_fraction", "OutOfRange", "must be in [0, 1], got 1.5", ""),
        // Latency tables.
        c("bad dist", b("[disk]\nflush_latency_ms = { dist = \"log-normal\", p50 = 1, p99 = 2 }\n"), 5, 29, "disk.flush_latency_ms.dist", "UnknownValue", "unknown value \"log-normal\"", "did you mean \"lognormal\"?"),
        c("no dist", b("[network]\nlatency_ms = { min = 1, max = 2 }\n"), 5, 14, "network.latency_ms.dist", "Missing", "missing required key `dist`", "dist = \"constant\" | \"uniform\""),
        c("param of another dist", b("[network]\nlatency_ms = { dist = \"uniform\", min = 1, max = 2, value = 3 }\n"), 5, 52, "network.latency_ms.value", "NotApplicable", "`value` is a parameter of constant, not of uniform", "takes min and max"),
        c("missing dist param", b("[disk]\nflush_latency_ms = { dist = \"lognormal\", p50 = 2 }\n"), 5, 20, "disk.flush_latency_ms.p99", "Missing", "missing required key `p99`", "takes p50 and p99"),
        c("uniform min > max", b("[network]\nlatency_ms = { dist = \"uniform\", min = 10, max = 1 }\n"), 5, 40, "network.latency_ms.min", "OutOfRange", "min (10) must be <= max (1)", ""),
        c("p50 > p99", b("[disk]\nflush_latency_ms = { dist = \"lognormal\", p50 = 40.0, p99 = 30.0 }\n"), 5, 48, "disk.flush_latency_ms.p50", "OutOfRange", "p50 (40) must be <= p99 (30)", ""),
        c("p50 zero", b("[disk]\nflush_latency_ms = { dist = \"lognormal\", p50 = 0, p99 = 30 }\n"), 5, 48, "disk.flush_latency_ms.p50", "OutOfRange", "p50 must be > 0", ""),
        c("exponential mean zero", b("[network]\nlatency_ms = { dist = \"exponential\", mean = 0 }\n"), 5, 45, "network.latency_ms.mean", "OutOfRange", "mean must be > 0", ""),
        c("negative uniform min", b("[network]\nlatency_ms = { dist = \"uniform\", min = -1, max = 1 }\n"), 5, 40, "network.latency_ms.min", "OutOfRange", "must be >= 0", ""),
        // Ranges.
        c("range min > max", b("[raft]\nelection_timeout_ms = { min = 300, max = 150 }\n"), 5, 31, "raft.election_timeout_ms.min", "OutOfRange", "min (300) must be <= max (150)", ""),
        c("range without max", b("[faults]\nrestart_delay_ms = { min = 5 }\n"), 5, 20, "faults.restart_delay_ms.max", "Missing", "missing required key `max`", "both min and max"),
        c("negative bare range", b("[faults]\npartition_duration_ms = -1\n"), 5, 25, "faults.partition_duration_ms", "OutOfRange", "must be at least 0", ""),
        // Schedule entries.
        c("no at_ms", sched("action = \"heal\"\n"), 4, 1, "faults.schedule[0].at_ms", "Missing", "missing required key `at_ms`", ""),
        c("no action", sched("at_ms = 5\n"), 4, 1, "faults.schedule[0].action", "Missing", "missing required key `action`", "\"disk-resume\""),
        c("bad action", sched("at_ms = 5\naction = \"disk_stall\"\nnode = 1\n"), 6, 10, "faults.schedule[0].action", "UnknownValue", "unknown value", "did you mean \"disk-stall\"?"),
        c("crash without node", sched("at_ms = 5\naction = \"crash\"\n"), 4, 1, "faults.schedule[0].node", "Missing", "missing required key `node`", "needs node = 1..=3"),
        c("partition without groups", sched("at_ms = 5\naction = \"partition\"\n"), 4, 1, "faults.schedule[0].groups", "Missing", "missing required key `groups`", ""),
        c("node on heal", sched("at_ms = 5\naction = \"heal\"\nnode = 1\n"), 7, 1, "faults.schedule[0].node", "NotApplicable", "`node` does not apply to action = \"heal\"", "whole cluster"),
        c("node on partition", sched("at_ms = 5\naction = \"partition\"\ngroups = [[1]]\nnode = 1\n"), 8, 1, "faults.schedule[0].node", "NotApplicable", "`node` does not apply to action = \"partition\"", "partition takes groups"),
        c("groups on crash", sched("at_ms = 5\naction = \"crash\"\nnode = 1\ngroups = [[1]]\n"), 8, 1, "faults.schedule[0].groups", "NotApplicable", "`groups` does not apply to action = \"crash\"", ""),
        c("one_way on isolate", sched("at_ms = 5\naction = \"isolate\"\nnode = 1\none_way = true\n"), 8, 1, "faults.schedule[0].one_way", "NotApplicable", "`one_way` does not apply", ""),
        c("kind on restart", sched("at_ms = 5\naction = \"restart\"\nnode = 1\nkind = \"process\"\n"), 8, 1, "faults.schedule[0].kind", "NotApplicable", "`kind` does not apply to action = \"restart\"", "is for action = \"crash\""),
        c("unknown crash kind", sched("at_ms = 5\naction = \"crash\"\nnode = 1\nkind = \"procss\"\n"), 8, 8, "faults.schedule[0].kind", "UnknownValue", "procss", "process"),
        c("node id zero", sched("at_ms = 5\naction = \"crash\"\nnode = 0\n"), 7, 8, "faults.schedule[0].node", "OutOfRange", "node ids are 1..=3, got 0", ""),
        c("node id above nodes", sched("at_ms = 5\naction = \"restart\"\nnode = 4\n"), 7, 8, "faults.schedule[0].node", "OutOfRange", "node ids are 1..=3, got 4", "nodes = 3"),
        c("bad node name", sched("at_ms = 5\naction = \"crash\"\nnode = \"leeder\"\n"), 7, 8, "faults.schedule[0].node", "UnknownValue", "unknown node \"leeder\"", "did you mean \"leader\"?"),
        c("node as float", sched("at_ms = 5\naction = \"crash\"\nnode = 1.0\n"), 7, 8, "faults.schedule[0].node", "WrongType", "expected a node id", ""),
        c("one_way not boolean", sched("at_ms = 5\naction = \"partition\"\ngroups = [[1], [2, 3]]\none_way = 1\n"), 8, 11, "faults.schedule[0].one_way", "WrongType", "expected a boolean", ""),
        c("no groups", sched("at_ms = 5\naction = \"partition\"\ngroups = []\n"), 7, 10, "faults.schedule[0].groups", "Invalid", "at least one group", ""),
        c("empty group", sched("at_ms = 5\naction = \"partition\"\ngroups = [[1], []]\n"), 7, 16, "faults.schedule[0].groups[1]", "Invalid", "a group must name at least one node", ""),
        c("group id out of range", sched("at_ms = 5\naction = \"partition\"\ngroups = [[1, 4]]\n"), 7, 15, "faults.schedule[0].groups[0][1]", "OutOfRange", "node ids are 1..=3, got 4", ""),
        c("node in two groups", sched("at_ms = 5\naction = \"partition\"\ngroups = [[1, 2], [2, 3]]\n"), 7, 20, "faults.schedule[0].groups[1][0]", "Invalid", "node 2 is already in group 0", ""),
        c("node twice in a group", sched("at_ms = 5\naction = \"partition\"\ngroups = [[1, 1]]\n"), 7, 15, "faults.schedule[0].groups[0][1]", "Invalid", "node 1 is already in group 0", ""),
        c("group not an array", sched("at_ms = 5\naction = \"partition\"\ngroups = [1, 2]\n"), 7, 11, "faults.schedule[0].groups[0]", "WrongType", "expected a group", ""),
        c("one_way with three groups", sched("at_ms = 5\naction = \"partition\"\ngroups = [[1], [2], [3]]\none_way = true\n"), 7, 10, "faults.schedule[0].groups", "Invalid", "one_way = true needs exactly two groups, got 3", "group 0 -> group 1"),
        c("one_way missing a node", sched("at_ms = 5\naction = \"partition\"\ngroups = [[1], [2]]\none_way = true\n"), 7, 10, "faults.schedule[0].groups", "Invalid", "name every node; missing 3", ""),
        c("at_ms at the default duration", sched("at_ms = 10000\naction = \"heal\"\n"), 5, 9, "faults.schedule[0].at_ms", "OutOfRange", "must be below run.duration_ms (10000), got 10000", "raise [run] duration_ms"),
        c("at_ms beyond the given duration", format!("{BASE}[run]\nduration_ms = 500\n[[faults.schedule]]\nat_ms = 1\naction = \"heal\"\n[[faults.schedule]]\nat_ms = 600\naction = \"heal\"\n"), 10, 9, "faults.schedule[1].at_ms", "OutOfRange", "must be below run.duration_ms (500), got 600", ""),
        c("negative at_ms", sched("at_ms = -5\naction = \"heal\"\n"), 5, 9, "faults.schedule[0].at_ms", "OutOfRange", "must be at least 0", ""),
        // Snapshots.
        c("snapshot mutant without snapshots", b("bug = \"snapshot-dir-not-fsynced\"\n"), 4, 7, "cluster.bug", "NotApplicable", "this scenario takes no snapshots", "set [raft] snapshot_distance"),
        c("snapshot distance too large", b("[raft]\nsnapshot_distance = 2_000_000_000\n"), 5, 21, "raft.snapshot_distance", "OutOfRange", "1000000000", ""),
        c("snapshots with a library", "[cluster]\nnodes = 3\nimplementation = \"raft-rs\"\nmode = \"sync\"\n[raft]\nsnapshot_distance = 50\n".into(), 6, 21, "raft.snapshot_distance", "NotApplicable", "the raft-rs adapter takes none", "remove `snapshot_distance`"),
        // [expect].
        c("violation with outcome pass", b("[expect]\nviolation = \"liveness\"\n"), 5, 1, "expect.violation", "NotApplicable", "does not apply to outcome = \"pass\"", "outcome = \"violation\""),
        c("within_seeds with outcome pass", b("[expect]\noutcome = \"pass\"\nwithin_seeds = 3\n"), 6, 1, "expect.within_seeds", "NotApplicable", "does not apply to outcome = \"pass\"", ""),
        c("missing violation", b("[expect]\noutcome = \"violation\"\n"), 5, 11, "expect.violation", "Missing", "is required when outcome = \"violation\"", ""),
        c("bad invariant name", b("[expect]\noutcome = \"violation\"\nviolation = \"durability_loss\"\n"), 6, 13, "expect.violation", "UnknownValue", "unknown value \"durability_loss\"", "did you mean \"durability-loss\"?"),
        c("bad invariant in a list", b("[expect]\noutcome = \"violation\"\nviolation = [\"liveness\", \"bogus\"]\n"), 6, 26, "expect.violation[1]", "UnknownValue", "unknown value \"bogus\"", "\"election-safety\""),
        c("empty violation list", b("[expect]\noutcome = \"violation\"\nviolation = []\n"), 6, 13, "expect.violation", "Invalid", "needs at least one invariant name", ""),
        c("violation not a name", b("[expect]\noutcome = \"violation\"\nviolation = 3\n"), 6, 13, "expect.violation", "WrongType", "expected an invariant name or a list of names", ""),
        c("bad outcome", b("[expect]\noutcome = \"fail\"\n"), 5, 11, "expect.outcome", "UnknownValue", "unknown value \"fail\"", "\"pass\", \"violation\""),
    ]
}

fn kind(err: &ScenarioError) -> &'static str {
    match err {
        ScenarioError::Read { .. } => "Read",
        ScenarioError::Syntax { .. } => "Syntax",
        ScenarioError::UnknownKey { .. } => "UnknownKey",
        ScenarioError::WrongType { .. } => "WrongType",
        ScenarioError::UnknownValue { .. } => "UnknownValue",
        ScenarioError::OutOfRange { .. } => "OutOfRange",
        ScenarioError::Missing { .. } => "Missing",
        ScenarioError::NotApplicable { .. } => "NotApplicable",
        ScenarioError::Unsupported { .. } => "Unsupported",
        ScenarioError::Invalid { .. } => "Invalid",
    }
}

/// Every way `err` differs from `case`.
fn mismatches(case: &Case, err: &ScenarioError) -> Vec<String> {
    let mut out = Vec::new();
    let key = (!case.key.is_empty()).then_some(case.key);
    if err.line() != Some(case.line) || err.column() != Some(case.column) {
        out.push(format!(
            "at {:?}:{:?}, expected {}:{}",
            err.line(),
            err.column(),
            case.line,
            case.column
        ));
    }
    if err.key() != key {
        out.push(format!("key {:?}, expected {key:?}", err.key()));
    }
    if kind(err) != case.kind {
        out.push(format!("kind {}, expected {}", kind(err), case.kind));
    }
    if !err.message().contains(case.message) {
        out.push(format!("message lacks {:?}", case.message));
    }
    if !case.hint.is_empty() && !err.hint().unwrap_or("").contains(case.hint) {
        out.push(format!("hint lacks {:?}", case.hint));
    }
    if err.file() != "scenarios/broken.toml" {
        out.push(format!("file {:?}", err.file()));
    }
    out
}

#[test]
fn every_broken_file_is_rejected_where_it_is_broken() {
    let cases = cases();
    assert!(cases.len() >= 40, "{} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        match parse_str(&case.text, "scenarios/broken.toml") {
            Ok(_) => failures.push(format!("{}: accepted", case.name)),
            Err(err) => {
                let problems = mismatches(case, &err);
                if !problems.is_empty() {
                    failures.push(format!(
                        "{}: {}\n    got: {err}",
                        case.name,
                        problems.join("; ")
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases fail:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn every_error_prints_file_line_column_and_key_on_its_first_line() {
    for case in cases() {
        let Err(err) = parse_str(&case.text, "scenarios/broken.toml") else {
            continue;
        };
        let text = err.to_string();
        let first = text.lines().next().unwrap_or("");
        let prefix = match err.key() {
            Some(key) => format!(
                "scenarios/broken.toml:{}:{}: {key}: ",
                case.line, case.column
            ),
            None => format!("scenarios/broken.toml:{}:{}: ", case.line, case.column),
        };
        assert!(
            first.starts_with(&prefix),
            "{}: {first:?} should start with {prefix:?}",
            case.name
        );
        assert!(text.lines().count() <= 2, "{}: {text}", case.name);
        if let Some(hint) = err.hint() {
            assert_eq!(
                text.lines().nth(1),
                Some(format!("  hint: {hint}").as_str())
            );
        }
    }
}
