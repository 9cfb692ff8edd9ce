//! What an operator relies on in `template.yaml`, checked against the code: alarms and the
//! dashboard name metrics that exist (the functions' own, or AWS's with their dimensions),
//! every checkov skip gives its reason, tracing and concurrency are set, the access log has
//! its fields, the cursor secret is read by name (and only by the API), and `sam-local-env.json` matches the template
//! and what the code reads.

use std::collections::{BTreeMap, BTreeSet};

use call_log_item::api::metrics::{DIMENSION_SETS, DRIFT_METRIC, METRICS};
use call_log_item::config::VARIABLES;
use serde_json::Value as Json;
use serde_norway::Value;

use crate::template::{parsed as template, resources, TEMPLATE};

/// `!Ref Name` → `Some("Name")`.
fn reference(value: &Value) -> Option<&str> {
    match value {
        Value::Tagged(tagged) if tagged.tag == "Ref" => tagged.value.as_str(),
        _ => None,
    }
}

fn of_type<'a>(template: &'a Value, kind: &str) -> Vec<(String, &'a Value)> {
    resources(template)
        .into_iter()
        .filter(|(_, resource)| resource["Type"].as_str() == Some(kind))
        .collect()
}

/// A metric as an alarm or a graph names it: namespace (`own` for the functions' own),
/// name, and its dimensions (name → value as written).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Named {
    namespace: String,
    name: String,
    dimensions: BTreeMap<String, String>,
}

const OWN: &str = "own";

/// The AWS metrics the template may name, with the dimension sets each is published under
/// (CloudWatch's documentation of each namespace).
fn aws_metrics() -> BTreeMap<(&'static str, &'static str), Vec<Vec<&'static str>>> {
    let mut known = BTreeMap::new();
    for name in ["Count", "4xx", "5xx", "Latency", "IntegrationLatency"] {
        known.insert(("AWS/ApiGateway", name), vec![vec!["ApiId", "Stage"]]);
    }
    for name in [
        "Errors",
        "Throttles",
        "Invocations",
        "Duration",
        "ConcurrentExecutions",
        // Of a function behind a stream's event source mapping.
        "IteratorAge",
    ] {
        known.insert(("AWS/Lambda", name), vec![vec!["FunctionName"]]);
    }
    known.insert(
        ("AWS/SQS", "ApproximateNumberOfMessagesVisible"),
        vec![vec!["QueueName"]],
    );
    for name in [
        "ReadThrottleEvents",
        "WriteThrottleEvents",
        "ConsumedReadCapacityUnits",
        "ConsumedWriteCapacityUnits",
    ] {
        known.insert(
            ("AWS/DynamoDB", name),
            vec![
                vec!["TableName"],
                vec!["GlobalSecondaryIndexName", "TableName"],
            ],
        );
    }
    for name in ["SystemErrors", "ThrottledRequests"] {
        known.insert(("AWS/DynamoDB", name), vec![vec!["Operation", "TableName"]]);
    }
    known
}

fn check(named: &Named) {
    let dimensions: Vec<&str> = named.dimensions.keys().map(String::as_str).collect();
    if named.namespace == OWN {
        assert!(
            METRICS
                .iter()
                .chain([&DRIFT_METRIC])
                .any(|(name, _)| *name == named.name),
            "{named:?}: the functions write no such metric"
        );
        if named.name == DRIFT_METRIC.0 {
            assert_eq!(
                dimensions,
                ["Service"],
                "{named:?}: drift is by Service only"
            );
        }
        assert!(
            DIMENSION_SETS.iter().any(|set| {
                let mut set = set.to_vec();
                set.sort();
                set == dimensions
            }),
            "{named:?}: the functions publish no such dimension set"
        );
    } else {
        let known = aws_metrics();
        let sets = known
            .get(&(named.namespace.as_str(), named.name.as_str()))
            .unwrap_or_else(|| panic!("{named:?}: not a metric of that AWS namespace"));
        assert!(
            sets.contains(&dimensions),
            "{named:?}: AWS publishes it by {sets:?}"
        );
    }
}

fn namespace_of(value: &Value) -> String {
    match (reference(value), value.as_str()) {
        (Some("MetricsNamespace"), _) => OWN.into(),
        (_, Some(text)) => text.into(),
        _ => panic!("a namespace: {value:?}"),
    }
}

fn text_of(value: &Value) -> String {
    reference(value)
        .map(|name| format!("!Ref {name}"))
        .or_else(|| value.as_str().map(str::to_string))
        .unwrap_or_else(|| format!("{value:?}"))
}

/// Every metric an alarm watches, with the alarm's name.
fn alarm_metrics(template: &Value) -> Vec<(String, Named)> {
    let mut found = Vec::new();
    for (name, alarm) in of_type(template, "AWS::CloudWatch::Alarm") {
        let properties = &alarm["Properties"];
        let mut add = |metric: &Value| {
            let dimensions = metric["Dimensions"]
                .as_sequence()
                .map(|dimensions| {
                    dimensions
                        .iter()
                        .map(|d| {
                            (
                                d["Name"].as_str().unwrap().to_string(),
                                text_of(&d["Value"]),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            found.push((
                name.clone(),
                Named {
                    namespace: namespace_of(&metric["Namespace"]),
                    name: metric["MetricName"].as_str().unwrap().to_string(),
                    dimensions,
                },
            ));
        };
        if properties.get("MetricName").is_some() {
            add(properties);
        }
        for query in properties["Metrics"].as_sequence().into_iter().flatten() {
            if let Some(metric) = query.get("MetricStat") {
                add(&metric["Metric"]);
            }
        }
    }
    found
}

/// The dashboard's body, with each `${Name}` of the `!Sub` replaced by `<Name>`.
fn dashboard(template: &Value) -> Json {
    let dashboards = of_type(template, "AWS::CloudWatch::Dashboard");
    assert_eq!(dashboards.len(), 1, "one dashboard");
    let Value::Tagged(body) = &dashboards[0].1["Properties"]["DashboardBody"] else {
        panic!("DashboardBody is a !Sub")
    };
    let mut text = body.value.as_str().expect("a !Sub string").to_string();
    while let Some(start) = text.find("${") {
        let end = start + text[start..].find('}').expect("a closing brace");
        let name = text[start + 2..end].to_string();
        // A number where JSON needs one (the alarm threshold), a string otherwise.
        let placeholder = if name == "LatencyP99ThresholdMs" {
            "1000".to_string()
        } else {
            format!("<{name}>")
        };
        text.replace_range(start..=end, &placeholder);
    }
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("the dashboard body is JSON: {e}"))
}

/// Every metric a dashboard graph names: the `[namespace, name, dim, value, …, {options}]`
/// rows, and the `{namespace,dims…} MetricName="…"` of SEARCH expressions.
fn dashboard_metrics(body: &Json) -> Vec<Named> {
    let mut found = Vec::new();
    for widget in body["widgets"].as_array().expect("widgets") {
        for row in widget["properties"]["metrics"].as_array().expect("metrics") {
            let row = row.as_array().expect("a row");
            if let Some(expression) = row[0].get("expression").and_then(Json::as_str) {
                let schema = &expression[expression.find('{').unwrap() + 1..];
                let schema: Vec<&str> = schema[..schema.find('}').unwrap()].split(',').collect();
                let name = expression
                    .split("MetricName=\"")
                    .nth(1)
                    .expect("a MetricName")
                    .split('"')
                    .next()
                    .unwrap();
                found.push(Named {
                    namespace: if schema[0] == "<MetricsNamespace>" {
                        OWN.into()
                    } else {
                        schema[0].into()
                    },
                    name: name.into(),
                    dimensions: schema[1..]
                        .iter()
                        .map(|d| (d.to_string(), "*".into()))
                        .collect(),
                });
                continue;
            }
            let texts: Vec<&str> = row.iter().filter_map(Json::as_str).collect();
            let namespace = if texts[0] == "<MetricsNamespace>" {
                OWN.to_string()
            } else {
                texts[0].to_string()
            };
            let dimensions = texts[2..]
                .chunks(2)
                .map(|pair| (pair[0].to_string(), pair[1].to_string()))
                .collect();
            found.push(Named {
                namespace,
                name: texts[1].into(),
                dimensions,
            });
        }
    }
    found
}

/// The six function resources' logical ids.
fn function_ids(template: &Value) -> BTreeSet<String> {
    of_type(template, "AWS::Serverless::Function")
        .into_iter()
        .map(|(name, _)| name)
        .collect()
}

#[test]
fn every_alarm_watches_a_metric_that_exists() {
    let template = template();
    let watched = alarm_metrics(&template);
    for (alarm, named) in &watched {
        check(named);
        assert!(!alarm.is_empty());
    }
    let alarms: BTreeSet<&str> = watched.iter().map(|(alarm, _)| alarm.as_str()).collect();
    for wanted in [
        "ApiServerErrorRateAlarm",
        "LatencyAlarm",
        "LambdaErrorsAlarm",
        "LambdaThrottlesAlarm",
        "DynamoDbThrottlesAlarm",
        "DynamoDbSystemErrorsAlarm",
        "CountersBelowZeroAlarm",
    ] {
        assert!(alarms.contains(wanted), "no {wanted}");
    }
    // Errors and throttles of every function, each once.
    for metric in ["Errors", "Throttles"] {
        let functions: Vec<String> = watched
            .iter()
            .filter(|(_, named)| named.namespace == "AWS/Lambda" && named.name == metric)
            .map(|(_, named)| named.dimensions["FunctionName"].clone())
            .collect();
        let expected: Vec<String> = function_ids(&template)
            .iter()
            .map(|id| format!("!Ref {id}"))
            .collect();
        let mut sorted = functions.clone();
        sorted.sort();
        assert_eq!(sorted, expected, "{metric}");
    }
    // The p99 alarm reads the functions' own Latency for the whole service.
    let latency = &template["Resources"]["LatencyAlarm"]["Properties"];
    assert_eq!(latency["ExtendedStatistic"].as_str(), Some("p99"));
    assert_eq!(
        reference(&latency["Threshold"]),
        Some("LatencyP99ThresholdMs")
    );
}

#[test]
fn system_errors_are_watched_for_every_operation_the_functions_call() {
    let template = template();
    let operations: BTreeSet<String> = alarm_metrics(&template)
        .into_iter()
        .filter(|(_, named)| named.name == "SystemErrors")
        .filter(|(_, named)| named.dimensions["TableName"] == "!Ref ItemsTable")
        .map(|(_, named)| named.dimensions["Operation"].clone())
        .collect();
    // What the functions may call on the items table (their IAM actions), and the
    // transactions, which IAM authorizes per item.
    let mut called: BTreeSet<String> = crate::template::functions()
        .values()
        .flat_map(|function| function.dynamodb.iter())
        .filter(|(table, _)| table == "items")
        .map(|(_, action)| action.clone())
        .collect();
    called.insert("TransactWriteItems".into());
    let store = source_files(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/src/store/dynamo"
    ))
    .iter()
    .map(|path| std::fs::read_to_string(path).unwrap())
    .collect::<String>();
    assert!(
        store.contains(".transact_write_items()"),
        "the store writes by transactions"
    );
    assert_eq!(operations, called);
}

#[test]
fn every_graph_of_the_dashboard_shows_a_metric_that_exists() {
    let body = dashboard(&template());
    let shown = dashboard_metrics(&body);
    assert!(shown.len() >= 20, "{shown:?}");
    // A SEARCH's schema must be a dimension set of the metric, as a row's dimensions must.
    for named in &shown {
        check(named);
    }
    let names: BTreeSet<&str> = shown.iter().map(|named| named.name.as_str()).collect();
    for wanted in [
        "Requests",
        "ServerErrors",
        "ClientErrors",
        "Latency",
        "ColdStarts",
        "ConsumedReadCapacityUnits",
        "ConsumedWriteCapacityUnits",
        "Errors",
        "Throttles",
    ] {
        assert!(
            names.contains(wanted),
            "the dashboard has no {wanted} graph"
        );
    }
}

#[test]
fn alarms_notify_the_topic_when_one_is_given_else_the_email_topic() {
    let template = template();
    let alarms = of_type(&template, "AWS::CloudWatch::Alarm");
    assert!(alarms.len() >= 9);
    for (name, alarm) in alarms {
        for actions in ["AlarmActions", "OKActions"] {
            let Value::Tagged(when) = &alarm["Properties"][actions] else {
                panic!("{name}: {actions} is an !If")
            };
            assert_eq!(when.tag, "If", "{name}");
            assert_eq!(when.value[0].as_str(), Some("HasAlarmTopic"), "{name}");
            assert_eq!(
                reference(&when.value[1][0]),
                Some("AlarmTopicArn"),
                "{name}"
            );
            let Value::Tagged(otherwise) = &when.value[2] else {
                panic!("{name}: without a topic, an !If on the email topic")
            };
            assert_eq!(otherwise.value[0].as_str(), Some("HasAlarmEmail"), "{name}");
            assert_eq!(
                reference(&otherwise.value[1][0]),
                Some("AlarmEmailTopic"),
                "{name}"
            );
        }
    }
    let topic = &template["Resources"]["AlarmEmailTopic"];
    assert_eq!(topic["Condition"].as_str(), Some("HasAlarmEmail"));
    let subscription = &topic["Properties"]["Subscription"][0];
    assert_eq!(subscription["Protocol"].as_str(), Some("email"));
    assert_eq!(reference(&subscription["Endpoint"]), Some("AlarmEmail"));
}

#[test]
fn every_alarm_states_how_many_of_its_datapoints_must_breach() {
    let template = template();
    for (name, alarm) in of_type(&template, "AWS::CloudWatch::Alarm") {
        let properties = &alarm["Properties"];
        let of = properties["EvaluationPeriods"].as_u64();
        let must = properties["DatapointsToAlarm"].as_u64();
        let (Some(of), Some(must)) = (of, must) else {
            panic!("{name}: EvaluationPeriods and DatapointsToAlarm, both stated")
        };
        assert!(must >= 1 && must <= of, "{name}: {must} of {of}");
        assert!(
            properties["AlarmDescription"].as_str().is_some(),
            "{name}: says what it watches"
        );
    }
    // The noisy ones (rates and percentiles) need 3 bad minutes out of 5, not one.
    for name in ["ApiServerErrorRateAlarm", "LatencyAlarm"] {
        let properties = &template["Resources"][name]["Properties"];
        assert_eq!(properties["EvaluationPeriods"].as_u64(), Some(5), "{name}");
        assert_eq!(properties["DatapointsToAlarm"].as_u64(), Some(3), "{name}");
    }
}

#[test]
fn functions_are_traced_and_their_concurrency_reserved() {
    let template = template();
    let globals = &template["Globals"]["Function"];
    assert_eq!(globals["Tracing"].as_str(), Some("Active"));
    let Value::Tagged(reserved) = &globals["ReservedConcurrentExecutions"] else {
        panic!("ReservedConcurrentExecutions is an !If")
    };
    assert_eq!(reserved.value[0].as_str(), Some("HasReservedConcurrency"));
    assert_eq!(reference(&reserved.value[1]), Some("ReservedConcurrency"));
    // Unreserved unless asked: a reservation fails on accounts with a small concurrency quota.
    assert_eq!(
        template["Parameters"]["ReservedConcurrency"]["Default"].as_str(),
        Some("")
    );
}

/// Lambda's log-level filter, as AWS documents it for JSON logs: a line's `level` (any case),
/// INFO when it has none or one Lambda does not know; kept when at or above the function's
/// ApplicationLogLevel.
fn kept_by_lambda(line: &str, application_level: &str) -> bool {
    const LEVELS: [&str; 6] = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"];
    let rank = |level: &str| {
        LEVELS
            .iter()
            .position(|known| known.eq_ignore_ascii_case(level))
    };
    let record: Json = serde_json::from_str(line).expect("a JSON line");
    let level = record["level"]
        .as_str()
        .and_then(rank)
        .unwrap_or(rank("INFO").unwrap());
    level >= rank(application_level).expect("a level Lambda knows")
}

#[test]
fn metrics_records_survive_lambdas_log_filter_at_every_log_level_offered() {
    use call_log_item::api::metrics::{Measured, Metrics};
    let template = template();
    let logging = &template["Globals"]["Function"]["LoggingConfig"];
    // One level for Lambda whatever the LogLevel parameter: the functions filter their own
    // lines by RUST_LOG.
    let application = logging["ApplicationLogLevel"]
        .as_str()
        .expect("ApplicationLogLevel is a constant, not mapped from LogLevel");
    let offered = template["Parameters"]["LogLevel"]["AllowedValues"]
        .as_sequence()
        .expect("LogLevel's allowed values");
    assert!(offered.len() >= 5);
    let (metrics, recorded) = Metrics::in_memory("IncomingCallLogItemApi", "stack");
    metrics.record(&Measured {
        route: "POST /api/incoming-call-log-item",
        status: 200,
        latency_ms: 4.2,
        request_id: "r-1",
        counters_below_zero: 1,
    });
    let lines = recorded.lines();
    assert_eq!(lines.len(), 2, "a request's record and a drift record");
    for level in offered {
        for line in &lines {
            assert!(
                kept_by_lambda(line, application),
                "LogLevel {level:?}: Lambda drops {line}"
            );
        }
    }
    // What the filter would have done with the level mapped from the parameter.
    assert!(!kept_by_lambda(&lines[0], "WARN"));
    // Lambda's REPORT lines (duration, memory, init) are INFO system logs: kept.
    assert_eq!(logging["SystemLogLevel"].as_str(), Some("INFO"));
}

#[test]
fn the_access_log_is_json_with_what_an_operator_searches_by() {
    let template = template();
    let settings = &template["Resources"]["Api"]["Properties"]["AccessLogSettings"];
    let format = settings["Format"].as_str().expect("a Format");
    let sample = format.replace("$context.", "context_");
    let line: Json = serde_json::from_str(&sample).expect("the access log format is JSON");
    for field in [
        "requestId",
        "routeKey",
        "status",
        "responseLatency",
        "integrationError",
        "sourceIp",
    ] {
        assert!(line.get(field).is_some(), "no {field} in the access log");
    }
    let Value::Tagged(destination) = &settings["DestinationArn"] else {
        panic!("DestinationArn is a !GetAtt")
    };
    let group = destination
        .value
        .as_str()
        .unwrap()
        .split('.')
        .next()
        .unwrap();
    let retention = &template["Resources"][group]["Properties"]["RetentionInDays"];
    assert!(
        retention.as_u64().is_some(),
        "the access log group keeps logs for a set time"
    );
}

#[test]
fn every_checkov_skip_says_why() {
    let template = template();
    let mut skipped = 0;
    for (name, resource) in resources(&template) {
        let Some(skips) = resource
            .get("Metadata")
            .and_then(|metadata| metadata.get("checkov"))
        else {
            continue;
        };
        for skip in skips["skip"].as_sequence().expect("a skip list") {
            let id = skip["id"].as_str().unwrap_or_default();
            assert!(id.starts_with("CKV_AWS_"), "{name}: {id}");
            let reason = skip["comment"].as_str().unwrap_or_default();
            assert!(
                reason.len() > 30,
                "{name}: {id} needs a reason, not {reason:?}"
            );
            skipped += 1;
        }
    }
    assert!(skipped > 0);
}

#[test]
fn the_cursor_secret_is_named_never_given_and_only_the_api_reads_it() {
    let template = template();
    let variables = &template["Globals"]["Function"]["Environment"]["Variables"];
    assert_eq!(
        reference(&variables["CURSOR_SECRET_ARN"]),
        Some("CursorSecret")
    );
    assert_eq!(
        reference(&variables["ACCEPT_PREVIOUS_CURSOR_SECRET"]),
        Some("AcceptPreviousCursorSecret")
    );
    // Declared empty only, for `sam local --env-vars`; no value resolved into it.
    assert_eq!(variables["CURSOR_SECRET"].as_str(), Some(""));
    assert!(
        !TEMPLATE.contains("{{resolve:"),
        "no secret is resolved into the template"
    );
    // The six API functions may read it (they sign cursors); the authorizer and the tally may not.
    for (name, function) in of_type(&template, "AWS::Serverless::Function") {
        let policies = serde_norway::to_string(&function["Properties"]["Policies"]).unwrap();
        let reads = policies.contains("secretsmanager:GetSecretValue");
        let api = function["Properties"]["Events"]
            .as_mapping()
            .is_some_and(|events| {
                events
                    .values()
                    .any(|event| event["Type"].as_str() == Some("HttpApi"))
            });
        assert_eq!(reads, api, "{name}: GetSecretValue");
        if reads {
            assert_eq!(
                policies.matches("secretsmanager:").count(),
                1,
                "{name}: one Secrets Manager action"
            );
            assert!(policies.contains("!Ref CursorSecret"), "{name}: {policies}");
        }
    }
}

/// The environment variables the template gives every function.
fn template_variables(template: &Value) -> BTreeSet<String> {
    template["Globals"]["Function"]["Environment"]["Variables"]
        .as_mapping()
        .expect("Globals variables")
        .keys()
        .map(|name| name.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_template_passes_only_variables_the_code_reads() {
    let passed = template_variables(&template());
    let read: BTreeSet<String> = VARIABLES.iter().map(|name| name.to_string()).collect();
    let unread: Vec<&String> = passed.difference(&read).collect();
    assert!(unread.is_empty(), "the code reads none of {unread:?}");
}

#[test]
fn the_sam_local_environment_file_matches_the_template_and_the_code() {
    let template = template();
    let file = include_str!("../../../sam-local-env.json");
    let env: BTreeMap<String, BTreeMap<String, String>> =
        serde_json::from_str(file).expect("sam-local-env.json: function id → variables");
    assert_eq!(
        env.keys().cloned().collect::<BTreeSet<_>>(),
        function_ids(&template),
        "one entry per function of the template"
    );
    let declared = template_variables(&template);
    for (function, variables) in &env {
        for name in variables.keys() {
            assert!(
                declared.contains(name),
                "{function}.{name}: sam local only sets variables the template declares"
            );
            assert!(
                VARIABLES.contains(&name.as_str()),
                "{function}.{name}: the code never reads it"
            );
        }
        // What makes it local: the local engine, the tables `make dev` creates, a cursor secret.
        for name in [
            "DYNAMODB_ENDPOINT",
            "ITEMS_TABLE",
            "API_KEYS_TABLE",
            "CURSOR_SECRET",
        ] {
            assert!(variables.contains_key(name), "{function} lacks {name}");
        }
        assert!(variables["CURSOR_SECRET"].len() >= call_log_item::config::MIN_CURSOR_SECRET_LEN);
    }
}

/// Every file under `dir`, its folders' too.
fn source_files(dir: &str) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let mut folders = vec![std::path::PathBuf::from(dir)];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files
}

/// The repository's stack policy (README, "Protect the tables, once"): no update may replace
/// or delete a table, whose generated name would otherwise change under the functions.
#[test]
fn the_stack_policy_refuses_to_replace_or_delete_every_table() {
    const POLICY: &str = include_str!("../../../stack-policy.json");
    let policy: Json = serde_json::from_str(POLICY).expect("stack-policy.json is JSON");
    let statements = policy["Statement"].as_array().expect("statements");
    let denied: BTreeSet<&str> = statements
        .iter()
        .filter(|statement| statement["Effect"] == "Deny")
        .filter(|statement| {
            let actions = statement["Action"].as_array().expect("actions");
            ["Update:Replace", "Update:Delete"]
                .iter()
                .all(|action| actions.iter().any(|a| a == action))
        })
        .flat_map(|statement| statement["Resource"].as_array().expect("resources"))
        .filter_map(|resource| resource.as_str()?.strip_prefix("LogicalResourceId/"))
        .collect();
    let template = template();
    let tables: BTreeSet<String> = of_type(&template, "AWS::DynamoDB::Table")
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert_eq!(tables.len(), 2);
    for table in &tables {
        assert!(denied.contains(table.as_str()), "{table} is not protected");
    }
    // Everything else may still be updated.
    assert!(statements
        .iter()
        .any(|statement| statement["Effect"] == "Allow" && statement["Resource"] == "*"));
}

/// `!If [HasKmsKey, !Ref KmsKeyArn, !Ref AWS::NoValue]`: the key when one is given.
fn the_key_when_given(value: &Value) -> bool {
    match value {
        Value::Tagged(when) if when.tag == "If" => {
            when.value[0].as_str() == Some("HasKmsKey")
                && reference(&when.value[1]) == Some("KmsKeyArn")
                && reference(&when.value[2]) == Some("AWS::NoValue")
        }
        _ => false,
    }
}

#[test]
fn a_customer_managed_key_when_given_encrypts_every_table_and_log_group() {
    let template = template();
    let groups = of_type(&template, "AWS::Logs::LogGroup");
    assert_eq!(
        groups.len(),
        function_ids(&template).len() + 1,
        "the API's access log and each function's"
    );
    for (name, group) in groups {
        assert!(
            the_key_when_given(&group["Properties"]["KmsKeyId"]),
            "{name}: KmsKeyId"
        );
    }
    for (name, table) in of_type(&template, "AWS::DynamoDB::Table") {
        let sse = &table["Properties"]["SSESpecification"];
        assert_eq!(sse["SSEEnabled"].as_bool(), Some(true), "{name}");
        assert!(
            the_key_when_given(&sse["KMSMasterKeyId"]),
            "{name}: KMSMasterKeyId"
        );
    }
    assert_eq!(
        template["Parameters"]["KmsKeyArn"]["Default"].as_str(),
        Some("")
    );
}

#[test]
fn sam_builds_each_function_from_its_package_through_sam_makefile() {
    let template = template();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let packages: BTreeSet<String> = std::fs::read_dir(root.join("functions"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    let mut built = BTreeSet::new();
    for (name, function) in of_type(&template, "AWS::Serverless::Function") {
        assert_eq!(
            function["Metadata"]["BuildMethod"].as_str(),
            Some("makefile"),
            "{name}"
        );
        assert_eq!(
            function["Properties"]["CodeUri"].as_str(),
            Some("sam/"),
            "{name}"
        );
        let id = name.strip_suffix("Function").expect("a …Function id");
        built.insert(crate::template::binary_of(id));
    }
    assert_eq!(built, packages, "one function per package under functions/");
    // What `sam build --cached` hashes: the build inputs, through links, and nothing else.
    let mut entries: Vec<(String, Option<String>)> = std::fs::read_dir(root.join("sam"))
        .unwrap()
        .map(|entry| {
            let entry = entry.unwrap();
            let link = std::fs::read_link(entry.path())
                .ok()
                .map(|target| target.display().to_string());
            (entry.file_name().into_string().unwrap(), link)
        })
        .collect();
    entries.sort();
    let link = |name: &str| (name.to_string(), Some(format!("../{name}")));
    assert_eq!(
        entries,
        vec![
            link("Cargo.lock"),
            link("Cargo.toml"),
            ("Makefile".to_string(), None),
            link("functions"),
            link("shared"),
        ]
    );
}
