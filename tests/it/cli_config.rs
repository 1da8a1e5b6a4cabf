//! Config as code from the command line, on the demo tenant (frozen clock) in a temp dir:
//! `export config`, `plan`, `apply`; an apply that changes nothing writes nothing; a refused
//! apply leaves the data directory byte-identical and names the object and the rule.

use crate::cli_support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cli_support::Env;
use serde_json::Value;

fn demo() -> Env {
    let env = Env::new();
    env.ok(&["init", "--demo"]);
    env
}

/// The names of the files that differ between two listings.
fn changed(a: &BTreeMap<PathBuf, Vec<u8>>, b: &BTreeMap<PathBuf, Vec<u8>>) -> Vec<PathBuf> {
    a.keys().chain(b.keys()).filter(|k| a.get(*k) != b.get(*k)).cloned().collect()
}

/// Every file under the data directory with its bytes.
fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).expect("readable").flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else {
                out.insert(p.clone(), std::fs::read(&p).unwrap_or_default());
            }
        }
    }
    out
}

/// The demo's configuration, edited, written next to the data.
fn write_config(env: &Env, name: &str, edit: impl FnOnce(&mut Value)) -> String {
    let text = env.ok(&["export", "config"]);
    let mut v: Value = serde_json::from_str(&text).expect("JSON");
    edit(&mut v);
    let path = env.data().with_extension(name);
    std::fs::write(&path, serde_json::to_string_pretty(&v).expect("JSON")).expect("written");
    path.to_string_lossy().into_owned()
}

fn finance_package(v: &mut Value) -> &mut Value {
    let cats = v["catalogs"].as_array_mut().expect("catalogs");
    let cat = cats.iter_mut().find(|c| c["displayName"] == "Finance").expect("Finance");
    &mut cat["accessPackages"][0]
}

#[test]
fn export_plan_and_apply_a_change_then_the_same_file_again_writes_nothing() {
    let env = demo();
    let same = write_config(&env, "same.json", |_| {});
    assert!(env.ok(&["plan", &same]).contains("No changes"));
    let hidden = write_config(&env, "hidden.json", |v| finance_package(v)["isHidden"] = true.into());
    let out = env.ok(&["plan", &hidden]);
    assert!(out.contains("~ change access package 'Finance / SOX Finance Reporting'"), "{out}");
    assert!(out.contains("isHidden: false -> true"), "{out}");
    let plan = env.json(&["plan", &hidden]);
    assert_eq!(plan["changes"][0]["action"], "change");
    assert_eq!(plan["changes"][0]["properties"][0]["property"], "isHidden");

    let audit = |env: &Env| env.json(&["audit", "--limit", "100000"]).as_array().map(Vec::len).unwrap_or_default();
    let audit_before = audit(&env);
    let out = env.ok(&["apply", &hidden]);
    assert!(out.contains("Applied the configuration: 1 change(s)"), "{out}");
    let audit_after = audit(&env);
    // The change, and the batch it was applied in.
    assert_eq!(audit_after, audit_before + 2, "the change is audited");

    // The second time: an empty plan, and an apply that writes nothing at all.
    assert!(env.ok(&["plan", &hidden]).contains("No changes"));
    let before = files(env.data());
    assert!(env.ok(&["apply", &hidden]).contains("No changes"));
    assert_eq!(changed(&files(env.data()), &before), Vec::<PathBuf>::new(), "the second apply wrote");
    assert_eq!(audit(&env), audit_after, "no audit event");
}

#[test]
fn a_refused_apply_leaves_the_data_directory_unchanged_and_names_the_object_and_rule() {
    let env = demo();
    let bad = write_config(&env, "bad.json", |v| {
        let pkg = finance_package(v);
        pkg["isHidden"] = true.into();
        pkg["assignmentPolicies"][0]["requestApprovalSettings"]["stages"][0]["durationBeforeAutomaticDenial"] =
            "P45D".into();
    });
    let before = files(env.data());
    let err = env.fails(&["apply", &bad], 1);
    assert!(
        err.contains("assignment policy 'Finance / SOX Finance Reporting / Employees (manager, then compliance)'"),
        "{err}"
    );
    assert!(err.contains("30"), "the rule's range: {err}");
    assert_eq!(changed(&files(env.data()), &before), Vec::<PathBuf>::new(), "a refused apply wrote");
    // The plan shows the change it could make and the error, and exits 1.
    let out = env.run(&["plan", &bad]);
    assert_eq!(out.code, 1);
    assert!(
        out.stdout.contains("isHidden: false -> true") && out.stdout.contains("! assignment policy"),
        "{}",
        out.stdout
    );

    let unknown = write_config(&env, "unknown.json", |v| {
        let stage = &mut finance_package(v)["assignmentPolicies"][0]["requestApprovalSettings"]["stages"][1];
        stage["primaryApprovers"][0]["userId"] = "ghost@contoso.com".into();
    });
    let err = env.fails(&["apply", &unknown], 1);
    assert!(err.contains("user 'ghost@contoso.com' is not in the directory"), "{err}");
    assert_eq!(changed(&files(env.data()), &before), Vec::<PathBuf>::new());

    let broken = env.data().with_extension("broken.json");
    std::fs::write(&broken, "{\"entitle\": {\"format\": 1, \"scope\": \"tenant\"}, \"catalogz\": []}")
        .expect("written");
    let err = env.fails(&["plan", &broken.to_string_lossy()], 1);
    assert!(err.contains("unknown field `catalogz`"), "{err}");
}

#[test]
fn a_member_may_not_export_plan_or_apply() {
    let env = demo();
    let same = write_config(&env, "same.json", |_| {});
    for args in [vec!["export", "config"], vec!["plan", &same], vec!["apply", &same]] {
        let mut all = vec!["--as", "Adele"];
        all.extend(args);
        let err = env.fails(&all, 1);
        assert!(err.contains("Only a global administrator"), "{err}");
    }
}

#[test]
fn a_catalog_export_holds_that_catalog_only_and_applies_to_it_only() {
    let env = demo();
    let text = env.ok(&["export", "config", "--catalog", "Finance"]);
    let v: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(v["entitle"]["scope"], "catalog");
    assert_eq!(v["catalogs"].as_array().map(Vec::len), Some(1));
    assert_eq!(v["connectedOrganizations"], Value::Array(vec![]));
    let path = env.data().with_extension("finance.json");
    std::fs::write(&path, &text).expect("written");
    // Other catalogs and the connected organizations are out of its scope: nothing to delete.
    assert!(env.ok(&["plan", &path.to_string_lossy()]).contains("No changes"));
}

#[test]
fn an_apply_cut_short_by_a_crash_leaves_none_of_its_changes() {
    let env = demo();
    let before = env.ok(&["export", "config"]);
    let edited = write_config(&env, "two.json", |v| {
        let pkg = finance_package(v);
        pkg["isHidden"] = true.into();
        pkg["assignmentPolicies"][0]["description"] = "Changed".into();
    });
    let out = env.ok(&["apply", &edited]);
    assert!(out.contains("Applied the configuration: 2 change(s)"), "{out}");
    // The whole batch is the journal's last line: a crash while writing it leaves part of it.
    let journal = env.data().join("journal.jsonl");
    let text = std::fs::read_to_string(&journal).expect("a journal");
    let last = text.trim_end().rsplit('\n').next().expect("a line");
    assert!(last.contains("apply_config"), "the last line is not the batch: {last}");
    let cut = text.len() - last.len() / 2 - 1;
    std::fs::write(&journal, &text.as_bytes()[..cut]).expect("cut");
    // Read again: neither change is there, and the configuration is as it was.
    assert_eq!(env.ok(&["export", "config"]), before);
}
