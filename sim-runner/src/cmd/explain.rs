//! `list invariants|mutants|modes` and `explain NAME`: the catalogue (`catalogue.rs`) at
//! the terminal. An unknown name is bad usage (exit 2) with the closest names as a hint.

use crate::Exit;
use crate::catalogue::{self, Topic};
use crate::cli::ListWhat;

pub fn list(what: ListWhat) -> Exit {
    let topic = match what {
        ListWhat::Invariants => Topic::Invariant,
        ListWhat::Mutants => Topic::Mutant,
        ListWhat::Modes => Topic::Mode,
    };
    let width = catalogue::of(topic)
        .map(|e| e.name.len())
        .max()
        .unwrap_or(0);
    for e in catalogue::of(topic) {
        println!("{:<width$}  {}", e.name, e.summary);
    }
    println!("\n`sim-runner explain NAME` says more about one of these.");
    Exit::Ok
}

pub fn explain(name: &str) -> Exit {
    let Some(e) = catalogue::find(name) else {
        let close: Vec<&str> = catalogue::ENTRIES
            .iter()
            .map(|e| e.name)
            .filter(|n| n.contains(name) || name.contains(n) || shares_a_word(n, name))
            .collect();
        eprintln!("error: no invariant, mutant or mode is called {name:?}");
        if close.is_empty() {
            eprintln!("  hint: `sim-runner list invariants|mutants|modes` lists the names");
        } else {
            eprintln!("  hint: did you mean {}?", close.join(", "));
        }
        return Exit::Usage;
    };
    let kind = match e.topic {
        Topic::Invariant => "invariant",
        Topic::Mutant => "mutant",
        Topic::Mode => "mode",
    };
    println!("{} ({kind}): {}", e.name, e.summary);
    println!();
    println!("{}", e.meaning);
    if !e.real.is_empty() {
        println!();
        println!("real: {}", e.real);
    }
    println!("shown by: sim-runner run {}", e.scenario);
    println!("more: {} ({})", e.doc, e.topic.plural());
    Exit::Ok
}

fn shares_a_word(a: &str, b: &str) -> bool {
    a.split('-')
        .any(|w| w.len() > 3 && b.split('-').any(|v| v == w))
}
