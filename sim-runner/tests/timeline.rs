//! `repro --timeline`: the page of a bundled failing seed, loaded in a real headless
//! browser (Debian's `chromium`; `.ci/run` installs it when it can): it loads with no
//! script error, draws one lane per node (and the clients' and the cluster's), and marks
//! the violation. Without a browser the test says so and checks the page's text only.

mod common;

use common::*;
use std::path::Path;
use std::process::Command;

/// The browser to drive: `$CHROMIUM`, else `chromium` on the PATH.
fn browser() -> Option<String> {
    let candidate = std::env::var("CHROMIUM").unwrap_or_else(|_| "chromium".into());
    let works = Command::new(&candidate)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    works.then_some(candidate)
}

/// The DOM after the page's scripts ran.
fn rendered(browser: &str, page: &Path) -> String {
    let o = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--window-size=1400,600",
            "--dump-dom",
        ])
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("the browser runs");
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn the_timeline_of_a_failing_seed_loads_draws_every_node_and_marks_the_violation() {
    let s = Scratch::new("timeline");
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../scenarios/nuraft/commit-rule-figure-8.toml"
    );
    let o = run(s.path(), &["repro", file, "--timeline", "t.html"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "the seed violates: {}",
        stderr(&o)
    );
    assert!(stdout(&o).contains("timeline: t.html"), "{}", stdout(&o));
    let page = s.path().join("t.html");
    let html = std::fs::read_to_string(&page).expect("the page");
    assert!(html.contains("durability-loss") && html.contains("\"nodes\":3"));
    let Some(browser) = browser() else {
        eprintln!(
            "skipped the browser half: no chromium (set CHROMIUM or install Debian's chromium)"
        );
        return;
    };
    let dom = rendered(&browser, &page);
    assert!(
        dom.contains("id=\"errors\""),
        "the page loaded: {dom:.2000}"
    );
    assert!(
        dom.contains("data-count=\"0\""),
        "no script error: {}",
        dom.split("id=\"errors\"")
            .nth(1)
            .unwrap_or("")
            .chars()
            .take(500)
            .collect::<String>()
    );
    let lanes = dom.matches("class=\"lane-label\"").count();
    assert_eq!(
        lanes,
        3 + 2,
        "a lane per node, the clients' and the cluster's"
    );
    for n in 1..=3 {
        assert!(
            dom.contains(&format!(">node {n}</text>")),
            "node {n}'s lane"
        );
    }
    assert!(
        dom.contains("class=\"violation\""),
        "the violation is marked"
    );
    assert!(
        dom.contains("class=\"message\""),
        "the entry's messages are drawn"
    );
}
