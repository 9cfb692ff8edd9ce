//! `samconfig.toml`: the defaults `sam build` and `sam deploy` start from (README, "Deploying to
//! AWS"), held to what the template needs. SAM ignores a key it does not know, so a misspelt
//! one would silently fall back to SAM's own default: the file is checked whole.

use serde_norway::Value;
use toml::Table;

const SAMCONFIG: &str = include_str!("../../../samconfig.toml");
const README: &str = include_str!("../../../README.md");

fn samconfig() -> Table {
    SAMCONFIG.parse().expect("samconfig.toml is TOML")
}

fn parameters<'a>(config: &'a Table, command: &str) -> &'a Table {
    config["default"][command]["parameters"]
        .as_table()
        .unwrap_or_else(|| panic!("[default.{command}.parameters]"))
}

/// One setting of `[default.<command>.parameters]`.
fn setting<'a>(config: &'a Table, command: &str, key: &str) -> &'a toml::Value {
    parameters(config, command)
        .get(key)
        .unwrap_or_else(|| panic!("{key} in [default.{command}.parameters]"))
}

#[test]
fn the_file_holds_exactly_the_documented_defaults() {
    let config = samconfig();
    assert_eq!(config["version"].as_float(), Some(0.1));
    let mut commands: Vec<&str> = config["default"]
        .as_table()
        .expect("[default]")
        .keys()
        .map(String::as_str)
        .collect();
    commands.sort();
    assert_eq!(commands, ["build", "deploy", "global"]);
    let keys = |command: &str| -> Vec<String> {
        let mut keys: Vec<String> = parameters(&config, command).keys().cloned().collect();
        keys.sort();
        keys
    };
    assert_eq!(keys("global"), ["stack_name"]);
    // No region and no parameter overrides: a guided deploy asks for the region, and every
    // parameter starts at the template's default (which deploys on a new account).
    assert_eq!(
        keys("deploy"),
        ["capabilities", "confirm_changeset", "resolve_s3"]
    );
    assert_eq!(keys("build"), ["build_in_source"]);
    assert_eq!(
        setting(&config, "deploy", "confirm_changeset").as_bool(),
        Some(true)
    );
    assert_eq!(
        setting(&config, "deploy", "resolve_s3").as_bool(),
        Some(true)
    );
    // The functions' makefile builds (BuildMethod: makefile) run in the workspace, cargo's own
    // incremental build, not in a scratch copy of sam/ (whose links would point nowhere).
    assert_eq!(
        setting(&config, "build", "build_in_source").as_bool(),
        Some(true)
    );
}

#[test]
fn the_stack_name_is_the_one_the_readme_protects() {
    let config = samconfig();
    let stack = setting(&config, "global", "stack_name");
    let stack = stack.as_str().expect("stack_name is text");
    // The stack policy is set on this stack by name after the first deploy.
    assert!(
        README.contains(&format!("set-stack-policy --stack-name {stack}")),
        "README's set-stack-policy command names another stack than samconfig.toml's {stack}"
    );
}

#[test]
fn the_capabilities_are_what_the_template_needs_and_no_more() {
    let config = samconfig();
    let capabilities = setting(&config, "deploy", "capabilities");
    let template = crate::template::parsed();
    let resources: Vec<(String, &str, &Value)> = crate::template::resources(&template)
        .into_iter()
        .map(|(id, resource)| (id, resource["Type"].as_str().unwrap_or_default(), resource))
        .collect();
    // Functions without a `Role` get one from SAM: IAM resources, so CAPABILITY_IAM.
    let creates_roles = resources.iter().any(|(_, kind, resource)| {
        *kind == "AWS::IAM::Role"
            || (*kind == "AWS::Serverless::Function" && resource["Properties"]["Role"].is_null())
    });
    assert!(creates_roles, "the template creates no IAM role");
    // A named IAM resource would need CAPABILITY_NAMED_IAM, a nested application
    // CAPABILITY_AUTO_EXPAND. (The template's own transforms, AWS::LanguageExtensions and
    // SAM's, need none: `sam deploy` goes through a change set.)
    for (id, kind, resource) in &resources {
        for named in [
            "RoleName",
            "ManagedPolicyName",
            "UserName",
            "GroupName",
            "InstanceProfileName",
        ] {
            assert!(
                resource["Properties"][named].is_null(),
                "{id} ({kind}) names its IAM resource ({named}): CAPABILITY_NAMED_IAM needed"
            );
        }
        assert_ne!(
            *kind, "AWS::Serverless::Application",
            "{id}: CAPABILITY_AUTO_EXPAND needed"
        );
        assert_ne!(*kind, "AWS::CloudFormation::Stack", "{id}: a nested stack");
    }
    assert_eq!(capabilities.as_str(), Some("CAPABILITY_IAM"));
}
