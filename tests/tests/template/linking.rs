//! What the deployed binaries are built from: each function's package, with the features the
//! product needs and none of the test support (the in-memory twin, the store contract, the
//! table's layout), as `cargo` resolves them for `make build` and `sam build`.

use std::process::Command;

/// The features `cargo` enables on the model crate when it builds only `package`.
fn model_features(package: &str) -> Vec<String> {
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["tree", "--offline", "--prefix", "none", "-e", "features"])
        .args(["-p", package, "-i", "call-log-item"])
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .output()
        .expect("cargo tree runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .filter_map(|line| line.strip_prefix("call-log-item feature \""))
        .map(|rest| rest.split('"').next().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn the_functions_link_no_test_support() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../functions");
    let packages: Vec<String> = std::fs::read_dir(root)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(packages.len(), 8);
    for package in packages {
        let features = model_features(&package);
        assert!(
            !features.is_empty(),
            "{package}: cargo tree printed no feature line"
        );
        assert!(
            !features
                .iter()
                .any(|feature| feature == "test-support" || feature == "local-stream"),
            "{package} links {features:?}"
        );
    }
    // And the check can fail: the tests' own build has them.
    assert!(model_features("api-tests").contains(&"test-support".to_string()));
}
