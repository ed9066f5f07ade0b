//! What `list` and `explain` tell: every invariant, mutant and mode by name, in a few
//! sentences — what it means, the real systems it mirrors, and a bundled scenario that
//! shows it. The long form is in docs/checkers.md, docs/bugs.md and docs/modes.md; this is
//! the short one a person reads at the terminal. A test checks that every invariant,
//! mutant and mode has exactly one entry and that every scenario named exists.

/// What a name is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Topic {
    Invariant,
    Mutant,
    Mode,
}

impl Topic {
    pub fn plural(self) -> &'static str {
        match self {
            Topic::Invariant => "invariants",
            Topic::Mutant => "mutants",
            Topic::Mode => "modes",
        }
    }
}

/// One name and what to say about it.
pub struct Entry {
    pub topic: Topic,
    pub name: &'static str,
    /// One line, for `list`.
    pub summary: &'static str,
    /// A few sentences, for `explain`.
    pub meaning: &'static str,
    /// The real systems it mirrors (empty for the modes' own names).
    pub real: &'static str,
    /// A bundled scenario that shows it, from the workspace root.
    pub scenario: &'static str,
    /// Where the long form is.
    pub doc: &'static str,
}

const fn entry(
    topic: Topic,
    name: &'static str,
    summary: &'static str,
    meaning: &'static str,
    real: &'static str,
    scenario: &'static str,
    doc: &'static str,
) -> Entry {
    Entry {
        topic,
        name,
        summary,
        meaning,
        real,
        scenario,
        doc,
    }
}

use Topic::{Invariant as I, Mode as Mo, Mutant as Mu};

pub const ENTRIES: &[Entry] = &[
    entry(
        I,
        "election-safety",
        "at most one leader per term",
        "Two nodes led the same term. It happens when a vote is forgotten: a node that crashes before its vote is durable can vote again in the same term.",
        "tikv/tikv #1610; robustmq/robustmq PR #2039",
        "scenarios/bugs/vote-not-persisted.toml",
        "docs/checkers.md",
    ),
    entry(
        I,
        "log-matching",
        "one entry per index and term, after the same previous term",
        "Two nodes hold different entries with the same index and term, or the same entry after different terms: a log that came back from a crash in a shape Raft never made.",
        "databendlabs/databend #3914",
        "scenarios/bugs/truncate-not-flushed.toml",
        "docs/checkers.md",
    ),
    entry(
        I,
        "leader-completeness",
        "a leader of a later term holds every committed entry",
        "A node became leader of a term above the one an entry was committed in, without that entry. A late leader of a lower term is legal and not reported.",
        "Raft paper, section 5.4",
        "scenarios/nuraft/commit-rule-figure-8.toml",
        "docs/checkers.md",
    ),
    entry(
        I,
        "state-machine-safety",
        "no two nodes apply different entries at one index",
        "A node applied an entry where another node had applied a different one: the replicas' state machines diverged.",
        "FAST'18, Protocol-Aware Recovery for Consensus-Based Storage",
        "scenarios/nuraft/commit-rule-figure-8.toml",
        "docs/checkers.md",
    ),
    entry(
        I,
        "durability-loss",
        "a committed entry disappeared or was replaced",
        "An entry some node had committed is held by no node any more (in memory when up, on media when down), or a node committed a different entry at that index.",
        "NuRaft issue #379; Raft paper, Figure 8",
        "scenarios/modes/nuraft-379-leader-crash.toml",
        "docs/checkers.md",
    ),
    entry(
        I,
        "acked-write-lost",
        "an acknowledged write is missing after healing",
        "A write the client was told succeeded is not in the log the converged leader committed. Requests whose outcome is unknown never count.",
        "etcd-io/etcd #14370; NuRaft issue #379",
        "scenarios/modes/async-handler-ack-commit-followers-background.toml",
        "docs/checkers.md",
    ),
    entry(
        I,
        "durability-hazard",
        "an entry counted committed while durable on fewer than a majority",
        "The window in which a crash can lose a committed entry, seen on every seed even when no crash hits it: reported with its length. It fails a scenario that expects pass unless [expect] allow names it.",
        "deventlab/d-engine #329; camunda/camunda #4160",
        "scenarios/modes/async-handler-no-faults.toml",
        "docs/checkers.md",
    ),
    entry(
        I,
        "linearizability",
        "the client history is linearizable",
        "The reads and writes the clients saw cannot be ordered as one register per key would: a read returned a value that was lost, or one a later read contradicts.",
        "Wing & Gong; Lowe (the checking algorithm)",
        "scenarios/bugs/ack-before-commit.toml",
        "docs/checkers.md",
    ),
    entry(
        I,
        "liveness",
        "after healing the cluster converges within a bound",
        "No leader in the newest term has committed an entry of its own term with every up node holding its log, within max(heal_ms, liveness_timeouts election timeouts) of the heal. The finding says what the cluster was doing.",
        "TigerBeetle #2334 (a liveness false positive, the kind this avoids)",
        "scenarios/bugs/stale-write-after-truncate.toml",
        "docs/checkers.md",
    ),
    entry(
        I,
        "lost-append",
        "an acknowledged append stays in its list",
        "List-append workload: an append acknowledged before a read of its key was invoked is missing from that read and from every read of the key. The state machines that answer no longer hold it; acked-write-lost asks the same of the log.",
        "Jepsen Elle (list-append); eBay/NuRaft #379",
        "scenarios/modes/nuraft-379-list-append.toml",
        "docs/checkers.md",
    ),
    entry(
        I,
        "duplicate-append",
        "no list holds an element twice",
        "List-append workload: a read returned an element twice, so a state machine applied its entry twice, which a register hides. The apply-before-durable scenario is the run that would; it shows the second apply as applied-index-regressed first (docs/bugs.md).",
        "Jepsen Elle (list-append)",
        "scenarios/bugs/apply-before-durable.toml",
        "docs/checkers.md",
    ),
    entry(
        I,
        "incompatible-reads",
        "every two reads of a list are prefixes of one another",
        "List-append workload: two reads of one key disagree on the order of its appends, so they came from state machines that diverged. A stale read, a prefix, is not one. No bundled scenario fires it; NuRaft #379 under the list workload could.",
        "Jepsen Elle (list-append)",
        "scenarios/modes/nuraft-379-list-append.toml",
        "docs/checkers.md",
    ),
    entry(
        I,
        "applied-index-regressed",
        "a node's applied index never moves back",
        "A node applied an entry at or below one it had applied, with no restart of a volatile state machine in between, or a persistent state machine came back older than it was. Judged under the list-append workload. The apply-before-durable scenario fires it: its schedule builds the divergence the mutant needs and crashes the follower in a disk stall (docs/bugs.md).",
        "eBay/NuRaft (rolls its state machine back on truncating applied entries: 'it may indicate data loss')",
        "scenarios/bugs/apply-before-durable.toml",
        "docs/checkers.md",
    ),
    entry(
        I,
        "term-vote-lost",
        "a durable term and vote survive every crash",
        "A node restarted in a term below one it had made durable, or in that term without the vote it had made durable: it can vote twice in one term, or lead a term that had a leader. Judged from save-state, the state file's flushes and restarts, at the restart itself: the second leader it makes possible needs a second coincidence.",
        "ClickHouse/ClickHouse #111454 (Keeper's save_state truncated its state file before rewriting it)",
        "scenarios/bugs/state-file-not-atomic.toml",
        "docs/checkers.md",
    ),
    entry(
        Mu,
        "leader-counts-unflushed",
        "the parallel-append leader counts its appended, not durable, index",
        "The leader counts itself toward the quorum before its own write is durable, which is what parallel appending exists to avoid.",
        "deventlab/d-engine #329, #446, PR #447; databendlabs/openraft #1125; goraft/raft PR #150",
        "scenarios/bugs/leader-counts-unflushed.toml",
        "docs/bugs.md",
    ),
    entry(
        Mu,
        "follower-acks-before-flush",
        "a follower answers AppendEntries before its write is durable",
        "The follower's blocking flush becomes a background one (sync), or its wait for durability is skipped (parallel-append).",
        "camunda/camunda #4160; yugabyte/yugabyte-db #32875; tikv/tikv #994",
        "scenarios/bugs/follower-acks-before-flush.toml",
        "docs/bugs.md",
    ),
    entry(
        Mu,
        "durable-index-reports-appended",
        "last_durable_index() returns the appended index",
        "The log store reports what it appended as durable: NuRaft's default last_durable_index() does exactly this, so a store that does not override it has this bug.",
        "apache/ratis PR #616",
        "scenarios/bugs/durable-index-reports-appended.toml",
        "docs/bugs.md",
    ),
    entry(
        Mu,
        "completion-overshoots",
        "a completion advances the durable index past its write",
        "A flush completion reports as durable everything appended so far, including writes issued after that flush.",
        "apache/ratis PR #616",
        "scenarios/bugs/completion-overshoots.toml",
        "docs/bugs.md",
    ),
    entry(
        Mu,
        "vote-not-persisted",
        "a vote is answered before it is flushed",
        "A node that crashes right after voting comes back without its vote and can vote again in the same term.",
        "robustmq/robustmq PR #2039; tikv/tikv #1610",
        "scenarios/bugs/vote-not-persisted.toml",
        "docs/bugs.md",
    ),
    entry(
        Mu,
        "term-not-persisted",
        "a higher term (and its vote) is adopted without a flush",
        "After a crash the node is back in the older term with no vote, and the vote it granted travels with the lost term.",
        "robustmq/robustmq PR #2039; tikv/tikv #1610",
        "scenarios/bugs/term-not-persisted.toml",
        "docs/bugs.md",
    ),
    entry(
        Mu,
        "truncate-not-flushed",
        "write_at overwrites in place and never truncates the file",
        "Entries of an old term beyond the new ones survive a crash and come back after an entry of a newer term.",
        "databendlabs/databend #3914",
        "scenarios/bugs/truncate-not-flushed.toml",
        "docs/bugs.md",
    ),
    entry(
        Mu,
        "stale-write-after-truncate",
        "an in-flight write lands over a truncated range",
        "A parallel-append write for a range write_at then truncates lands after the truncation, and the store believes the old flush vouches for the new entries.",
        "NuRaft's parallel-append contract; databendlabs/databend #3914",
        "scenarios/bugs/stale-write-after-truncate.toml",
        "docs/bugs.md",
    ),
    entry(
        Mu,
        "apply-before-durable",
        "a follower applies entries before its batch is durable",
        "A truncating write_at of one older-term entry, applied at once and lost in a crash, brings the follower's newer tail back under a state machine that already applied the entry; the next truncation rolls the applied index back and applies it again. NuRaft's configuration-entry flush closes the route unless the batch holds no configuration entry (five nodes, max_append_batch = 1), which random faults meet on one seed in 1,500; the scenario's schedule builds it on nearly every seed, and `explore` of scenarios/explore/apply-before-durable-small.toml finds the crash point.",
        "NuRaft's follower rollback ('it may indicate data loss')",
        "scenarios/bugs/apply-before-durable.toml",
        "docs/bugs.md",
    ),
    entry(
        Mu,
        "commit-index-not-clamped",
        "a follower commits up to its own log end",
        "NuRaft's follower before PR #57: on a request without entries (heartbeat-only mode, a negative batch-size hint) it commits a stale tail the leader never vouched for.",
        "eBay/NuRaft PR #57",
        "scenarios/bugs/commit-index-not-clamped.toml",
        "docs/bugs.md",
    ),
    entry(
        Mu,
        "recovery-trusts-volatile",
        "recovery takes the log end from memory, not media",
        "On restart the node claims entries it never made durable.",
        "etcd-io/etcd #14098",
        "scenarios/bugs/recovery-trusts-volatile.toml",
        "docs/bugs.md",
    ),
    entry(
        Mu,
        "ack-before-commit",
        "the leader acknowledges a write as soon as it appends it",
        "With one node, commit is the local write; with more, an acknowledged write may never commit.",
        "etcd-io/etcd #14370",
        "scenarios/bugs/ack-before-commit.toml",
        "docs/bugs.md",
    ),
    entry(
        Mu,
        "truncate-keeps-durable-index",
        "a truncation leaves the durable index above the new log end",
        "write_at does not lower last_durable_index(), and end_of_append_batch skips its flush when that index already covers the log: a follower answers for new entries, and a truncation, that are only in the page cache.",
        "deventlab/d-engine #351",
        "scenarios/bugs/truncate-keeps-durable-index.toml",
        "docs/bugs.md",
    ),
    entry(
        Mu,
        "completion-before-pending",
        "a pipelined follower's completion fires before its answer is registered",
        "With follower_append = \"pipelined\": the durability check of a request is done, the log store's completion arrives before the held answer is registered and finds nothing to release, and the answer waits for a later completion. Once writes stop (after an election in the heal phase) it never leaves: liveness.",
        "ClickHouse/NuRaft PR #101 (the race its lock fixes) and PR #116",
        "scenarios/bugs/completion-before-pending.toml",
        "docs/bugs.md",
    ),
    entry(
        Mu,
        "end-of-batch-skipped-for-config",
        "end_of_append_batch is not called for configuration-only batches",
        "The store's durable index moves only in end_of_append_batch, which a follower skips for a batch of configuration entries alone: a parallel-append follower then waits for ever on a new leader's first entry.",
        "eBay/HomeStore PR #631",
        "scenarios/bugs/end-of-batch-skipped-for-config.toml",
        "docs/bugs.md",
    ),
    entry(
        Mu,
        "flush-error-never-completes",
        "a failed log flush is never completed",
        "On an fsync error the log store neither reports the error nor calls the completion: whoever waits on that flush (a sync follower's Raft thread, a sync leader's client path) waits for ever.",
        "eBay/HomeStore PRs #913, #917",
        "scenarios/bugs/flush-error-never-completes.toml",
        "docs/bugs.md",
    ),
    entry(
        Mu,
        "state-file-not-atomic",
        "save_state truncates the state file before rewriting it",
        "A crash that keeps the truncation and loses the write leaves no term and no vote: the node restarts in term 0 and can vote again in a term it already voted in.",
        "ClickHouse/ClickHouse #111454, PR #113654",
        "scenarios/bugs/state-file-not-atomic.toml",
        "docs/bugs.md",
    ),
    entry(
        Mu,
        "new-leader-marks-tail-flushed",
        "a new leader counts its unflushed log tail as flushed",
        "A follower that wins an election while its last log flush is still in flight counts that tail as durable, and under NuRaft's commit rule commits it with one other copy: a durability hazard, and a loss when power fails before the flush ends. It takes a disk whose log fsync can outlast an election timeout while the state file's fsync completes on its own (flush_order = \"per-file\"); with fsyncs in submission order the vote save waits for the tail's flush and hides it.",
        "databendlabs/openraft #2118",
        "scenarios/bugs/new-leader-marks-tail-flushed.toml",
        "docs/bugs.md",
    ),
    entry(
        Mu,
        "durable-index-starts-at-zero",
        "after a restart last_durable_index() starts at 0",
        "A restarted node believes nothing is durable until a new write completes. A pipelined follower then holds every answer to a request that brings nothing new; paused by its state machine (heartbeats only), it never answers, is never unpaused, and never catches up: liveness.",
        "ClickHouse/NuRaft PR #116",
        "scenarios/bugs/durable-index-starts-at-zero.toml",
        "docs/bugs.md",
    ),
    entry(
        Mu,
        "follower-acks-empty-request",
        "a pipelined follower answers a request with nothing new before it is durable",
        "With follower_append = \"pipelined\": a resend or a heartbeat writes nothing, so the follower answers it at once with its whole match index, while the entries it matches still wait for their flush. The leader counts that answer; a crash of the follower (and of the leader) loses a committed entry.",
        "yugabyte/yugabyte-db #32875",
        "scenarios/bugs/follower-acks-empty-request.toml",
        "docs/bugs.md",
    ),
    entry(
        Mu,
        "snapshot-dir-not-fsynced",
        "a snapshot is renamed into place but its directory is never fsynced",
        "With snapshot_distance set: the state machine writes and fsyncs the snapshot file and renames it into the snapshot directory, but never fsyncs the directory, and reports the snapshot done. NuRaft compacts the log behind it. A power loss takes the rename back: the node restarts with an older snapshot (or none) and a log that starts after the compacted entries, which are gone from it.",
        "ClickHouse/ClickHouse #111339",
        "scenarios/bugs/snapshot-dir-not-fsynced.toml",
        "docs/bugs.md",
    ),
    entry(
        Mu,
        "compact-before-snapshot-durable",
        "the log is compacted behind a snapshot that is not yet durable",
        "With snapshot_distance set: the state machine reports a snapshot done (create_snapshot's handler) as soon as it is written, while its file and directory fsyncs are still running. NuRaft compacts the log behind it at once, and the compaction can reach the disk first: a power loss in that window leaves a log that starts past the snapshot the node still has.",
        "ClickHouse/ClickHouse #112535, #112101 (log segments removed while still needed)",
        "scenarios/bugs/compact-before-snapshot-durable.toml",
        "docs/bugs.md",
    ),
    entry(
        Mu,
        "install-acked-before-durable",
        "a follower answers an installed snapshot before it is durable",
        "With snapshot_distance set: a follower saving the leader's snapshot (save_logical_snp_obj) writes and renames it without any fsync and answers at once; it compacts its log up to the snapshot. A power loss leaves it with neither the snapshot nor the entries it replaced, while the leader counted them on it.",
        "none public; the install-path twin of ClickHouse #111339",
        "scenarios/bugs/install-acked-before-durable.toml",
        "docs/bugs.md",
    ),
    entry(
        Mu,
        "persisted-messages-early",
        "the raft-rs adapter sends persisted_messages() before their Ready is durable",
        "With implementation = \"raft-rs\" and async persistence: the messages raft-rs marks as persisted (a follower's append answers, a vote) leave with the Ready's other messages instead of after the flush that covers it (on_persist_ready). The leader counts a follower's entries that are still in its page cache; a crash of the follower and of the leader loses a committed entry.",
        "raft-rs docs: persisted_messages must be sent after the Ready is persisted",
        "scenarios/bugs/persisted-messages-early.toml",
        "docs/bugs.md",
    ),
    entry(
        Mu,
        "io-flushed-before-fsync",
        "the openraft adapter completes IOFlushed before the flush that makes the entries durable",
        "With implementation = \"openraft\" and deferred IOFlushed (parallel-append): RaftLogStorage::append completes its callback as soon as the write is handed to the disk, not when the flush covering it returns. openraft then counts the leader's own entries and lets a follower acknowledge entries that are still in the page cache; a crash of the follower and of the leader loses a committed entry.",
        "sebadob/hiqlite PR #361: its WAL called openraft's append callback after issuing only an asynchronous flush, in its default sync mode",
        "scenarios/bugs/io-flushed-before-fsync.toml",
        "docs/bugs.md",
    ),
    entry(
        Mo,
        "sync",
        "end_of_append_batch flushes and blocks; safe, one fsync per request",
        "The leader's client path flushes before the batch counts; followers flush before they answer. Safe under every crash model with Raft's commit rule; NuRaft's own commit rule can still lose entries (scenarios/nuraft/).",
        "",
        "scenarios/modes/sync-crashes.toml",
        "docs/modes.md",
    ),
    entry(
        Mo,
        "async-handler",
        "the flush runs in the background; the leader counts itself first",
        "Fast, and acknowledges what may be durable nowhere with client_ack = \"commit\": NuRaft issue #379. Even commit-and-flush with followers flushing first loses committed, unacknowledged entries.",
        "NuRaft issue #379; redpanda write_caching; rabbitmq/ra #245; NATS #7564",
        "scenarios/modes/nuraft-379-leader-crash.toml",
        "docs/modes.md",
    ),
    entry(
        Mo,
        "parallel-append",
        "the leader replicates while its write is in flight; counts itself when durable",
        "As safe as sync and an order of magnitude faster: the leader counts itself only up to last_durable_index(), and followers answer only once durable. With follower_append = \"pipelined\" (ClickHouse's NuRaft fork, PR #101) a follower keeps taking requests during its fsync and holds each answer until durable.",
        "",
        "scenarios/modes/parallel-append-crashes.toml",
        "docs/modes.md",
    ),
];

/// The entry named `name`, of any topic.
pub fn find(name: &str) -> Option<&'static Entry> {
    ENTRIES.iter().find(|e| e.name == name)
}

/// Every entry of a topic, in catalogue order.
pub fn of(topic: Topic) -> impl Iterator<Item = &'static Entry> {
    ENTRIES.iter().filter(move |e| e.topic == topic)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim_scenario::{Bug, Mode, Named};
    use sim_trace::Invariant;
    use std::path::Path;

    fn names(topic: Topic) -> Vec<&'static str> {
        of(topic).map(|e| e.name).collect()
    }

    #[test]
    fn every_name_has_exactly_one_entry_and_its_scenario_exists() {
        let mut invariants: Vec<&str> = Invariant::ALL.iter().map(|i| i.name()).collect();
        let mut listed = names(Topic::Invariant);
        invariants.sort_unstable();
        listed.sort_unstable();
        assert_eq!(listed, invariants);
        let mut mutants: Vec<&str> = Bug::ALL
            .iter()
            .filter(|b| **b != Bug::None)
            .map(|b| b.name())
            .collect();
        let mut listed = names(Topic::Mutant);
        mutants.sort_unstable();
        listed.sort_unstable();
        assert_eq!(listed, mutants);
        let mut modes: Vec<&str> = Mode::names();
        let mut listed = names(Topic::Mode);
        modes.sort_unstable();
        listed.sort_unstable();
        assert_eq!(listed, modes);
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        for e in ENTRIES {
            assert!(root.join(e.scenario).exists(), "{}: {}", e.name, e.scenario);
            assert!(root.join(e.doc).exists(), "{}: {}", e.name, e.doc);
        }
    }
}
