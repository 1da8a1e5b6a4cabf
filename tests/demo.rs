use entitle::store::demo::demo_tenant;

#[test]
fn demo_loads() {
    let t = demo_tenant().map_err(|e| format!("{e:#}")).unwrap();
    println!("{}", t.now());
}
