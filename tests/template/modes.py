"""The template's two ways to run, as CloudFormation would deploy them (`make test` runs this).

Each parameter set goes through AWS::LanguageExtensions (SAM CLI's local implementation) and
then the SAM transform, and the generated functions are checked:

- classic Lambda (no capacity provider, the default): no capacity provider, a published version
  and the alias `live` that the API invokes, moved by CodeDeploy as DeploymentType says and
  rolled back by the 5xx-rate, latency and Lambda-errors alarms; reserved concurrency as set;
- Lambda Managed Instances (CapacityProviderArn set): every function on the provider with the
  concurrency setting, a published version and the alias `live` that the API invokes (moved at
  once: no CodeDeploy), 2 GB, no reserved concurrency.
"""

import sys

from samcli.lib.cfn_language_extensions.api import process_template
from samcli.yamlhelper import yaml_parse
from samtranslator.translator.transform import transform

PROVIDER = "arn:aws:lambda:us-east-1:123456789012:capacity-provider:call-log-items"
FUNCTIONS = ["List", "GetItem", "Count", "Create", "Update", "Delete"]


class NoManagedPolicies:
    def load(self):
        return {}


def deployed(parameters):
    """The resources CloudFormation would create for these parameter values."""
    with open("template.yaml", encoding="utf-8") as file:
        template = yaml_parse(file.read())
    expanded = process_template(template, parameters)
    for name, resource in expanded["Resources"].items():
        if resource["Type"] == "AWS::Serverless::Function":
            # What `sam deploy` puts there after uploading the build.
            resource["Properties"]["CodeUri"] = f"s3://artifacts/{name}.zip"
    return transform(expanded, parameters, NoManagedPolicies())["Resources"]


def condition(value, parameters, default=None):
    """The branch of an `Fn::If` the parameters choose (the template's own two conditions)."""
    if not (isinstance(value, dict) and "Fn::If" in value):
        return value
    name, when_true, when_false = value["Fn::If"]
    managed = bool(parameters.get("CapacityProviderArn"))
    chosen = {
        "UsesManagedInstances": managed,
        "HasReservedConcurrency": not managed,
    }[name]
    branch = when_true if chosen else when_false
    return default if branch == {"Ref": "AWS::NoValue"} else branch


def check(parameters, managed):
    resources = deployed(parameters)
    failures = []
    for name in FUNCTIONS:
        function = resources[f"{name}Function"]["Properties"]
        aliases = [
            key
            for key, resource in resources.items()
            if resource["Type"] == "AWS::Lambda::Alias" and key.startswith(f"{name}Function")
        ]
        invoked = {
            str(resource["Properties"]["FunctionName"])
            for resource in resources.values()
            if resource["Type"] == "AWS::Lambda::Permission"
            and str(resource["Properties"]["FunctionName"]).find(f"{name}Function") >= 0
        }
        group = resources.get(f"{name}FunctionDeploymentGroup", {}).get("Properties")
        if aliases != [f"{name}FunctionAliaslive"]:
            failures.append(f"{name}: aliases {aliases}")
        if invoked != {str({"Ref": f"{name}FunctionAliaslive"})}:
            failures.append(f"{name}: the API invokes {invoked}")
        provider = function.get("CapacityProviderConfig")
        memory = condition(function.get("MemorySize"), parameters)
        reserved = condition(function.get("ReservedConcurrentExecutions"), parameters)
        if managed:
            expected = {
                "LambdaManagedInstancesCapacityProviderConfig": {
                    "CapacityProviderArn": PROVIDER,
                    "PerExecutionEnvironmentMaxConcurrency": parameters.get(
                        "ManagedInstancesMaxConcurrency", 64
                    ),
                }
            }
            if provider != expected:
                failures.append(f"{name}: capacity provider {provider}")
            if group is not None:
                failures.append(f"{name}: a CodeDeploy deployment group on Managed Instances")
            if memory != 2048:
                failures.append(f"{name}: memory {memory}")
            if reserved is not None:
                failures.append(f"{name}: reserved concurrency {reserved}")
        else:
            if provider is not None:
                failures.append(f"{name}: capacity provider {provider}")
            failures += rollout(name, group, parameters)
            if memory != 128:
                failures.append(f"{name}: memory {memory}")
            if reserved != {"Ref": "ReservedConcurrency"}:
                failures.append(f"{name}: reserved concurrency {reserved}")
    return failures


def rollout(name, group, parameters):
    """What is wrong with a classic function's CodeDeploy deployment group."""
    if group is None:
        return [f"{name}: no CodeDeploy deployment group"]
    failures = []
    alarms = {alarm["Name"]["Ref"] for alarm in group["AlarmConfiguration"]["Alarms"]}
    if alarms != {"ApiServerErrorRateAlarm", "LatencyAlarm", "LambdaErrorsAlarm"}:
        failures.append(f"{name}: rollback alarms {alarms}")
    if not group["AlarmConfiguration"]["Enabled"]:
        failures.append(f"{name}: alarms off")
    rollback = group["AutoRollbackConfiguration"]
    if not rollback["Enabled"] or "DEPLOYMENT_STOP_ON_ALARM" not in rollback["Events"]:
        failures.append(f"{name}: no rollback on alarm: {rollback}")
    config = group["DeploymentConfigName"]["Fn::Sub"][1]["ConfigName"]
    wanted = parameters.get("DeploymentType", "Canary10Percent10Minutes")
    if config != wanted:
        failures.append(f"{name}: deployment config {config}, not {wanted}")
    return failures


def main():
    runs = [
        ("classic Lambda", {}, False),
        ("classic Lambda, all at once", {"DeploymentType": "AllAtOnce"}, False),
        ("Managed Instances", {"CapacityProviderArn": PROVIDER}, True),
        (
            "Managed Instances, 16 at once",
            {"CapacityProviderArn": PROVIDER, "ManagedInstancesMaxConcurrency": 16},
            True,
        ),
    ]
    failed = False
    for label, parameters, managed in runs:
        failures = check(parameters, managed)
        print(f"{label}: {'ok' if not failures else 'FAILED'}")
        for failure in failures:
            print(f"  {failure}")
        failed = failed or bool(failures)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
