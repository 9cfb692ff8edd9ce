"""Writes template.yaml as CloudFormation would deploy it with the default parameters (through
AWS::LanguageExtensions and the SAM transform, offline), for checkov to scan what AWS creates,
not only what the template says: `make test` runs it.

Usage: python tests/template/expand.py OUTPUT.json
"""

import json
import sys

from samcli.lib.cfn_language_extensions.api import process_template
from samcli.yamlhelper import yaml_parse
from samtranslator.translator.transform import transform

from modes import NoManagedPolicies


def main():
    with open("template.yaml", encoding="utf-8") as file:
        template = yaml_parse(file.read())
    expanded = process_template(template, {})
    for name, resource in expanded["Resources"].items():
        if resource["Type"] == "AWS::Serverless::Function":
            # What `sam deploy` puts there after uploading the build.
            resource["Properties"]["CodeUri"] = f"s3://artifacts/{name}.zip"
    deployed = transform(expanded, {}, NoManagedPolicies())
    with open(sys.argv[1], "w", encoding="utf-8") as out:
        json.dump(deployed, out, indent=1, default=str)
    kinds = sorted({resource["Type"] for resource in deployed["Resources"].values()})
    print(f"{len(deployed['Resources'])} resources of {len(kinds)} types")


if __name__ == "__main__":
    main()
