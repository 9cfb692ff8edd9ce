"""The template's two ways to run, as CloudFormation would deploy them (`make test` runs this).

Each parameter set goes through AWS::LanguageExtensions (SAM CLI's local implementation) and
then the SAM transform, and the generated functions are checked:

- classic Lambda (no capacity provider, the default): no capacity provider, a published version
  and the alias `live` that the API invokes, moved by CodeDeploy as DeploymentType says and
  rolled back by the 5xx-rate, latency and Lambda-errors alarms; reserved concurrency as set;
- the gateway: every route but the catch-all ANY ones runs the Lambda authorizer on the
  `ApiKey` header, whose answers (API Gateway's cache plus the authorizer's own key cache) are
  at most 60 s old, and `sam deploy --guided` finds authorization on every route (its "no
  authentication, is this okay?" prompt, whose default aborts, never comes);
- Lambda Managed Instances (CapacityProviderArn set): every function on the provider with the
  concurrency setting, a published version and the alias `live` that the API invokes (moved at
  once: no CodeDeploy), 2 GB, no reserved concurrency.
"""

import sys

from samcli.lib.cfn_language_extensions.api import process_template
from samcli.yamlhelper import yaml_parse
from samtranslator.translator.transform import transform

PROVIDER = "arn:aws:lambda:us-east-1:123456789012:capacity-provider:call-log-items"
FUNCTIONS = ["List", "GetItem", "Count", "Create", "Update", "Delete", "Authorizer"]
# The most a revoked key may still be admitted: API Gateway's cache plus the authorizer's.
MAX_REVOCATION_SECONDS = 60


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
    # The tally stays on classic Lambda in both modes, at classic Lambda's memory.
    tally = resources["TallyFunction"]["Properties"]
    tally_memory = condition(tally.get("MemorySize"), parameters)
    if tally_memory != 128:
        failures.append(f"Tally: memory {tally_memory}")
    if tally.get("CapacityProviderConfig") is not None:
        failures.append("Tally: on a capacity provider")
    return failures


def gateway(resources):
    """What is wrong with the API's authorization."""
    failures = []
    body = resources["Api"]["Properties"]["Body"]
    for path, methods in body["paths"].items():
        for method, operation in methods.items():
            wanted = "NONE" if method == "x-amazon-apigateway-any-method" else "ApiKeyAuthorizer"
            if operation.get("security") != [{wanted: []}]:
                failures.append(f"{method} {path}: security {operation.get('security')}")
    authorizer = body["components"]["securitySchemes"]["ApiKeyAuthorizer"][
        "x-amazon-apigateway-authorizer"
    ]
    expected = {
        "type": "request",
        "identitySource": ["$request.header.ApiKey"],
        "authorizerPayloadFormatVersion": "2.0",
        "enableSimpleResponses": True,
    }
    for setting, value in expected.items():
        if authorizer.get(setting) != value:
            failures.append(f"authorizer {setting}: {authorizer.get(setting)}")
    function = resources["AuthorizerFunction"]["Properties"]
    key_cache = int(function["Environment"]["Variables"]["KEY_CACHE_TTL_SECONDS"])
    gateway_cache = authorizer["authorizerResultTtlInSeconds"]
    if gateway_cache + key_cache > MAX_REVOCATION_SECONDS:
        failures.append(
            f"a revoked key is admitted up to {gateway_cache} + {key_cache} s, "
            f"over {MAX_REVOCATION_SECONDS}"
        )
    return failures


def guided_prompts():
    """The functions `sam deploy --guided` would ask about ("has no authentication. Is this
    okay?", default no, which aborts the deploy)."""
    from samcli.commands.deploy.auth_utils import auth_per_resource
    from samcli.lib.providers.sam_stack_provider import SamLocalStackProvider

    stacks, _ = SamLocalStackProvider.get_stacks("template.yaml")
    return [f"{name}: no authorization" for name, authorized in auth_per_resource(stacks) if not authorized]


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
    for label, failures in [
        ("the gateway", gateway(deployed({}))),
        ("sam deploy --guided", guided_prompts()),
    ]:
        print(f"{label}: {'ok' if not failures else 'FAILED'}")
        for failure in failures:
            print(f"  {failure}")
        failed = failed or bool(failures)
    for label, parameters, managed in runs:
        failures = check(parameters, managed)
        print(f"{label}: {'ok' if not failures else 'FAILED'}")
        for failure in failures:
            print(f"  {failure}")
        failed = failed or bool(failures)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
